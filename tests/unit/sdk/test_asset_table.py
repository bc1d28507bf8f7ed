"""The table of known assets is package data (ssikit/core/known_assets.json), loaded and checked
by ssikit.core.assets; a malformed table is refused with the field named."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ssikit.core.assets import (
    KNOWN_ASSETS,
    MAG7_ASSETS,
    OTHER_ASSETS,
    asset_id,
    load_asset_table,
)
from ssikit.core.errors import AssetError

ROOT = Path(__file__).resolve().parents[3]
TABLE = ROOT / "sdk/ssikit/core/known_assets.json"


def test_known_assets__loaded_from_the_data_file():
    data = json.loads(TABLE.read_text())
    assert [a.symbol for a in MAG7_ASSETS] == [r["symbol"] for r in data["mag7"]]
    assert [a.symbol for a in OTHER_ASSETS] == [r["symbol"] for r in data["other"]]
    assert [a.symbol for a in MAG7_ASSETS] == ["BTC", "ETH", "BNB", "SOL", "XRP", "ADA", "DOGE"]
    assert KNOWN_ASSETS["BTC"].decimals == 8 and KNOWN_ASSETS["BTC"].chain == "bitcoin"
    assert KNOWN_ASSETS["ETH"].id == asset_id("eip155:1", "native")


def test_known_assets__shipped_as_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "core/*.json" in pyproject["tool"]["setuptools"]["package-data"]["ssikit"]


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"mag7": [{"chain": "bitcoin", "identity": "native", "symbol": "BTC"}]}, "decimals"),
        ({"mag7": []}, "mag7"),
        ({"mag7": [{"chain": "x", "identity": "y", "symbol": "A", "decimals": 99}]}, "decimals"),
        (
            {
                "mag7": [{"chain": "x", "identity": "y", "symbol": "A", "decimals": 1}],
                "other": [{"chain": "z", "identity": "y", "symbol": "A", "decimals": 1}],
            },
            "symbols listed twice: A",
        ),
        ({"mag7": [], "extra": 1}, "extra"),
    ],
)
def test_load_asset_table__malformed__names_the_field(table, named):
    with pytest.raises(AssetError, match=named):
        load_asset_table(json.dumps(table))
