"""Solidity libraries (through MathHarness) and the SDK's Python mirror give the same integers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssikit.core.errors import FeeError
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


# Elapsed times whose bit patterns differ most: none set, the lowest, twenty set, one high bit,
# a year's 14 of 25, all forty.
ELAPSED_EXTREMES = [0, 1, 2**20 - 1, 2**20, 365 * 86_400, fees.MAX_EXPONENT]


@pytest.mark.parametrize("rate", [1, 3 * 10**17, 10**19])
def test_decay__gas_does_not_depend_on_elapsed(harness, rate):
    """The decay's own cost (measured inside the harness, calldata excluded) is one figure for
    every elapsed time, so a gas estimate made seconds before a transaction is mined holds."""
    measured = {dt: harness.decayGas(RAY, rate, dt) for dt in ELAPSED_EXTREMES}
    assert {dt: result for dt, (result, _) in measured.items()} == {
        dt: fees.decay(RAY, rate, dt) for dt in ELAPSED_EXTREMES
    }
    assert len({gas for _, gas in measured.values()}) == 1, measured


def test_decay__elapsed_beyond_range__both_refuse(expect_revert, harness):
    too_long = fees.MAX_EXPONENT + 1
    with expect_revert(
        harness.IndexFeeElapsedOutOfRange, elapsed=too_long, maxElapsed=fees.MAX_EXPONENT
    ):
        harness.decay(RAY, 10**18, too_long)
    with pytest.raises(FeeError, match="above the fee decay's range"):
        fees.decay(RAY, 10**18, too_long)
    # the largest supported elapsed time is evaluated by both, to the same integer
    assert harness.rpowDown(RAY - 1, fees.MAX_EXPONENT) == fees.rpow_down(
        RAY - 1, fees.MAX_EXPONENT
    )


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


@SETTINGS
@given(reserves=st.integers(min_value=0, max_value=2**128 - 1), stored=amounts)
def test_max_backing_units__same_integers_and_the_largest_covered(harness, reserves, stored):
    """The oracle's headroom: the most backing units reserves cover, and no unit more."""
    units = harness.maxBackingUnits(reserves, stored)
    assert units == bm.max_backing_units(reserves, stored)
    assert bm.liability(stored, units) <= reserves < bm.liability(stored, units + 1)


@SETTINGS
@given(amount=st.integers(min_value=0, max_value=2**128), fee_bps=st.integers(0, 10_000))
def test_issuance_fee__same_integers_rounded_up(harness, amount, fee_bps):
    fee = harness.issuanceFee(amount, fee_bps)
    assert fee == fees.issuance_fee(amount, fee_bps)
    assert fee * 10_000 >= amount * fee_bps > (fee - 1) * 10_000


# ---------------------------------------------------------------- rebalance
ids = st.lists(st.binary(min_size=32, max_size=32), min_size=2, max_size=10, unique=True)


@st.composite
def rebalances(draw):
    """An old and a new basket over overlapping assets, prices for their union, and a new
    basket scaled to be worth the old (sometimes off by a little or a lot)."""
    universe = sorted(draw(ids))
    old_ids = sorted(draw(st.lists(st.sampled_from(universe), min_size=1, unique=True)))
    new_ids = sorted(draw(st.lists(st.sampled_from(universe), min_size=1, unique=True)))
    union = sorted(set(old_ids) | set(new_ids))
    prices = [(i, draw(st.integers(min_value=1, max_value=10**33))) for i in union]
    price = dict(prices)
    old = [(i, draw(st.integers(min_value=1, max_value=2**160 - 1))) for i in old_ids]
    value = sum(a * price[i] for i, a in old)
    weights = [draw(st.integers(min_value=1, max_value=100)) for _ in new_ids]
    skew = draw(st.sampled_from([0, 0, 1, 10**-6, -(10**-12)]))
    new = []
    for i, w in zip(new_ids, weights, strict=True):
        amount = int(value * w * (1 + skew) // (sum(weights) * price[i]))
        new.append((i, min(max(amount, 1), 2**160 - 1)))
    local = [draw(st.booleans()) and draw(st.booleans()) for _ in union]
    # Feed prices around the declared ones: equal, on the band's edge, or well off it.
    band = draw(st.sampled_from([1, 50, 200, 1_000]))
    feeds = []
    for _, p in prices:
        off = draw(st.sampled_from([0, 0, 0, band, -band, band + 1, 5_000]))
        feeds.append(max(p + p * off // 10_000, 1))
    tolerance = draw(st.sampled_from([0, 10**12, 2**64 - 1]))
    return old, new, prices, local, feeds, band, tolerance


@pytest.fixture(scope="module")
def error_selectors(project):
    """IndexToken error name -> 4-byte selector (hex), for reverts the harness cannot name."""
    from eth_utils import keccak

    errors = project.IndexToken.contract_type.errors
    return {e.name: keccak(text=e.selector)[:4].hex() for e in errors}


@SETTINGS
@given(case=rebalances())
def test_rebalance_assess__same_integers_or_same_error(harness, error_selectors, case):
    from ssikit.core.errors import RebalanceError
    from ssikit.math.rebalance import assess

    old, new, prices, local, feeds, band, tolerance = case
    try:
        expected = assess(old, new, prices, local, feeds, band, tolerance)
    except RebalanceError as err:
        with pytest.raises(Exception, match=error_selectors[err.rule]):
            harness.rebalanceAssess(old, new, prices, feeds, local, band, tolerance)
        return
    got = harness.rebalanceAssess(old, new, prices, feeds, local, band, tolerance)
    assert tuple(got) == (
        expected.old_value,
        expected.new_value,
        expected.turnover_bps,
        expected.changed,
        expected.max_change_bps,
        expected.max_change_asset,
    )


@SETTINGS
@given(
    answer=st.integers(min_value=1, max_value=2**200),
    feed_decimals=st.integers(min_value=0, max_value=36),
    asset_decimals=st.integers(min_value=0, max_value=36),
)
def test_feed_price__same_integers(harness, answer, feed_decimals, asset_decimals):
    from ssikit.math.rebalance import feed_price

    try:
        expected = feed_price(answer, feed_decimals, asset_decimals)
    except OverflowError:
        with pytest.raises(Exception):  # noqa: B017 - the library's overflow revert
            harness.feedPrice(answer, feed_decimals, asset_decimals)
        return
    assert harness.feedPrice(answer, feed_decimals, asset_decimals) == expected
