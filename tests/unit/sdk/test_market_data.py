"""The canonical market table: validation errors name file, row and column; importers of the
real data sets (skipped, with the reason, when ../shared/data is absent)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ssikit.cli.main import cli
from ssikit.methodology.data import (
    MarketDataError,
    load_market_data,
    save_market_data,
    validate_market_frame,
)
from ssikit.methodology.importers import (
    import_coingecko_48,
    import_coingecko_2021,
)


def _frame(**changes):
    base = {
        "date": ["2021-01-01", "2021-01-01", "2021-01-02"],
        "asset_id": ["bitcoin", "ethereum", "bitcoin"],
        "symbol": ["BTC", "ETH", "BTC"],
        "price": [29000.0, 730.0, 32000.0],
        "market_cap": [5.4e11, 0.0, 6.0e11],
        "volume": [4e10, 2e10, 5e10],
    }
    base.update(changes)
    return pd.DataFrame(base)


def test_validate__normalises_and_zero_cap_is_missing():
    out = validate_market_frame(_frame())
    assert str(out["date"].dt.tz) == "UTC"
    assert np.isnan(out.loc[(out["asset_id"] == "ethereum"), "market_cap"].iloc[0])
    assert list(out["asset_id"]) == ["bitcoin", "ethereum", "bitcoin"]


@pytest.mark.parametrize(
    ("changes", "row", "column", "reason"),
    [
        ({"price": [1.0, "abc", 2.0]}, 3, "price", "not a number"),
        ({"volume": [1.0, 2.0, -5.0]}, 4, "volume", "negative"),
        ({"date": ["2021-01-01", "2021-13-45", "2021-01-02"]}, 3, "date", "not an ISO date"),
        ({"date": ["2021-01-01", "01/08/2024", "2021-01-02"]}, 3, "date", "not an ISO date"),
        (
            {"date": ["2021-01-01T00:00:00+02:00", "2021-01-01", "2021-01-02"]},
            2,
            "date",
            "not a UTC date",
        ),
        ({"date": ["2021-01-01T12:00:00Z", "2021-01-01", "2021-01-02"]}, 2, "date", "00:00"),
        ({"date": ["2021-01-01", "2021-01-01", "2021-01-01"]}, 4, "date", "duplicate"),
    ],
)
def test_validate__bad_input__names_file_row_column(changes, row, column, reason):
    with pytest.raises(MarketDataError) as caught:
        validate_market_frame(_frame(**changes), "prices.csv")
    err = caught.value
    assert (err.file, err.row, err.column) == ("prices.csv", row, column)
    assert reason in err.reason and f"row {row}" in str(err)


def test_validate__missing_column():
    with pytest.raises(MarketDataError, match=r"'volume'.*missing"):
        validate_market_frame(_frame().drop(columns=["volume"]), "x.csv")


@pytest.mark.parametrize("name", ["m.csv", "m.csv.gz", "m.parquet"])
def test_save_and_load__round_trip(tmp_path, name):
    frame = validate_market_frame(_frame())
    save_market_data(frame, tmp_path / name)
    back = load_market_data(tmp_path / name)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_load__csv_error_names_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    _frame(price=[1.0, -1.0, 2.0]).to_csv(path, index=False)
    with pytest.raises(MarketDataError, match=r"bad\.csv, row 3, column 'price'"):
        load_market_data(path)
    result = CliRunner().invoke(cli, ["data", "check", str(path)])
    assert result.exit_code == 1 and "row 3" in result.output


# ------------------------------------------------------------------ real data sets
@pytest.mark.shared_data
def test_import_coingecko_2021__whole_year_classified(shared_data):
    frame = import_coingecko_2021(shared_data / "hathix_coingecko_2021")
    assert frame["asset_id"].nunique() >= 2490
    assert frame["date"].min().isoformat().startswith("2021-01-01")
    assert frame["date"].max().isoformat().startswith("2021-12-31")
    assert (frame["date"] == frame["date"].dt.normalize()).all()
    assert not (frame["market_cap"] == 0).any()
    flags = frame.groupby("asset_id")[["is_stablecoin", "is_derivative"]].first()
    assert flags.loc["tether", "is_stablecoin"] and flags.loc["usd-coin", "is_stablecoin"]
    assert flags.loc["wrapped-bitcoin", "is_derivative"] and not flags.loc["bitcoin"].any()


@pytest.mark.shared_data
def test_import_coingecko_48__normalised(shared_data):
    frame = import_coingecko_48(shared_data / "nktcodes_coingecko_48coins")
    assert frame["asset_id"].nunique() == 48
    btc = frame[frame["asset_id"] == "bitcoin"]
    assert btc["symbol"].iloc[0] == "BTC" and btc["date"].min().year == 2015
    assert frame.groupby("asset_id")["is_stablecoin"].first()["tether"]


@pytest.mark.shared_data
def test_import_cmc_monthly__sparse_snapshots(shared_data, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "data",
            "import",
            "--format",
            "cmc-monthly",
            str(shared_data / "smoothbrainquant_cmc_coinbase"),
            "-o",
            str(tmp_path / "cmc.parquet"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["rows"] == 14000
    assert (summary["first_date"], summary["last_date"]) == ("2020-01-01", "2025-10-01")
    frame = load_market_data(tmp_path / "cmc.parquet")
    assert frame["date"].dt.day.eq(1).all()
    assert frame.loc[frame["symbol"] == "USDT", "is_stablecoin"].all()


# ---------------------------------------------------------------- full-history scale (small sizes)


def test_synthetic_universe__complete_sorted_valid_and_deterministic():
    from ssikit.presets.synthetic import synthetic_universe

    frame = synthetic_universe(assets=40, days=30)
    assert len(frame) == 40 * 30 and frame.attrs["source"] == "synthetic"
    assert isinstance(frame["asset_id"].dtype, pd.CategoricalDtype)
    validated = validate_market_frame(frame)
    pd.testing.assert_frame_equal(validated, frame)  # valid and in order as generated
    pd.testing.assert_frame_equal(synthetic_universe(assets=40, days=30), frame)
    stable = frame.loc[frame["is_stablecoin"], "price"]
    assert ((stable - 1).abs() < 0.01).all()


def test_validate__categorical_ids_out_of_order_are_sorted_and_duplicates_named():
    frame = _frame()
    frame["asset_id"] = pd.Categorical(frame["asset_id"], categories=["ethereum", "bitcoin"])
    shuffled = frame.iloc[[2, 1, 0]]
    out = validate_market_frame(shuffled)
    assert list(out["asset_id"].astype(str)) == ["bitcoin", "ethereum", "bitcoin"]
    assert isinstance(out["asset_id"].dtype, pd.CategoricalDtype)
    twice = pd.concat([frame, frame.iloc[[1]]], ignore_index=True)
    with pytest.raises(MarketDataError, match="duplicate row for ethereum") as caught:
        validate_market_frame(twice, "t.parquet")
    assert caught.value.row == 5


def test_panel__categorical_and_text_ids_give_the_same_panel(tmp_path):
    from ssikit.methodology.panel import MarketPanel
    from ssikit.presets.synthetic import synthetic_universe

    frame = synthetic_universe(assets=30, days=20)
    text = frame.astype({"asset_id": str, "symbol": str, "sector": object})
    gappy = text.drop(index=[5, 31, 100]).reset_index(drop=True)  # not complete: scattered
    a, b = MarketPanel.from_frame(frame), MarketPanel.from_frame(text)
    assert list(a.assets) == list(b.assets) and np.array_equal(a.price, b.price)
    pd.testing.assert_frame_equal(a.facts, b.facts)
    c = MarketPanel.from_frame(validate_market_frame(gappy))
    assert np.isnan(c.price[0, 5]) and c.present.sum() == 30 * 20 - 3
    path = tmp_path / "u.parquet"
    save_market_data(frame, path)
    loaded = load_market_data(path)
    assert loaded.attrs["source"] == "synthetic"
    assert isinstance(loaded["asset_id"].dtype, pd.CategoricalDtype)
    assert np.array_equal(MarketPanel.from_frame(loaded).market_cap, a.market_cap, equal_nan=True)
