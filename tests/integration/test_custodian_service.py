"""The custodian's reserve service against the chain: it reports when balances change, confirms
a mint once the deliveries arrive, pays out and confirms a redemption, and alerts (non-zero
exit in --check mode) when an index is under-covered."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ssikit.bots.custodian import CustodianService, WalletFileCustody
from ssikit.chain.issuance import CustodianClient, WlpClient
from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.units import INDEX_UNIT
from ssikit.math import basket as bm


def test_service__reports_confirms_pays_and_alerts(
    deployer, custodian, wlp, mag7_params, tmp_path, chain
):
    registry = tmp_path / "deployments.json"
    deployment = Deployment(deployer, path=registry)
    system = deployment.system()
    ids = deployment.assets(system, MAG7_ASSETS)
    token = deployment.index(system, mag7_params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    wallets = tmp_path / "wallets.json"
    wallets.write_text(
        json.dumps(
            {
                "custodian": custodian.address,
                "wallets": [
                    {"asset": a.symbol, "address": f"{a.symbol.lower()}-cold", "balance": 0}
                    for a in MAG7_ASSETS
                ],
            }
        )
    )
    custody = WalletFileCustody(wallets)
    log: list = []
    service = CustodianService(
        CustodianClient(system, custodian), custody, ids, ["MAG7.ssi"], log=log.append
    )
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    assert service.tick()["reported"]  # first report
    assert not service.tick()["reported"]  # nothing changed, far from stale

    wlp_client = WlpClient(system, wlp)
    minted = wlp_client.mint("MAG7.ssi", 2 * INDEX_UNIT)
    assert service.tick()["waiting"] == [
        {"id": "0x" + minted.id.hex(), "kind": "mint", "outcome": "awaiting delivery"}
    ]
    # The WLP delivers the basket to the custodian's wallets.
    stored, factor, *_ = token.basketState()
    symbols = {a.id: a.symbol for a in MAG7_ASSETS}
    for asset_id, amount in stored:
        deposit = bm.deposit_for(int(amount), int(factor) - 10**9, 2 * INDEX_UNIT) + 1
        custody.receive(symbols[bytes(asset_id)], deposit)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)  # a report needs a later as-of
    tick = service.tick()
    assert tick["reported"] and tick["confirmed"][0]["id"] == "0x" + minted.id.hex()
    assert token.balanceOf(wlp) > 0

    before = custody.totals()
    redeemed = wlp_client.redeem("MAG7.ssi", INDEX_UNIT)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    tick = service.tick()
    assert tick["confirmed"] == [
        {"id": "0x" + redeemed.id.hex(), "kind": "redeem", "outcome": "confirmed"}
    ]
    after = custody.totals()
    assert all(after[s] < before[s] for s in before)  # every component was paid out
    assert not tick["alerts"]

    # Custody empties: the service reports it and, in --check mode, exits non-zero.
    data = json.loads(wallets.read_text())
    for w in data["wallets"]:
        w["balance"] = 0
    wallets.write_text(json.dumps(data))
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)  # a report needs a later as-of
    result = CliRunner().invoke(
        cli,
        ["custodian", "serve", str(wallets), "--index", "MAG7.ssi", "--check",
         "--registry", str(registry)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "under-covered" in result.output
