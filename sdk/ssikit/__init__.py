"""ssikit: on-chain crypto index tokens."""

__version__ = "0.1.0"
