"""Fee math in the SDK: exactness against rationals, precision bounds, and rate conversion."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssikit.core.errors import FeeError
from ssikit.core.units import RAY, SECONDS_PER_YEAR
from ssikit.math import basket as bm
from ssikit.math.fees import MAX_EXPONENT, annual_rate, decay, per_second_rate, rpow_down
from ssikit.math.rounding import Rounding

rates = st.integers(min_value=0, max_value=10**19)


@given(x=st.integers(min_value=0, max_value=RAY), n=st.integers(min_value=0, max_value=64))
def test_rpow_down__never_above_exact_power(x, n):
    exact = Fraction(x, RAY) ** n
    got = Fraction(rpow_down(x, n), RAY)
    assert got <= exact
    # each of at most 2·log2(n)+1 roundings loses under 1e-27
    assert exact - got <= Fraction(2 * max(n, 1).bit_length() + 1, RAY)


def _square_and_multiply(x: int, n: int) -> int:
    """The textbook loop that skips zero bits (FeeMath before its cost was made constant)."""
    z = x if n & 1 else RAY
    n >>= 1
    while n:
        x = x * x // RAY
        if n & 1:
            z = z * x // RAY
        n >>= 1
    return z


@given(
    x=st.integers(min_value=0, max_value=RAY), n=st.integers(min_value=0, max_value=MAX_EXPONENT)
)
def test_rpow_down__fixed_width__same_integers_as_skipping_zero_bits(x, n):
    """Multiplying by exactly 1.0 on a zero bit changes nothing: the rounding stays as it was."""
    assert rpow_down(x, n) == _square_and_multiply(x, n)


@pytest.mark.parametrize("n", [MAX_EXPONENT + 1, 2**64])
def test_rpow_down__beyond_forty_bits__raises(n):
    with pytest.raises(FeeError, match="above the fee decay's range"):
        rpow_down(RAY - 1, n)


@given(rate=rates, dt=st.integers(min_value=0, max_value=10 * SECONDS_PER_YEAR))
def test_decay__relative_error_below_1e_minus_12_per_step(rate, dt):
    got = Fraction(decay(RAY, rate, dt), RAY)
    exact = (1 - Fraction(rate, RAY)) ** dt if dt < 4096 else None
    if exact is None:  # exact power too costly: compare with high-precision decimal
        exact = Fraction(Decimal(1 - Decimal(rate) / Decimal(RAY)) ** dt)
    assert got <= exact + Fraction(1, 10**20)
    assert abs(got - exact) <= exact * Fraction(1, 10**12) + Fraction(1, 10**24)


@given(
    stored=st.integers(min_value=1, max_value=10**40),
    rate=rates,
    dt=st.integers(0, SECONDS_PER_YEAR),
)
def test_fee_step__component_loses_at_most_1e_minus_12(stored, rate, dt):
    """A fee step never loses more than 1e-12 of a component (here: at most 1e-18 base units
    per token plus the factor's 1e-27 relative error)."""
    factor = decay(RAY, rate, dt)
    got = bm.amount_per_token(stored, factor, Rounding.FLOOR)
    exact = Fraction(stored) * Fraction(factor, RAY)
    assert got <= exact
    assert exact - got < max(exact * Fraction(1, 10**12), Fraction(1))


def test_per_second_rate__one_percent_a_year_round_trip():
    rate = per_second_rate("0.01")
    assert abs(annual_rate(rate) - Decimal("0.01")) < Decimal("1e-15")
    assert annual_rate(rate) <= Decimal("0.01")  # rounded down: never charges more


@pytest.mark.parametrize("annual", ["-0.01", "1", "0.5"])
def test_per_second_rate__out_of_range__raises(annual):
    with pytest.raises(FeeError):
        per_second_rate(annual)


def test_per_second_rate__zero():
    assert per_second_rate(0) == 0


def test_fee_share__holders_backing_conserved():
    units, supply = 10**21, 10**21  # 1000 tokens minted at factor RAY
    factor = decay(RAY, per_second_rate("0.02"), SECONDS_PER_YEAR)
    share = bm.fee_share(units, supply, factor)
    assert Fraction(share, supply) == pytest.approx(Fraction(RAY, factor) - 1, rel=1e-12)
    assert bm.backing(supply + share, factor, Rounding.CEIL) <= units + 1
