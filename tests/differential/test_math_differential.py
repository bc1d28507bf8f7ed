"""Solidity libraries (through MathHarness) and the SDK's Python mirror give the same integers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssikit.core.units import RAY
from ssikit.math import basket as bm
from ssikit.math import fees
from ssikit.math.rounding import Rounding

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

rates = st.integers(min_value=0, max_value=10**19)  # up to the factory's ceiling
elapsed = st.integers(min_value=0, max_value=2**40 - 1)
factors = st.integers(min_value=1, max_value=RAY)
amounts = st.integers(min_value=1, max_value=10**60)  # 36-decimal assets, large baskets
index_amounts = st.integers(min_value=0, max_value=10**30)
rounding = st.sampled_from([Rounding.FLOOR, Rounding.CEIL])


@pytest.fixture(scope="module")
def harness(project, deployer):
    return project.MathHarness.deploy(sender=deployer)


@SETTINGS
@given(x=st.integers(min_value=0, max_value=RAY), n=st.integers(min_value=0, max_value=2**40 - 1))
def test_rpow_down__same_integers(harness, x, n):
    assert harness.rpowDown(x, n) == fees.rpow_down(x, n)


@SETTINGS
@given(factor=factors, rate=rates, dt=elapsed)
def test_decay__same_integers(harness, factor, rate, dt):
    assert harness.decay(factor, rate, dt) == fees.decay(factor, rate, dt)


@SETTINGS
@given(stored=amounts, factor=factors, r=rounding)
def test_amount_per_token__same_integers(harness, stored, factor, r):
    assert harness.amountPerToken(stored, factor, r is Rounding.CEIL) == bm.amount_per_token(
        stored, factor, r
    )


@SETTINGS
@given(per_token=amounts, index_amount=index_amounts, r=rounding)
def test_quantity__same_integers(harness, per_token, index_amount, r):
    assert harness.quantity(per_token, index_amount, r is Rounding.CEIL) == bm.quantity(
        per_token, index_amount, r
    )


@SETTINGS
@given(index_amount=index_amounts, factor=factors, r=rounding)
def test_backing__same_integers(harness, index_amount, factor, r):
    assert harness.backing(index_amount, factor, r is Rounding.CEIL) == bm.backing(
        index_amount, factor, r
    )


@SETTINGS
@given(stored=amounts, units=index_amounts)
def test_liability__same_integers(harness, stored, units):
    assert harness.liability(stored, units) == bm.liability(stored, units)


@SETTINGS
@given(units=index_amounts, supply=index_amounts, factor=factors)
def test_fee_share__same_integers(harness, units, supply, factor):
    assert harness.feeShare(units, supply, factor) == bm.fee_share(units, supply, factor)


@SETTINGS
@given(stored=amounts, factor=factors, index_amount=index_amounts)
def test_deposit_and_payout__same_integers(harness, stored, factor, index_amount):
    assert harness.depositFor(stored, factor, index_amount) == bm.deposit_for(
        stored, factor, index_amount
    )
    assert harness.payoutFor(stored, factor, index_amount) == bm.payout_for(
        stored, factor, index_amount
    )
