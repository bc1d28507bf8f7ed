"""Backtests, the synthetic market and sector mappings (pure, no chain)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ssikit.cli.main import cli
from ssikit.methodology.backtest import NoRebalance, backtest, backtest_all, statistics
from ssikit.methodology.calendar import schedule
from ssikit.methodology.compose import NotEnoughEligible, compose
from ssikit.methodology.data import validate_market_frame
from ssikit.methodology.panel import DataGap, MarketPanel
from ssikit.methodology.sectors import SectorMapError, attach_sectors, load_sector_map
from ssikit.methodology.spec import PRESETS, SECTORS, preset
from ssikit.presets.synthetic import synthetic_market


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    return synthetic_market(start=date(2024, 1, 1), days=200)


def test_statistics__hand_computed():
    days = pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC")
    stats = statistics(pd.Series([10.0, 11.0, 9.9, 12.1], index=days))
    assert stats.total_return == pytest.approx(0.21, abs=1e-12)
    assert stats.annualised_return == pytest.approx(1.21 ** (365 / 3) - 1, rel=1e-12)
    returns = np.log([1.1, 0.9, 12.1 / 9.9])
    assert stats.volatility == pytest.approx(np.std(returns, ddof=1) * np.sqrt(365), rel=1e-12)
    assert stats.max_drawdown == pytest.approx(9.9 / 11 - 1, abs=1e-12)


def test_backtest__initial_composition_then_monthly_rebalances_buffers_continuous_levels(market):
    result = backtest(market, preset("MAG7"), date(2024, 1, 1), date(2024, 7, 15))
    assert [a.announcement_date for a in result.announcements] == [date(2024, 1, 1)] + [
        a for a, _ in schedule(date(2024, 1, 1), date(2024, 7, 15))
    ]
    initial = result.announcements[0]
    assert initial.implementation_date == date(2024, 1, 1)  # levels start where the data does
    assert "composed from 1 day(s) of data" in initial.notes[0]
    assert all(c.action == "keep" for a in result.announcements[1:] for c in a.constituents[:3])
    levels = result.levels
    assert levels[pd.Timestamp("2024-01-12", tz="UTC")] == pytest.approx(10.0)  # the base date
    assert not levels.isna().any()
    assert levels.index[0].date() == result.announcements[0].implementation_date
    assert levels.index[-1].date() == date(2024, 7, 15)
    # Chain-linking: no jump on any implementation day beyond that day's market move.
    for a in result.announcements[1:]:
        day = pd.Timestamp(a.implementation_date, tz="UTC")
        if day in levels.index:
            assert levels[day] == pytest.approx(levels[day - pd.Timedelta(days=1)], rel=0.5)
    assert result.benchmark_id == "bitcoin"
    assert result.benchmark.iloc[0] == pytest.approx(levels.iloc[0])
    assert "data: SYNTHETIC market (generated, not real data)" in result.notes


def test_backtest__level_is_base_value_on_the_base_date(market):
    spec = preset("MAG7")
    assert spec.base_date == date(2024, 1, 12) and spec.base_value == 10
    shifted = spec.model_copy(update={"base_date": date(2024, 3, 15)})
    result = backtest(market, shifted, date(2024, 1, 20), date(2024, 5, 31))
    assert result.levels[pd.Timestamp("2024-03-15", tz="UTC")] == pytest.approx(10.0, abs=1e-12)
    plain = backtest(market, spec, date(2024, 1, 20), date(2024, 5, 31))  # base date not covered
    assert plain.levels.iloc[0] == 10.0
    ratio = result.levels / plain.levels  # the same path, rescaled
    assert np.allclose(ratio, ratio.iloc[0], rtol=1e-12)
    assert result.benchmark.iloc[0] == pytest.approx(result.levels.iloc[0])


def test_backtest__index_waits_for_enough_eligible_assets(market):
    spec = preset("ssiAI").model_copy(update={"min_avg_market_cap": 3.5e9})
    with pytest.raises(NotEnoughEligible):
        compose(market, spec.model_copy(update={"min_avg_market_cap": 1e15}), date(2024, 5, 1))
    with pytest.raises(NoRebalance, match="no rebalance"):
        backtest(market, spec.model_copy(update={"min_avg_market_cap": 1e15}), *_range())


def _range() -> tuple[date, date]:
    return date(2024, 1, 1), date(2024, 7, 15)


def test_backtest_all__every_preset_on_the_synthetic_market(market):
    results = backtest_all(MarketPanel.from_frame(market), list(PRESETS.values()), *_range())
    assert set(results) == set(PRESETS)
    flags = market.groupby("asset_id")[["is_stablecoin", "is_derivative"]].max()
    for result in results.values():
        for a in result.announcements:
            chosen = [c.asset_id for c in a.constituents]
            assert not flags.loc[chosen].to_numpy().any()
            assert sum(c.weight for c in a.constituents) == pytest.approx(1, abs=1e-12)


def test_backtest__sparse_data_is_carried_forward_and_said(market):
    monthly = market[market["date"].dt.day == 1].reset_index(drop=True)
    monthly.attrs["source"] = "synthetic"
    spec = preset("MAG7").model_copy(update={"window_days": 1})
    result = backtest(monthly, spec, date(2024, 1, 15), date(2024, 6, 30))
    assert result.sparse
    assert any(n.startswith("sparse data") for n in result.notes)
    # Between snapshots the level is flat: prices are carried forward.
    june = result.levels[pd.Timestamp("2024-06-02", tz="UTC") :]
    assert june.nunique() == 1


def test_cli_backtest__json_and_plot(tmp_path):
    png = tmp_path / "mag7.png"
    result = CliRunner().invoke(
        cli,
        [
            "index",
            "backtest",
            "--spec",
            "MAG7",
            "--start",
            "2024-01-01",
            "--end",
            "2024-04-30",
            "--plot",
            str(png),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["data"] == "synthetic market (not real data)"
    assert len(data["announcements"]) == 5 and data["benchmark"] == "bitcoin"  # initial + 4
    assert set(data["stats"]) >= {"total_return", "annualised_return", "volatility"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_backtest__unknown_preset_is_a_clear_error():
    result = CliRunner().invoke(
        cli, ["index", "backtest", "--spec", "NOPE", "--start", "2024-01-01", "--end", "2024-03-01"]
    )
    assert result.exit_code == 1 and "unknown preset 'NOPE'" in result.output


# ---------------------------------------------------------------- synthetic market


def test_synthetic_market__deterministic_labelled_and_covers_every_rule():
    a, b = synthetic_market(days=120), synthetic_market(days=120)
    pd.testing.assert_frame_equal(a, b)
    assert not synthetic_market(days=120, seed=1)["price"].equals(a["price"])
    assert a.attrs["source"] == "synthetic"
    real_ids = {"bitcoin", "ethereum", "binancecoin", "solana", "ripple", "cardano", "dogecoin"}
    real_ids |= {"tether", "usd-coin", "wrapped-bitcoin"}
    assert all(i.startswith("synthetic-") for i in set(a["asset_id"]) - real_ids)
    announcement = compose(a, preset("MAG7"), date(2024, 3, 20))
    rules = set(announcement.excluded.values())
    assert {"stablecoin", "derivative", "listing", "liquidity"} <= rules


def test_synthetic_market__every_sector_index_has_five_constituents(market):
    panel = MarketPanel.from_frame(market)
    for sector in SECTORS:
        assert len(compose(panel, preset(f"ssi{sector}"), date(2024, 5, 1)).constituents) == 5


# ---------------------------------------------------------------- sectors


def test_sector_map__curated_covers_twelve_sectors():
    mapping = load_sector_map()
    assert set(mapping.by_id.values()) == set(SECTORS)
    assert mapping.sector_of("bitcoin", "BTC") == "Layer1"
    assert mapping.sector_of("btc-bitcoin", "BTC") == "Layer1"  # CoinMarketCap-style id
    assert mapping.sector_of("uniswap", "UNI") == "DeFi"
    assert mapping.sector_of("unknown-coin", "ZZZ") is None
    assert "TON" not in mapping.by_symbol  # two mapped assets share it: never by ticker


def test_sector_map__files_and_errors(tmp_path):
    csv = tmp_path / "sectors.csv"
    csv.write_text("asset_id,sector\nfoo,AI\nbar,Meme\n")
    frame = validate_market_frame(
        pd.DataFrame(
            {
                "date": ["2024-01-01", "2024-01-01"],
                "asset_id": ["foo", "baz"],
                "symbol": ["FOO", "BAZ"],
                "price": [1.0, 2.0],
                "market_cap": [1e9, 1e9],
                "volume": [1e6, 1e6],
            }
        )
    )
    out = attach_sectors(frame, load_sector_map(csv))
    assert dict(zip(out["asset_id"], out["sector"], strict=True)) == {"foo": "AI", "baz": None}
    bad = tmp_path / "bad.yaml"
    bad.write_text("Metaverse:\n  foo: FOO\n")
    with pytest.raises(SectorMapError, match="unknown sector 'Metaverse'"):
        load_sector_map(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("AI:\n  foo: FOO\nMeme:\n  foo: FOO\n")
    with pytest.raises(SectorMapError, match="two sectors"):
        load_sector_map(twice)


@pytest.mark.shared_data
def test_real_data__no_stablecoin_or_wrapped_token_in_any_index_all_year(shared_data):
    from ssikit.methodology.importers import import_coingecko_2021

    frame = import_coingecko_2021(shared_data / "hathix_coingecko_2021")
    results = backtest_all(frame, list(PRESETS.values()), date(2021, 1, 1), date(2021, 12, 31))
    flags = frame.groupby("asset_id")[["is_stablecoin", "is_derivative"]].max()
    for result in results.values():
        for a in result.announcements:
            assert not flags.loc[[c.asset_id for c in a.constituents]].to_numpy().any()
    assert len(results["MAG7"].announcements) == 13  # the initial composition and 12 months
    assert results["MAG7"].benchmark_id == "bitcoin"


# ---------------------------------------------------------------- data coverage


def test_compose__window_after_the_data_ends__names_the_gap(market):
    # The market ends on 2024-07-18: an announcement for late 2024 would reuse July's data.
    with pytest.raises(DataGap) as caught:
        compose(market, preset("MAG7"), date(2024, 9, 1))
    err = caught.value
    assert err.gaps == ((date(2024, 8, 30), date(2024, 9, 28)),)  # the 30 days to Sept 28
    assert err.last == date(2024, 7, 18) and "--carry-forward" in str(err)


def test_compose__carry_forward__says_so(market):
    announcement = compose(market, preset("MAG7"), date(2024, 9, 1), carry_forward=True)
    assert len(announcement.constituents) == 7
    assert announcement.notes[0].startswith("carried forward: no data for 2024-08-30 to 2024-09-28")


def test_backtest__through_days_without_data__names_the_gap_or_carries_forward(market):
    with pytest.raises(DataGap, match="2024-07-19 to 2024-12-31"):
        backtest(market, preset("MAG7"), date(2024, 1, 1), date(2024, 12, 31))
    result = backtest(
        market, preset("MAG7"), date(2024, 1, 1), date(2024, 12, 31), carry_forward=True
    )
    gap = "carried forward: no data for 2024-07-19 to 2024-12-31"
    assert any(n.startswith(gap) for n in result.notes)
    assert result.to_json()["carried_forward"] is True
    after = result.levels[pd.Timestamp("2024-07-18", tz="UTC") :]
    assert np.allclose(after, after.iloc[0], rtol=1e-12)  # flat: prices carried forward


def test_backtest__interior_gap_is_named(market):
    holed = market[(market["date"] < "2024-03-10") | (market["date"] > "2024-03-14")]
    with pytest.raises(DataGap, match="2024-03-10 to 2024-03-14"):
        backtest(holed, preset("MAG7"), date(2024, 1, 1), date(2024, 5, 31))


def test_backtest__start_before_the_data__refused_even_with_carry_forward(market):
    with pytest.raises(DataGap, match="2023-12-01 to 2023-12-31"):
        backtest(market, preset("MAG7"), date(2023, 12, 1), date(2024, 3, 1), carry_forward=True)


def test_cli_compose__gap_is_a_one_line_error_and_flag_carries_forward():
    args = ["index", "compose", "--spec", "mag7", "--date", "2025-06-01"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "no data for 2025-05-30 to 2025-06-28" in refused.output
    carried = CliRunner().invoke(cli, [*args, "--carry-forward", "--json"])
    assert carried.exit_code == 0, carried.output
    assert json.loads(carried.output)["notes"][0].startswith("carried forward")


def test_cli__dates_are_iso_only():
    result = CliRunner().invoke(cli, ["index", "compose", "--spec", "MAG7", "--date", "01/08/2024"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'01/08/2024' does not match the format '%Y-%m-%d'" in result.output


# ---------------------------------------------------------------- the seed's published figures


def test_published__each_window_on_the_first_data_that_covers_it(market):
    from ssikit.methodology.published import PUBLISHED, PublishedFigure, compare

    assert [(f.index_return, f.btc_return) for f in PUBLISHED] == [(2.522, 0.436), (1.252, 0.314)]
    figure = PublishedFigure(
        label="x", start=date(2024, 1, 1), end=date(2024, 6, 30), index_return=1, btc_return=1
    )
    beyond = figure.model_copy(update={"end": date(2025, 6, 30)})
    short = market[market["date"] < "2024-03-01"]
    rows = compare([("short", short), ("full", market)], [figure, beyond])
    assert rows[0].data == "full"
    expected = backtest(market, preset("MAG7"), figure.start, figure.end)
    assert rows[0].index_return == pytest.approx(expected.stats.total_return, rel=1e-12)
    assert rows[0].btc_return == pytest.approx(expected.benchmark_stats.total_return, rel=1e-12)
    assert rows[1].data is None and rows[1].index_return is None
    assert "full: MAG7 backtest 2024-01-01 to 2025-06-30: no data for 2024-07-19" in rows[1].reason


def test_cli_published__a_window_no_data_covers_is_said(tmp_path):
    from ssikit.methodology.data import save_market_data

    path = tmp_path / "synthetic.parquet"
    save_market_data(synthetic_market(days=60), path)
    result = CliRunner().invoke(cli, ["index", "published", "--data", str(path), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["data"] for r in rows] == [None, None]
    assert rows[0]["figure"]["index_return"] == 2.522
    assert "no data for 2021-01-01" in rows[0]["reason"]
