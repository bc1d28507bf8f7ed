"""`ape run rebalance ...`: the same commands as `ssikit rebalance ...` (plan, propose, status,
activate, cancel; see `ape run rebalance --help`)."""

from ssikit.cli.rebalance import rebalance as cli

__all__ = ["cli"]
