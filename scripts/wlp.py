"""`ape run wlp ...`: the same commands as `ssikit wlp ...` (see `ape run wlp --help`)."""

from ssikit.cli.wlp import wlp as cli

__all__ = ["cli"]
