"""Units used across the SDK, named as in the contracts' comments.

Integers on chain carry their scale in their type name here, like web3.py's ``Wei``.
"""

from __future__ import annotations

from typing import NewType

Wad = NewType("Wad", int)
"""Fixed point with 18 decimals (1e18 = 1.0)."""
Ray = NewType("Ray", int)
"""Fixed point with 27 decimals (1e27 = 1.0); fee factors and per-second fee rates."""
Bps = NewType("Bps", int)
"""Basis points (10_000 = 100%)."""
IndexWei = NewType("IndexWei", int)
"""Smallest unit of an index token (1e18 per whole token)."""
BaseUnits = NewType("BaseUnits", int)
"""An asset's smallest unit (satoshi, lamport, wei, drop...)."""
PreciseUnits = NewType("PreciseUnits", int)
"""Base units × 1e18: the unit of basket amounts per whole index token."""

WAD = 10**18
RAY = 10**27
BPS = 10_000
INDEX_UNIT = 10**18
"""Index wei per whole index token."""
PRECISION = 10**18
"""Extra decimals kept in basket amounts."""
SCALE = INDEX_UNIT * PRECISION
"""1e36: from (precise units per token) × (index wei) to base units."""
SECONDS_PER_YEAR = 365 * 24 * 3600
MAX_DECIMALS = 24
MAX_COMPONENTS = 32
MAX_AMOUNT = 2**160 - 1
"""Largest basket amount {precise units per token}: amounts are stored in 20 bytes
(BasketCodec.MAX_AMOUNT)."""
PRICE_SCALE = 10**36
"""Rebalance prices are USD × 1e36 per base unit (contracts/types/Price.sol)."""
FEE_RATE_CEILING = Ray(10**19)
"""Highest fee cap an index may have {RAY per second} (IndexFactory.FEE_RATE_CEILING)."""


def whole_units(amount: int, decimals: int) -> str:
    """``amount`` base units of a ``decimals``-decimal asset (or index wei, 18) as a whole-unit
    decimal string, exactly (no rounding, no exponent, trailing zeros dropped):
    ``whole_units(2_500_000_000_000_000_000, 18) == "2.5"``."""
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    sign, digits = ("-", str(-amount)) if amount < 0 else ("", str(amount))
    if decimals == 0:
        return sign + digits
    digits = digits.rjust(decimals + 1, "0")
    whole, fraction = digits[:-decimals], digits[-decimals:].rstrip("0")
    return sign + whole + ("." + fraction if fraction else "")
