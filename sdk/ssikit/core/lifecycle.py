"""The lifecycle of an index: which issuer and oracle it points at, and how that moves.

Mirrors ``IVersionRegistry.Kind`` and the constants of ``IIndexToken`` (``MOVE_DELAY``); pure,
no chain access.
"""

from __future__ import annotations

from enum import IntEnum

MOVE_DELAY = 31 * 86_400
"""{seconds} from a signalled move to its execution (``IIndexToken.MOVE_DELAY``)."""


class VersionKind(IntEnum):
    """What an index points at and may move (``IVersionRegistry.Kind``)."""

    ISSUER = 0
    ORACLE = 1

    @classmethod
    def parse(cls, text: str) -> VersionKind:
        """``"issuer"`` or ``"oracle"`` (any case); ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(k.name.lower() for k in cls)
            raise ValueError(f"unknown kind {text!r}: one of {names}") from None
