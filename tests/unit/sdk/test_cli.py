"""The `ssikit` command line, through click's runner (no chain)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ssikit.cli.main import cli
from ssikit.core.assets import asset_id
from ssikit.math.fees import per_second_rate


def test_fee_rate__json():
    result = CliRunner().invoke(cli, ["fee-rate", "0.0095", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rate_per_second_ray"] == per_second_rate("0.0095")
    assert abs(float(data["effective_annual"]) - 0.0095) < 1e-12


def test_fee_rate__out_of_range__usage_error():
    result = CliRunner().invoke(cli, ["fee-rate", "1.5"])
    assert result.exit_code == 2
    assert "must be in [0, 1)" in result.output


def test_asset_id__json():
    result = CliRunner().invoke(cli, ["asset-id", "bitcoin", "native", "--json"])
    assert json.loads(result.output)["asset_id"] == "0x" + asset_id("bitcoin", "native").hex()


def test_assets__lists_seven():
    result = CliRunner().invoke(cli, ["assets", "--json"])
    assert [a["symbol"] for a in json.loads(result.output)["assets"]] == [
        "BTC",
        "ETH",
        "BNB",
        "SOL",
        "XRP",
        "ADA",
        "DOGE",
    ]
