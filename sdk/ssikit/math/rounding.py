"""Explicit rounding, as OpenZeppelin ``Math.Rounding``."""

from __future__ import annotations

from enum import Enum


class Rounding(Enum):
    FLOOR = "floor"
    CEIL = "ceil"


def mul_div(x: int, y: int, denominator: int, rounding: Rounding) -> int:
    """x × y / denominator in exact integer arithmetic (OpenZeppelin ``Math.mulDiv``)."""
    if denominator == 0:
        raise ZeroDivisionError("mul_div by zero")
    if x < 0 or y < 0 or denominator < 0:
        raise ValueError("mul_div takes unsigned integers")
    q, r = divmod(x * y, denominator)
    if rounding is Rounding.CEIL and r:
        q += 1
    if q >= 2**256:
        raise OverflowError("mul_div result does not fit in uint256")
    return q
