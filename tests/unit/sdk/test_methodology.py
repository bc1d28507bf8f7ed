"""The seed methodology: calendar, weights, buffers, eligibility, composition (pure)."""

from __future__ import annotations

import itertools
import json
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from ssikit.cli.main import cli
from ssikit.methodology.calendar import (
    announcement_date,
    implementation_date,
    next_announcement,
    schedule,
)
from ssikit.methodology.compose import apply_buffer, compose
from ssikit.methodology.data import save_market_data, validate_market_frame
from ssikit.methodology.spec import PRESETS, IndexSpec, UnknownPreset, Weighting, preset
from ssikit.methodology.weights import capped_weights, hybrid_weights

caps_strategy = st.lists(st.integers(min_value=1, max_value=10**13), min_size=3, max_size=12)


def test_calendar__third_to_last_day_and_first_of_next_month():
    assert announcement_date(2021, 11) == date(2021, 11, 28)
    assert announcement_date(2024, 2) == date(2024, 2, 27)  # leap year
    assert implementation_date(2021, 12) == date(2022, 1, 1)
    assert next_announcement(date(2021, 11, 29)) == date(2021, 12, 29)
    assert len(schedule(date(2021, 1, 1), date(2021, 12, 31))) == 12


@given(caps_strategy, st.sampled_from([Fraction(3, 10), Fraction(1, 5), Fraction(1, 2)]))
def test_capped_weights__sum_one_never_above_cap_order_kept(caps, cap):
    if cap * len(caps) < 1:
        with pytest.raises(ValueError, match="cannot hold"):
            capped_weights({i: Fraction(c) for i, c in enumerate(caps)}, cap)
        return
    weights = capped_weights({i: Fraction(c) for i, c in enumerate(caps)}, cap)
    assert sum(weights.values()) == 1
    assert all(w <= cap for w in weights.values())
    order = sorted(range(len(caps)), key=lambda i: caps[i])
    assert all(weights[a] <= weights[b] for a, b in itertools.pairwise(order))


@given(st.lists(st.integers(min_value=1, max_value=10**13), min_size=7, max_size=7))
def test_hybrid_weights__mag7_each_at_least_ten_percent(caps):
    weights = hybrid_weights({i: Fraction(c) for i, c in enumerate(caps)})
    assert sum(weights.values()) == 1 and min(weights.values()) >= Fraction(1, 10)


@given(
    st.permutations(list(range(20))),
    st.sets(st.integers(0, 19), max_size=10),
    st.sampled_from([5, 7, 10]),
)
def test_buffer__keeps_incumbents_within_n_plus_2_and_returns_n(order, incumbents, n):
    ranked = [f"a{i}" for i in order]
    previous = [f"a{i}" for i in sorted(incumbents)][:n]
    chosen, reasons = apply_buffer(ranked, previous, n)
    assert len(chosen) == n and set(reasons) == set(chosen)
    position = {a: i + 1 for i, a in enumerate(ranked)}
    protected = [a for a in previous if position[a] <= n + 2]
    newcomers = [a for a in ranked if a not in previous and position[a] <= n - 2]
    if len(protected) + len(newcomers) <= n:
        assert set(protected) <= set(chosen)
        assert set(newcomers) <= set(chosen)


def test_buffer__seed_rules_for_ten():
    ranked = [f"r{i}" for i in range(1, 21)]
    previous = [f"r{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 12, 13)]  # r12 stays (<=12), r13 leaves
    chosen, _ = apply_buffer(ranked, previous, 10)
    assert "r12" in chosen and "r13" not in chosen
    assert chosen == [f"r{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 12)]


def _market(days=120):
    """A small SYNTHETIC market: 8 coins, a stablecoin, a wrapped coin, a tiny and a new coin."""
    rows = []
    start = pd.Timestamp("2021-08-01", tz="UTC")
    coins = {
        "big": (100.0, 9e11, 5e10),
        "mid": (10.0, 2e11, 2e10),
        "c3": (5.0, 1e11, 1e10),
        "c4": (4.0, 8e10, 9e9),
        "c5": (3.0, 7e10, 8e9),
        "c6": (2.0, 6e10, 7e9),
        "c7": (1.5, 5e10, 6e9),
        "c8": (1.2, 4e10, 5e9),
        "usdx": (1.0, 5e10, 3e10),
        "wbig": (100.0, 1e10, 1e9),
        "tiny": (0.1, 5e7, 4e9),
        "fresh": (2.0, 3e11, 3e10),
        "thin1": (1.0, 2e9, 1e5),
        "thin2": (1.0, 2e9, 1e5),
        "thin3": (1.0, 2e9, 1e5),
        "thin4": (1.0, 2e9, 1e5),
        "thin5": (1.0, 2e9, 1e5),
    }
    for d in range(days):
        day = start + pd.Timedelta(days=d)
        for coin, (price, cap, volume) in coins.items():
            if coin == "fresh" and d < days - 40:
                continue
            drift = 0.0 if coin == "usdx" else 0.001 * d  # usdx holds its peg to 1 USD
            rows.append((day, coin, coin.upper(), price * (1 + drift), cap, volume))
    frame = pd.DataFrame(
        rows, columns=["date", "asset_id", "symbol", "price", "market_cap", "volume"]
    )
    frame["is_stablecoin"] = False
    frame["is_derivative"] = frame["asset_id"] == "wbig"
    return validate_market_frame(frame)


def test_compose__rules_report_why_each_asset_is_out():
    announcement = compose(_market(), preset("MAG7"), date(2021, 11, 20))
    assert announcement.announcement_date == date(2021, 11, 28)
    assert [c.asset_id for c in announcement.constituents] == [
        "big",
        "mid",
        "c3",
        "c4",
        "c5",
        "c6",
        "c7",
    ]
    assert announcement.excluded["usdx"] == "stablecoin"  # caught by the peg detector
    assert announcement.excluded["wbig"] == "derivative"
    assert announcement.excluded["fresh"] == "listing"
    assert announcement.excluded["tiny"] == "market_cap"
    assert announcement.excluded["thin1"] == "liquidity"
    assert "listing" in announcement.unverified_rules
    assert abs(sum(c.weight for c in announcement.constituents) - 1) < 1e-12


def test_compose__deterministic_and_buffer_from_previous(tmp_path):
    market = _market()
    first = compose(market, preset("MAG7"), date(2021, 11, 20))
    again = compose(market, preset("MAG7"), date(2021, 11, 20))
    assert first == again
    previous = [c.asset_id for c in first.constituents[:6]] + ["c8"]  # c8 ranked 8 <= 9: stays
    second = compose(market, preset("MAG7"), date(2021, 11, 20), previous)
    assert "c8" in {c.asset_id for c in second.constituents}
    assert {r.asset_id for r in second.removed} == set()


def test_cli_compose__json(tmp_path):
    path = tmp_path / "market.parquet"
    save_market_data(_market(), path)
    result = CliRunner().invoke(
        cli,
        [
            "index",
            "compose",
            "--spec",
            "MAG7",
            "--data",
            str(path),
            "--date",
            "2021-11-20",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["implementation_date"] == "2021-12-01" and len(data["constituents"]) == 7


def test_presets__twelve_sectors_and_mag7_defi_meme():
    assert len([p for p in PRESETS.values() if p.ticker.startswith("ssi")]) == 12
    assert {"MAG7", "DEFI", "MEME"} <= set(PRESETS)
    with pytest.raises(ValueError, match="hybrid"):
        IndexSpec(name="x", ticker="x", weighting=Weighting.HYBRID)


@pytest.mark.shared_data
def test_real_data__mag7_top_on_2021_11_28_and_no_stablecoins(shared_data):
    from ssikit.methodology.importers import import_coingecko_2021

    frame = import_coingecko_2021(shared_data / "hathix_coingecko_2021")
    announcement = compose(frame, preset("MAG7"), date(2021, 11, 28))
    symbols = [c.symbol for c in announcement.constituents]
    assert {"BTC", "ETH", "BNB", "SOL", "ADA", "XRP"} <= set(symbols)
    flags = frame.groupby("asset_id")[["is_stablecoin", "is_derivative"]].max()
    chosen = [c.asset_id for c in announcement.constituents]
    assert not flags.loc[chosen].to_numpy().any()
    assert np.isclose(sum(c.weight for c in announcement.constituents), 1)


def _prices(table):
    rows = []
    for day, prices in table.items():
        for asset, price in prices.items():
            rows.append((f"2024-01-{day:02d}", asset, asset.upper(), price, 1e9, 1e8))
    return validate_market_frame(
        pd.DataFrame(rows, columns=["date", "asset_id", "symbol", "price", "market_cap", "volume"])
    )


def test_levels__three_assets_two_periods_hand_computed():
    from ssikit.methodology.levels import index_levels

    frame = _prices(
        {
            12: {"a": 10.0, "b": 20.0, "c": 5.0},
            13: {"a": 11.0, "b": 18.0, "c": 5.0},
            14: {"a": 12.0, "b": 18.0, "c": 6.0},
            15: {"a": 12.0, "b": 24.0, "c": 3.0},
        }
    )
    first = {"a": 0.5, "b": 0.3, "c": 0.2}
    second = {"a": 0.2, "b": 0.2, "c": 0.6}
    levels = index_levels(
        frame, [(date(2024, 1, 12), first), (date(2024, 1, 14), second)], date(2024, 1, 15)
    )
    l13 = 10 * (0.5 * 11 / 10 + 0.3 * 18 / 20 + 0.2 * 5 / 5)  # 10.2
    l14 = 10 * (0.5 * 12 / 10 + 0.3 * 18 / 20 + 0.2 * 6 / 5)  # 10.8, then chain-linked
    l15 = l14 * (0.2 * 12 / 12 + 0.2 * 24 / 18 + 0.6 * 3 / 6)
    expected = [10.0, l13, l14, l15]
    assert np.allclose(levels.to_numpy(), expected, rtol=0, atol=1e-12)


@given(st.lists(st.floats(min_value=0.5, max_value=2.0), min_size=6, max_size=6))
def test_levels__continuous_at_every_rebalance(moves):
    from ssikit.methodology.levels import index_levels

    table = {}
    price = {"a": 1.0, "b": 1.0}
    for day, move in enumerate(moves, start=10):
        price = {"a": price["a"] * move, "b": price["b"] / move}
        table[day] = dict(price)
    frame = _prices(table)
    rebalances = [
        (date(2024, 1, 10), {"a": 0.7, "b": 0.3}),
        (date(2024, 1, 13), {"a": 0.1, "b": 0.9}),
    ]
    levels = index_levels(frame, rebalances, date(2024, 1, 15))
    # On the rebalance day the old basket's level is the new basket's starting level.
    old_on_13 = 10 * (0.7 * table[13]["a"] / table[10]["a"] + 0.3 * table[13]["b"] / table[10]["b"])
    assert levels[pd.Timestamp("2024-01-13", tz="UTC")] == pytest.approx(old_on_13, rel=1e-12)
    new_on_14 = old_on_13 * (
        0.1 * table[14]["a"] / table[13]["a"] + 0.9 * table[14]["b"] / table[13]["b"]
    )
    assert levels[pd.Timestamp("2024-01-14", tz="UTC")] == pytest.approx(new_on_14, rel=1e-12)


def test_price_matrix__sparse_data_uses_latest_observation():
    from ssikit.methodology.levels import price_matrix

    frame = _prices({1: {"a": 1.0}, 5: {"a": 2.0}})
    days = pd.date_range("2024-01-01", "2024-01-06", freq="D", tz="UTC")
    assert list(price_matrix(frame, ["a"], days)["a"]) == [1.0, 1.0, 1.0, 1.0, 2.0, 2.0]


def test_presets__products_have_their_own_rules_sectors_the_5_or_10_rule():
    mag7, defi, meme = preset("MAG7"), preset("DEFI"), preset("MEME")
    assert mag7.constituents == 7 and mag7.weighting is Weighting.HYBRID
    assert (mag7.hybrid_floor, mag7.hybrid_share) == (0.10, 0.30)
    assert defi.constituents == 10 and defi.sector == "DeFi"
    assert meme.constituents == 10 and meme.sector == "Meme" and meme.min_avg_market_cap == 800e6
    layer1 = preset("ssiLayer1")
    assert layer1.constituents is None
    assert (layer1.count_for(15), layer1.count_for(16)) == (5, 10)


@pytest.mark.parametrize("name", ["mag7", "Mag7", " MAG7 ", "ssilayer1", "SSIDEFI", "meme"])
def test_preset__names_match_case_insensitively(name):
    assert preset(name).ticker.casefold() == name.strip().casefold()


def test_preset__unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownPreset) as caught:
        preset("MAG8")
    assert "unknown preset 'MAG8'; known: ssiLayer1" in str(caught.value)
    assert "MAG7, DEFI, MEME" in str(caught.value)


def test_compose__product_with_fewer_eligible_than_it_holds__says_so():
    meme_like = preset("MEME").model_copy(update={"sector": None, "min_avg_market_cap": 6.5e10})
    announcement = compose(_market(), meme_like, date(2021, 11, 20))
    assert len(announcement.constituents) == 5  # big, mid, c3, c4, c5 are above $65B
    assert "5 eligible, so 5 constituents of the 10 its rules ask for" in announcement.notes[0]
