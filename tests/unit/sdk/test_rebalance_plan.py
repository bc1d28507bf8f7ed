"""Rebalance planning (pure): new amounts, value bound, trades, commitment; the math's refusals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from ssikit.builders.rebalance import canonical_json, plan_rebalance, price36
from ssikit.core.assets import KNOWN_ASSETS, MAG7_ASSETS
from ssikit.core.basket import Basket, Component, pack_basket, unpack_basket
from ssikit.core.errors import AssetError, BasketError, RebalanceError
from ssikit.core.units import INDEX_UNIT, PRECISION
from ssikit.math import basket as bm
from ssikit.math.rebalance import assess
from ssikit.presets.indices import REBALANCE_SYMBOLS, REBALANCE_WEIGHTS, fixed_announcement

USD = {
    "BTC": Decimal("43000"),
    "ETH": Decimal("2550"),
    "BNB": Decimal("310"),
    "SOL": Decimal("95"),
    "XRP": Decimal("0.57"),
    "ADA": Decimal("0.52"),
    "DOGE": Decimal("0.08"),
    "DOT": Decimal("7.2"),
    "LTC": Decimal("70"),
}
ASSETS = {a.id: a for a in MAG7_ASSETS}


def _current() -> Basket:
    """$100 per token, MAG7 at its hybrid weights (synthetic prices)."""
    return Basket.of(
        Component(
            asset_id=a.id,
            amount=int(Fraction(w) * 100 / Fraction(USD[a.symbol]) * 10**a.decimals) * PRECISION,
        )
        for a, w in zip(
            MAG7_ASSETS, ("0.29", "0.17", "0.11", "0.11", "0.11", "0.105", "0.105"), strict=True
        )
    )


def _announcement(symbols, weights):
    return fixed_announcement(tuple(symbols), tuple(weights))


NEW, WEIGHTS = REBALANCE_SYMBOLS, REBALANCE_WEIGHTS
UNITS = 1_000 * INDEX_UNIT


def _plan(usd=USD, symbols=NEW, weights=WEIGHTS):
    return plan_rebalance(_announcement(symbols, weights), usd, _current(), UNITS, 3, ASSETS)


def test_plan__value_kept_within_the_stated_bound_and_weights_met():
    plan = _plan()
    prices = dict((bytes.fromhex(a[2:]), p) for a, p in plan.prices)
    old = sum(x * prices[bytes.fromhex(a[2:])] for a, x in plan.old_basket)
    new = sum(x * prices[bytes.fromhex(a[2:])] for a, x in plan.new_basket)
    new_prices = [prices[bytes.fromhex(a[2:])] for a, _ in plan.new_basket]
    assert 0 <= old - new < sum(new_prices)  # the bound stated in builders/rebalance.py
    assert plan.new_value <= plan.old_value and plan.old_value == pytest.approx(100e18, rel=1e-5)
    for (a, x), p in zip(plan.new_basket, new_prices, strict=True):
        symbol = next(s for s in NEW if KNOWN_ASSETS[s].id.hex() == a[2:])
        assert Fraction(x * p, old) == pytest.approx(WEIGHTS[NEW.index(symbol)] / sum(WEIGHTS))
    assert plan.changed == 2 and plan.from_version == 3


def test_plan__trades_are_liability_changes_for_the_supply():
    plan = _plan()
    old, new = dict(plan.old_basket), dict(plan.new_basket)
    by_symbol = {t.symbol: t for t in plan.trades}
    assert by_symbol["DOGE"].side == "sell" and by_symbol["DOT"].side == "buy"
    for trade in plan.trades:
        delta = bm.liability(new.get(trade.asset_id, 0), UNITS) - bm.liability(
            old.get(trade.asset_id, 0), UNITS
        )
        assert trade.quantity == abs(delta)
        assert trade.side == ("buy" if delta > 0 else "sell" if delta < 0 else "hold")
    # Turnover (value, one way) equals half the traded value over the basket's value.
    traded = sum(t.usd for t in plan.trades) / 2
    assert plan.turnover_bps == pytest.approx(
        traded / (plan.old_value / 1e18 * UNITS / 1e18) * 1e4, abs=1
    )


def test_commitment__reproducible_and_bound_to_every_input():
    plan = _plan()
    assert plan.commitment == "0x" + keccak(canonical_json(plan.document)).hex()
    assert _plan().commitment == plan.commitment
    assert _plan(usd={**USD, "BTC": Decimal("43001")}).commitment != plan.commitment
    other = _plan(weights=(0.27, 0.19, 0.11, 0.11, 0.11, 0.105, 0.105))
    assert other.commitment != plan.commitment
    assert plan.activation_time == 1709251200  # 2024-03-01T00:00:00Z


def test_plan__refusals_are_named():
    with pytest.raises(RebalanceError, match="no price for LTC"):
        _plan(usd={k: v for k, v in USD.items() if k != "LTC"})
    with pytest.raises(AssetError, match="no on-chain asset for ZZZ"):
        _plan(symbols=(*NEW[:6], "ZZZ"))
    with pytest.raises(RebalanceError, match="rounds to zero"):
        _plan(usd={**USD, "LTC": Decimal("1e30")})


def test_price36__rounds_down_and_refuses_zero():
    assert price36(Decimal("43000"), 8) == 43_000 * 10**28
    assert price36(Decimal("0.00001"), 18) == 10**13
    assert price36(Fraction(1, 3), 0) == 10**36 // 3
    with pytest.raises(RebalanceError):
        price36(Decimal("1e-40"), 0)


def test_pack_basket__round_trip_and_bad_length():
    pairs = [(a.id, 2**160 - 1 - i) for i, a in enumerate(MAG7_ASSETS)]
    data = pack_basket(pairs)
    assert len(data) == 7 * 52 and unpack_basket(data) == pairs
    with pytest.raises(BasketError, match="multiple of 52"):
        unpack_basket(data[:-1])
    with pytest.raises(ValueError, match="above the largest"):
        Component(asset_id=MAG7_ASSETS[0].id, amount=2**160)


@pytest.mark.parametrize(
    "case, rule",
    [
        ("unsorted", "RebalancePricesInvalid"),
        ("missing", "RebalancePricesInvalid"),
        ("extra", "RebalancePricesInvalid"),
        ("value", "RebalanceValueChanged"),
        ("local", "RebalanceLocalComponentChanged"),
    ],
)
def test_assess__refusals_name_the_contract_error(case, rule):
    a, b, c = (bytes([i]) * 32 for i in (1, 2, 3))
    old, new = [(a, 100), (b, 100)], [(a, 100), (b, 100)]
    prices, local = [(a, 10**36), (b, 10**36)], None
    if case == "unsorted":
        prices = prices[::-1]
    elif case == "missing":
        prices = prices[:1]
    elif case == "extra":
        prices = [*prices, (c, 1)]
    elif case == "value":
        new = [(a, 100), (b, 90)]
    elif case == "local":
        new, prices, local = [(a, 110), (b, 90)], prices, [True, False]
    with pytest.raises(RebalanceError) as err:
        assess(old, new, prices, local)
    assert err.value.rule == rule


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=7, max_size=7),
    moves=st.lists(st.floats(min_value=0.2, max_value=5), min_size=9, max_size=9),
)
def test_plan__bound_holds_for_any_weights_and_prices(weights, moves):
    usd = {
        s: (p * Decimal(str(m))).quantize(Decimal("1e-8"))
        for (s, p), m in zip(USD.items(), moves, strict=True)
    }
    plan = _plan(usd=usd, weights=tuple(w / sum(weights) for w in weights))
    prices = {a: p for a, p in plan.prices}
    old = sum(x * prices[a] for a, x in plan.old_basket)
    new = sum(x * prices[a] for a, x in plan.new_basket)
    assert 0 <= old - new < sum(prices[a] for a, _ in plan.new_basket)


# ---------------------------------------------------------------- feeds, tolerance, bounds
def _bounds(**changes):
    from ssikit.builders.rebalance import RebalanceBounds

    defaults = dict(
        min_delay=2 * 86_400,
        activation_window=3 * 86_400,
        max_changed=3,
        max_turnover_bps=5_000,
        max_component_change_bps=3_500,
        price_band_bps=200,
        value_tolerance=10**12,
    )
    return RebalanceBounds(**{**defaults, **changes})


def test_feed_price__rounds_down_to_the_price_unit():
    from ssikit.math.rebalance import feed_price

    assert feed_price(43_000 * 10**8, 8, 8) == 43_000 * 10**28  # BTC: $43,000, 8-decimal feed
    assert feed_price(2_550 * 10**20 + 99, 20, 18) == 2_550 * 10**18  # floor(answer / 100)


def test_check_band__edge_passes_one_more_refused():
    from ssikit.math.rebalance import check_band

    check_band(b"\x01" * 32, 10_200, 10_000, 200)
    check_band(b"\x01" * 32, 9_800, 10_000, 200)
    with pytest.raises(RebalanceError) as err:
        check_band(b"\x01" * 32, 10_201, 10_000, 200)
    assert err.value.rule == "RebalancePriceOutsideBand"


def test_assess__tolerance_is_absolute_whatever_the_prices():
    """The old relative tolerance grew with declared prices; an absolute one does not."""
    a, b = b"\x01" * 32, b"\x02" * 32
    old, new = [(a, 10**18), (b, 10**18)], [(a, 10**18), (b, 10**18 - 10**6)]
    for scale in (1, 10**6):
        prices = [(a, 10**36 * scale), (b, 10**36 * scale)]
        loss = 10**6 * scale  # {USD × 1e18 per token}
        assess(old, new, prices, tolerance=loss)
        with pytest.raises(RebalanceError, match="value per token"):
            assess(old, new, prices, tolerance=loss - 3)  # below loss - n


def test_preflight__price_off_its_feed__refused_like_the_chain():
    from ssikit.builders.rebalance import preflight

    plan = _plan()
    feeds = {bytes.fromhex(i[2:]): p for i, p in plan.prices}
    assert preflight(plan, _bounds(), feeds).turnover_bps == plan.turnover_bps
    btc = KNOWN_ASSETS["BTC"].id
    with pytest.raises(RebalanceError) as err:
        preflight(plan, _bounds(), {**feeds, btc: feeds[btc] * 103 // 100})
    assert err.value.rule == "RebalancePriceOutsideBand"
    with pytest.raises(RebalanceError) as err:
        preflight(plan, _bounds(), {k: v for k, v in feeds.items() if k != btc})
    assert err.value.rule == "AssetPriceFeedMissing"


@pytest.mark.parametrize(
    "bound, rule",
    [
        ("max_changed", "RebalanceTooManyChanges"),
        ("max_turnover_bps", "RebalanceTurnoverTooHigh"),
        ("max_component_change_bps", "RebalanceComponentChangeTooHigh"),
    ],
)
def test_preflight__each_bound_enforced(bound, rule):
    from ssikit.builders.rebalance import preflight

    plan = _plan()
    feeds = {bytes.fromhex(i[2:]): p for i, p in plan.prices}
    needed = {
        "max_changed": plan.changed,
        "max_turnover_bps": plan.turnover_bps,
        "max_component_change_bps": plan.max_change_bps,
    }[bound]
    preflight(plan, _bounds(**{bound: needed}), feeds)
    with pytest.raises(RebalanceError) as err:
        preflight(plan, _bounds(**{bound: needed - 1}), feeds)
    assert err.value.rule == rule
