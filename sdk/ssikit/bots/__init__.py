"""Participants' programs: the WLP's arbitrage bot (a pure decision, then a thin chain runner)."""
