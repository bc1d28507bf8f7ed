"""Basket arithmetic, mirroring ``contracts/libraries/BasketMath.sol``.

Units: index amounts {index wei}; basket amounts {base units × 1e18 per whole token}; factors
{RAY}. What a participant pays or the protocol owes rounds up; what a participant receives
rounds down.
"""

from __future__ import annotations

from ..core.units import RAY, SCALE
from .rounding import Rounding, mul_div


def amount_per_token(stored_amount: int, factor: int, rounding: Rounding) -> int:
    """{1e-18 base units per token} after the fee factor (BasketMath.amountPerToken)."""
    return mul_div(stored_amount, factor, RAY, rounding)


def quantity(per_token: int, index_amount: int, rounding: Rounding) -> int:
    """{base units} of an asset for ``index_amount`` index wei (BasketMath.quantity)."""
    return mul_div(per_token, index_amount, SCALE, rounding)


def backing(index_amount: int, factor: int, rounding: Rounding) -> int:
    """Backing units {index wei at stored amounts} for an index amount (BasketMath.backing)."""
    return mul_div(index_amount, factor, RAY, rounding)


def liability(stored_amount: int, backing_units: int) -> int:
    """{base units} the reserves must hold of a component, rounded up (BasketMath.liability)."""
    return mul_div(stored_amount, backing_units, SCALE, Rounding.CEIL)


def max_backing_units(reserves: int, stored_amount: int) -> int:
    """{index wei at stored amounts} the most backing units ``reserves`` cover, rounded down
    (BasketMath.maxBackingUnits; the oracle's headroom)."""
    return mul_div(reserves, SCALE, stored_amount, Rounding.FLOOR)


def deposit_for(stored_amount: int, factor: int, index_amount: int) -> int:
    """{base units} a mint of ``index_amount`` delivers, rounded up (BasketMath.depositFor)."""
    return liability(stored_amount, backing(index_amount, factor, Rounding.CEIL))


def payout_for(stored_amount: int, factor: int, index_amount: int) -> int:
    """{base units} a redemption of ``index_amount`` pays, rounded down (BasketMath.payoutFor)."""
    units = backing(index_amount, factor, Rounding.FLOOR)
    return mul_div(stored_amount, units, SCALE, Rounding.FLOOR)


def fee_share(backing_units: int, supply: int, factor: int) -> int:
    """Index tokens {index wei} the fee recipient's share is worth, rounded down."""
    everything = mul_div(backing_units, RAY, factor, Rounding.FLOOR)
    return max(everything - supply, 0)
