"""`ape run custodian ...`: the same commands as `ssikit custodian ...`."""

from ssikit.cli.custodian import custodian as cli

__all__ = ["cli"]
