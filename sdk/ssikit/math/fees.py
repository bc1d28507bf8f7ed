"""Streaming fee math, mirroring ``contracts/libraries/FeeMath.sol``."""

from __future__ import annotations

from decimal import Decimal, localcontext

from ..core.errors import FeeError
from ..core.units import BPS, FEE_RATE_CEILING, RAY, SECONDS_PER_YEAR, Ray
from .rounding import Rounding, mul_div


def rpow_down(x: Ray, n: int) -> Ray:
    """x^n in RAY by binary exponentiation, every product rounded down (FeeMath.rpowDown)."""
    if not 0 <= x <= RAY:
        raise ValueError("rpow_down base must be within [0, RAY]")
    if n < 0:
        raise ValueError("rpow_down exponent must be non-negative")
    base: int = x
    z: int = base if n & 1 else RAY
    n >>= 1
    while n:
        base = base * base // RAY
        if n & 1:
            z = z * base // RAY
        n >>= 1
    return Ray(z)


def decay(factor: Ray, rate_per_second: Ray, elapsed: int) -> Ray:
    """The fee factor after ``elapsed`` seconds, rounded down (FeeMath.decay)."""
    if elapsed == 0 or rate_per_second == 0:
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
