"""Constituent weights (seed methodology §3.2; MAG7.ssi's hybrid rule)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K")


def market_cap_weights(caps: Mapping[K, Fraction]) -> dict[K, Fraction]:
    """w_i = cap_i / Σ cap (exact fractions)."""
    total = sum(caps.values(), Fraction(0))
    if total <= 0 or any(c <= 0 for c in caps.values()):
        raise ValueError("market caps must be positive")
    return {k: Fraction(c) / total for k, c in caps.items()}


def hybrid_weights(
    caps: Mapping[K, Fraction],
    floor: Fraction = Fraction(1, 10),
    cap_share: Fraction = Fraction(3, 10),
) -> dict[K, Fraction]:
    """MAG7.ssi: w_i = floor + cap_share × cap_i / Σ cap; needs floor × n + cap_share = 1."""
    n = len(caps)
    if floor * n + cap_share != 1:
        raise ValueError(f"floor {floor} × {n} + cap_share {cap_share} must equal 1")
    return {k: floor + cap_share * w for k, w in market_cap_weights(caps).items()}


def capped_weights(caps: Mapping[K, Fraction], cap: Fraction) -> dict[K, Fraction]:
    """Market-cap weights with no weight above ``cap``: the excess of capped assets is
    redistributed to the others in proportion to their caps, repeatedly, until none exceeds it.
    Needs cap × n >= 1. Keeps the order of the weights (a larger cap never weighs less)."""
    n = len(caps)
    if cap * n < 1:
        raise ValueError(f"a cap of {cap} cannot hold {n} constituents")
    weights = market_cap_weights(caps)
    fixed: set[K] = set()
    while True:
        over = {k for k, w in weights.items() if w > cap and k not in fixed}
        if not over:
            return weights
        fixed |= over
        free = {k: caps[k] for k in weights if k not in fixed}
        left = 1 - cap * len(fixed)
        total_free = sum(free.values(), Fraction(0))
        weights = {k: cap for k in fixed}
        weights.update({k: Fraction(c) / total_free * left for k, c in free.items()})
