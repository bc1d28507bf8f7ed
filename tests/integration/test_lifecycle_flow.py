"""An issuer migration as the participants live it (issue 12): the admin signals and executes
with `ssikit lifecycle`, the WLP's client sends new requests to the new issuer by itself, and the
custodian service finishes the old issuer's pending request and serves the new one, with no
configuration change on either side."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from ssikit.bots.custodian import CustodianService, WalletFileCustody
from ssikit.chain.issuance import CustodianClient, WlpClient, find_request
from ssikit.chain.protocol import IssuanceSettings, configure_issuance
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.lifecycle import MOVE_DELAY, VersionKind
from ssikit.core.units import INDEX_UNIT
from ssikit.math import basket as bm

SYMBOLS = {a.id: a.symbol for a in MAG7_ASSETS}


@pytest.fixture
def served(serve_mag7):
    return serve_mag7()


def _cli(*args, ok=True):
    result = CliRunner().invoke(cli, [*map(str, args), "--json"], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    assert result.exit_code != 0 and "Traceback" not in result.output
    return result.output


def _deliver(wallets, token, tracked):
    custody = WalletFileCustody(wallets)
    for asset_id, amount in token.basketState()[0]:
        owed = bm.deposit_for(int(amount), tracked.request.factor, tracked.request.amount)
        custody.receive(tracked.id, "MAG7.ssi", SYMBOLS[bytes(asset_id)], owed)


def test_migration__cli_signal_execute__services_follow(
    served, project, deployer, custodian, wlp, chain
):
    registry, deployment, system, ids, token, wallets = served
    status = _cli("lifecycle", "status", "MAG7.ssi", "--registry", registry)
    assert status["issuer"] == system.issuer.address and status["issuer_version"] == "Issuer v1"
    assert status["pending_moves"] == {"issuer": None, "oracle": None}

    v2 = project.Issuer.deploy(system.roles, system.assets, system.vault, sender=deployer)
    # Refusals through the CLI: one line, the decoded error, nothing changed.
    out = _cli("lifecycle", "signal", "MAG7.ssi", "issuer", v2.address, "--registry", registry,
               ok=False)  # fmt: skip
    assert "VersionNotListed" in out
    out = _cli("lifecycle", "signal", "MAG7.ssi", "issuer", "0x12", "--registry", registry,
               ok=False)  # fmt: skip
    assert "not an address" in out
    out = _cli("lifecycle", "deprecate", "MAG7.ssi", "--registry", registry, ok=False)
    assert "--yes" in out and not token.lifecycle()[1]

    deployment.list_version(system.versions, VersionKind.ISSUER, v2.address, "Issuer v2")
    deployment.bind_issuer(system.vault, v2.address)
    signalled = _cli(
        "lifecycle", "signal", "MAG7.ssi", "issuer", v2.address, "--registry", registry
    )
    assert signalled["to"] == v2.address
    assert signalled["executable_at"] == chain.blocks.head.timestamp + MOVE_DELAY
    assert (
        _cli("lifecycle", "status", "MAG7.ssi", "--registry", registry)["pending_moves"]["issuer"][
            "label"
        ]
        == "Issuer v2"
    )
    out = _cli("lifecycle", "execute", "MAG7.ssi", "issuer", "--registry", registry, ok=False)
    assert "IndexMoveNotDue" in out

    # A mint requested on the old issuer an hour before the move; delivered after it.
    chain.mine(1, timestamp=signalled["executable_at"] - 3_600)
    wlp_client = WlpClient(system, wlp)
    old_mint = wlp_client.mint("MAG7.ssi", 2 * INDEX_UNIT)
    assert old_mint.issuer == system.issuer.address

    # The admin configures the new issuer for the index during the notice (execution refuses
    # an unconfigured one: redemption would be blocked).
    chain.mine(1, timestamp=signalled["executable_at"])
    out = _cli("lifecycle", "execute", "MAG7.ssi", "issuer", "--registry", registry, ok=False)
    assert "IndexMoveTargetNotReady" in out
    configure_issuance(
        deployment,
        replace(system, issuer=v2),
        token,
        IssuanceSettings(),
        [custodian.address],
        [wlp.address],
    )
    executed = _cli("lifecycle", "execute", "MAG7.ssi", "issuer", "--registry", registry)
    assert (executed["from"], executed["to"]) == (system.issuer.address, v2.address)

    # The WLP's client sends the next request to the index's issuer now, by itself.
    new_mint = wlp_client.mint("MAG7.ssi", INDEX_UNIT)
    assert new_mint.issuer == v2.address

    service = CustodianService(
        CustodianClient(system, custodian), WalletFileCustody(wallets), ids, ["MAG7.ssi"],
        log=lambda entry: None,
    )  # fmt: skip
    _deliver(wallets, token, old_mint)
    _deliver(wallets, token, new_mint)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
    tick = service.tick()
    confirmed = {c["id"] for c in tick["confirmed"]}
    assert confirmed == {"0x" + old_mint.id.hex(), "0x" + new_mint.id.hex()}, tick
    assert find_request(system, "0x" + old_mint.id.hex()).status == "confirmed"
    assert system.issuer.statusOf(wlp, old_mint.request.nonce) == 3
    assert v2.statusOf(wlp, new_mint.request.nonce) == 3
    status = _cli("lifecycle", "status", "MAG7.ssi", "--registry", registry)
    assert status["issuer_version"] == "Issuer v2"
    assert status["former_issuers"] == [system.issuer.address]
