"""Streaming fee math, mirroring ``contracts/libraries/FeeMath.sol``."""

from __future__ import annotations

from decimal import Decimal, localcontext

from ..core.errors import FeeError
from ..core.units import BPS, FEE_RATE_CEILING, RAY, SECONDS_PER_YEAR, Ray
from .rounding import Rounding, mul_div

EXPONENT_BITS = 40
"""Bits of the exponent ``rpow_down`` evaluates (FeeMath.EXPONENT_BITS): any uint40 timestamp."""
MAX_EXPONENT = (1 << EXPONENT_BITS) - 1
"""Largest exponent {seconds} the decay evaluates (FeeMath.MAX_EXPONENT, ~34,800 years)."""


def rpow_down(x: Ray, n: int) -> Ray:
    """x^n in RAY by binary exponentiation over a fixed ``EXPONENT_BITS`` bits, every product
    rounded down (FeeMath.rpowDown: each bit multiplies by x or by exactly 1.0, so the integers
    are those of square-and-multiply skipping zero bits)."""
    if not 0 <= x <= RAY:
        raise ValueError("rpow_down base must be within [0, RAY]")
    if n < 0:
        raise ValueError("rpow_down exponent must be non-negative")
    if n > MAX_EXPONENT:  # IndexFeeElapsedOutOfRange(n, MAX_EXPONENT)
        raise FeeError(f"elapsed {n} s is above the fee decay's range (at most {MAX_EXPONENT} s)")
    base: int = x
    z: int = RAY
    for i in range(EXPONENT_BITS):  # FeeMath._bitStep, bit by bit
        z = z * (base if (n >> i) & 1 else RAY) // RAY
        base = base * base // RAY
    return Ray(z)


def decay(factor: Ray, rate_per_second: Ray, elapsed: int) -> Ray:
    """The fee factor after ``elapsed`` seconds (0 to ``MAX_EXPONENT``), rounded down
    (FeeMath.decay)."""
    if rate_per_second == 0:
        return factor
    return Ray(factor * rpow_down(Ray(RAY - rate_per_second), elapsed) // RAY)


def per_second_rate(annual: Decimal | float | str) -> Ray:
    """The per-second rate {RAY} that takes the fraction ``annual`` of the backing in a 365-day
    year, compounding per second: 1 − (1 − annual)^(1 / seconds per year), rounded down so the
    charged fee never exceeds the announced one.
    """
    a = Decimal(str(annual))
    if not Decimal(0) <= a < Decimal(1):
        raise FeeError(f"annual fee {a} must be in [0, 1)")
    with localcontext() as ctx:
        ctx.prec = 60
        keep = (Decimal(1) - a) ** (Decimal(1) / Decimal(SECONDS_PER_YEAR))
        rate = (Decimal(1) - keep) * RAY
    value = Ray(int(rate))  # int() truncates toward zero: rounded down
    if value > FEE_RATE_CEILING:
        raise FeeError(f"annual fee {a} is above the protocol ceiling")
    return value


def annual_rate(rate_per_second: Ray) -> Decimal:
    """The fraction of backing a per-second rate takes in a 365-day year."""
    kept = rpow_down(Ray(RAY - rate_per_second), SECONDS_PER_YEAR)
    return Decimal(RAY - kept) / Decimal(RAY)


def issuance_fee(amount: int, fee_bps: int) -> int:
    """The mint or redeem fee on ``amount`` {index wei}, rounded up (FeeMath.issuanceFee)."""
    return mul_div(amount, fee_bps, BPS, Rounding.CEIL)
