"""``core.units.whole_units``: base units shown as whole units, exactly."""

from __future__ import annotations

from decimal import Context, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssikit.core.units import whole_units


@pytest.mark.parametrize(
    ("amount", "decimals", "shown"),
    [
        (2_500_000_000_000_000_000, 18, "2.5"),
        (1, 18, "0.000000000000000001"),
        (0, 8, "0"),
        (100_000_000, 8, "1"),
        (123, 0, "123"),
        (-150, 2, "-1.5"),
    ],
)
def test_whole_units__examples(amount, decimals, shown):
    assert whole_units(amount, decimals) == shown


@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(0, 24))
def test_whole_units__round_trips_exactly(amount, decimals):
    exact = Context(prec=100)  # the default 28 digits would round the check itself
    assert Decimal(whole_units(amount, decimals)).scaleb(decimals, context=exact) == amount


def test_whole_units__negative_decimals_refused():
    with pytest.raises(ValueError, match="decimals"):
        whole_units(1, -1)
