"""The WLP bot's decision (pure): both sides of the band, sizes to the band's edge, costs that
make a trade unprofitable, limits; and the Uniswap V2 arithmetic it relies on."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssikit.bots.arbitrage import Costs, Limits, band, decide, spot
from ssikit.core.units import INDEX_UNIT
from ssikit.math.amm import get_amount_in, get_amount_out

USDC = 10**6
NAV = Fraction(100 * USDC)  # $100 per token
COSTS = Costs(mint_fee_bps=10, redeem_fee_bps=20, gas_usd=2 * USDC, threshold_bps=10)
LIMITS = Limits(max_index=1_000 * INDEX_UNIT, max_usd=10**6 * USDC)


def _pool(price_usd: float, depth_tokens: int = 10_000) -> tuple[int, int]:
    """Reserves (index wei, USDC units) of a pool at ``price_usd`` with ``depth_tokens`` tokens."""
    return depth_tokens * INDEX_UNIT, int(depth_tokens * price_usd * USDC)


def test_uniswap_math__matches_the_library_formula():
    # 1 token into a 10,000 / 1,000,000 pool: 997 * 1e6 * 1e18 ... by hand.
    out = get_amount_out(INDEX_UNIT, 10_000 * INDEX_UNIT, 10**6 * USDC)
    assert out == (997 * INDEX_UNIT * 10**12) // (10_000 * INDEX_UNIT * 1000 + 997 * INDEX_UNIT)
    paid = get_amount_in(out, 10**6 * USDC, 10_000 * INDEX_UNIT)
    assert paid == (10**6 * USDC * out * 1000) // ((10_000 * INDEX_UNIT - out) * 997) + 1
    with pytest.raises(ValueError):
        get_amount_in(10_000 * INDEX_UNIT, 1, 10_000 * INDEX_UNIT)


def test_within_band__holds():
    decision = decide(NAV, *_pool(100.2), COSTS, LIMITS)
    assert decision.action == "hold" and "within the band" in decision.reasons[0]


def test_premium__mints_and_sells_down_to_the_band_edge():
    reserve_index, reserve_usd = _pool(105)
    decision = decide(NAV, reserve_index, reserve_usd, COSTS, LIMITS)
    _, upper = band(NAV, COSTS)
    assert decision.action == "mint_and_sell" and decision.expected_profit > 0
    assert decision.price_after >= upper  # never past the edge...
    one_more = decision.amount_index + INDEX_UNIT // 1000
    out = get_amount_out(one_more, reserve_index, reserve_usd)
    assert spot(reserve_index + one_more, reserve_usd - out) < upper  # ...but up to it
    assert decision.amount_usd == get_amount_out(decision.amount_index, reserve_index, reserve_usd)


def test_discount__buys_and_redeems_up_to_the_band_edge():
    reserve_index, reserve_usd = _pool(95)
    decision = decide(NAV, reserve_index, reserve_usd, COSTS, LIMITS)
    lower, _ = band(NAV, COSTS)
    assert decision.action == "buy_and_redeem" and decision.expected_profit > 0
    assert decision.price_after <= lower
    assert decision.amount_usd == get_amount_in(decision.amount_index, reserve_usd, reserve_index)


def test_fees_that_eat_the_gap__no_trade():
    expensive = Costs(mint_fee_bps=300, redeem_fee_bps=300, gas_usd=2 * USDC)
    assert decide(NAV, *_pool(102.5), expensive, LIMITS).action == "hold"  # inside a wide band
    costly_gas = Costs(mint_fee_bps=10, redeem_fee_bps=20, gas_usd=10**6 * USDC)
    decision = decide(NAV, *_pool(101), costly_gas, LIMITS)
    assert decision.action == "hold" and "unprofitable" in decision.reasons[0]


def test_limits__cap_the_size():
    small = Limits(max_index=5 * INDEX_UNIT, max_usd=10**9 * USDC)
    assert decide(NAV, *_pool(110), COSTS, small).amount_index == 5 * INDEX_UNIT
    tight_usd = Limits(max_index=10**6 * INDEX_UNIT, max_usd=1_000 * USDC)
    decision = decide(NAV, *_pool(90), COSTS, tight_usd)
    assert decision.action == "buy_and_redeem" and decision.amount_usd <= 1_000 * USDC


@settings(max_examples=80, deadline=None)
@given(
    price=st.floats(min_value=50, max_value=200),
    depth=st.integers(min_value=100, max_value=100_000),
)
def test_decision__never_crosses_the_band_and_only_trades_for_profit(price, depth):
    reserve_index, reserve_usd = _pool(price, depth)
    decision = decide(NAV, reserve_index, reserve_usd, COSTS, LIMITS)
    lower, upper = band(NAV, COSTS)
    if decision.action == "mint_and_sell":
        assert decision.price_after >= upper and decision.expected_profit > 0
    elif decision.action == "buy_and_redeem":
        assert decision.price_after <= lower and decision.expected_profit > 0
    assert decision.amount_index <= LIMITS.max_index
