"""The WLP's and custodian's programs (`ssikit wlp ...`, `ssikit custodian ...`, the same
commands as `ape run wlp|custodian`), driven through click on the test chain."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS


@pytest.fixture
def deployed(deployer, custodian, wlp, mag7_params, tmp_path):
    path = tmp_path / "deployments.json"
    deployment = Deployment(deployer, path=path)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    token = deployment.index(system, mag7_params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    return path, token


def _run(*args):
    result = CliRunner().invoke(cli, [*map(str, args), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_wlp_and_custodian_programs__mint_confirm_redeem_cancel(
    deployed, custodian, chain, tmp_path
):
    registry, token = deployed
    wallets = tmp_path / "wallets.json"
    wallets.write_text(
        json.dumps(
            {
                "custodian": custodian.address,
                "as_of": chain.blocks.head.timestamp,
                "wallets": [
                    {
                        "asset": a.symbol,
                        "address": f"{a.symbol.lower()}-cold-1",
                        "balance": 10 ** (a.decimals + 6),
                    }
                    for a in MAG7_ASSETS
                ],
            }
        )
    )
    posted = _run("custodian", "report", wallets, "--refresh", "MAG7.ssi", "--registry", registry)
    assert posted["sequence"] == 1 and len(posted["balances"]) == 7

    minted = _run("wlp", "mint", "MAG7.ssi", "2.5", "--registry", registry)
    assert minted["status"] == "mint pending" and minted["amount"] == str(25 * 10**17)
    pending = _run("wlp", "status", "--pending", "--registry", registry)
    assert [p["id"] for p in pending] == [minted["id"]]

    refs = [arg for i in range(7) for arg in ("--ref", f"0x{i + 1:02x}")]
    confirmed = _run("custodian", "confirm", minted["id"], *refs, "--registry", registry)
    assert confirmed["status"] == "confirmed"
    assert token.totalSupply() > 0

    rows = _run("custodian", "coverage", "MAG7.ssi", "--registry", registry)
    assert len(rows) == 7 and all(r["fresh"] and r["ratio"] >= 1 for r in rows)

    redeem = _run("wlp", "redeem", "MAG7.ssi", "1", "--registry", registry)
    cancelled = _run("wlp", "cancel", redeem["id"], "--registry", registry)
    assert cancelled["status"] == "cancelled"
    assert [r["status"] for r in _run("wlp", "status", "--registry", registry)] == [
        "confirmed",
        "cancelled",
    ]


def test_wlp_mint__bad_amount__usage_error(deployed):
    registry, _ = deployed
    result = CliRunner().invoke(
        cli, ["wlp", "mint", "MAG7.ssi", "0.0000000000000000001", "--registry", str(registry)]
    )
    assert result.exit_code == 2 and "not a positive amount" in result.output
