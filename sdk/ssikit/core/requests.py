"""Mint and redeem requests as the issuer sees them: ``IIssuer.Status``, mirrored once. Pure."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import IntEnum

from .errors import SsikitError
from .units import INDEX_UNIT


class RequestStatus(IntEnum):
    """``IIssuer.Status`` in the contract's order; ``label`` is the name the SDK prints."""

    NONE = 0
    MINT_PENDING = 1
    REDEEM_PENDING = 2
    CONFIRMED = 3
    REJECTED = 4
    CANCELLED = 5
    EXPIRED = 6
    MINT_ACKNOWLEDGED = 7
    REDEEM_ACCEPTED = 8
    RECLAIMED = 9

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @property
    def open(self) -> bool:
        """Still waiting for a custodian or the requester (not in a final state)."""
        return self in OPEN_STATUSES

    @classmethod
    def from_label(cls, label: str) -> RequestStatus:
        return cls[label.strip().upper().replace(" ", "_")]


OPEN_STATUSES = frozenset(
    {
        RequestStatus.MINT_PENDING,
        RequestStatus.REDEEM_PENDING,
        RequestStatus.MINT_ACKNOWLEDGED,
        RequestStatus.REDEEM_ACCEPTED,
    }
)


class AmountError(SsikitError):
    """An amount of index tokens that is not a positive number with at most 18 decimals."""


def whole_tokens(value: Decimal | str | int) -> int:
    """Whole index tokens (``"2.5"``, ``Decimal("2.5")`` or ``2``) -> index wei, exactly."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise AmountError(f"not a number: {value!r}") from None
    wei = amount * INDEX_UNIT
    if amount <= 0 or wei != wei.to_integral_value():
        raise AmountError(f"{value} is not a positive amount with at most 18 decimals")
    return int(wei)
