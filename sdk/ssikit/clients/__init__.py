"""Thin clients for services outside the chain (market data)."""
