"""The custodian's reserve service against the chain: it reports when balances change,
acknowledges and confirms a mint only once that request's own delivery arrived, accepts a
redemption, pays it once (keyed by request id) after simulating its confirmation, confirms it,
and alerts (non-zero exit in --check mode) when an index is under-covered."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ssikit.bots.custodian import CustodianService, WalletFileCustody
from ssikit.chain.issuance import CustodianClient, WlpClient, find_request
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.units import INDEX_UNIT
from ssikit.math import basket as bm

SYMBOLS = {a.id: a.symbol for a in MAG7_ASSETS}


@pytest.fixture
def served(serve_mag7):
    """MAG7.ssi configured with the custodian and WLP; a wallet file per asset (balance 0)."""
    registry, _, system, ids, token, wallets = serve_mag7()
    return registry, system, ids, token, wallets


def _service(system, custodian, wallets, ids, log=None):
    return CustodianService(
        CustodianClient(system, custodian),
        WalletFileCustody(wallets),
        ids,
        ["MAG7.ssi"],
        log=(log.append if log is not None else lambda entry: None),
    )


def _deliver(custody, token, tracked):
    """The WLP delivers exactly what this request owes, recorded against its id."""
    stored, *_ = token.basketState()
    for asset_id, amount in stored:
        owed = bm.deposit_for(int(amount), tracked.request.factor, tracked.request.amount)
        custody.receive(tracked.id, "MAG7.ssi", SYMBOLS[bytes(asset_id)], owed)


def _later(chain):
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)  # a report needs a later as-of


def _minted(system, wlp, custodian, wallets, ids, token, chain, amount=2 * INDEX_UNIT):
    """A confirmed mint of ``amount`` through the service (delivery recorded first)."""
    service = _service(system, custodian, wallets, ids)
    minted = WlpClient(system, wlp).mint("MAG7.ssi", amount)
    _deliver(WalletFileCustody(wallets), token, minted)
    _later(chain)
    assert service.tick()["confirmed"][0]["id"] == "0x" + minted.id.hex()
    return service


def test_service__reports_confirms_pays_and_alerts(served, custodian, wlp, chain):
    registry, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    log: list = []
    service = _service(system, custodian, wallets, ids, log)
    assert service.tick()["reported"]  # first report
    assert not service.tick()["reported"]  # nothing changed, far from stale

    wlp_client = WlpClient(system, wlp)
    minted = wlp_client.mint("MAG7.ssi", 2 * INDEX_UNIT)
    assert service.tick()["waiting"] == [
        {"id": "0x" + minted.id.hex(), "kind": "mint", "outcome": "awaiting delivery"}
    ]
    _deliver(custody, token, minted)
    _later(chain)
    tick = service.tick()
    assert tick["reported"] and tick["confirmed"][0]["id"] == "0x" + minted.id.hex()
    assert token.balanceOf(wlp) > 0
    assert find_request(system, "0x" + minted.id.hex()).status == "confirmed"

    before = custody.totals()
    redeemed = wlp_client.redeem("MAG7.ssi", INDEX_UNIT)
    _later(chain)
    tick = service.tick()
    assert tick["confirmed"] == [
        {"id": "0x" + redeemed.id.hex(), "kind": "redeem", "outcome": "confirmed"}
    ]
    after = custody.totals()
    assert all(after[k] < before[k] for k in before)  # every component was paid out
    assert set(custody.read().payouts["0x" + redeemed.id.hex()]) == set(SYMBOLS.values())
    assert not tick["alerts"]

    # Custody empties: the service reports it and, in --check mode, exits non-zero.
    data = json.loads(wallets.read_text())
    for w in data["wallets"]:
        w["balance"] = 0
    wallets.write_text(json.dumps(data))
    _later(chain)
    result = CliRunner().invoke(
        cli,
        ["custodian", "serve", str(wallets), "--index", "MAG7.ssi", "--check",
         "--registry", str(registry)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "under-covered" in result.output


def test_pending_mint__reserves_cover_but_no_delivery__not_confirmed(served, custodian, wlp, chain):
    """Finding 1 (service part): coverage is no evidence of delivery. The reserves already
    cover the mint many times over, but nothing was delivered for this request: the service
    neither acknowledges nor confirms it (the old service confirmed any mint whose
    confirmMint call would succeed)."""
    _, system, ids, token, wallets = served
    data = json.loads(wallets.read_text())
    for w in data["wallets"]:
        w["balance"] = 10**30
    wallets.write_text(json.dumps(data))
    service = _service(system, custodian, wallets, ids)
    assert service.tick()["reported"]
    minted = WlpClient(system, wlp).mint("MAG7.ssi", INDEX_UNIT)
    _later(chain)
    tick = service.tick()
    assert tick["confirmed"] == []
    assert tick["waiting"][0]["outcome"] == "awaiting delivery"
    assert find_request(system, "0x" + minted.id.hex()).status == "mint pending"
    assert token.totalSupply() == 0


def test_partial_delivery__not_acknowledged(served, custodian, wlp, chain):
    _, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    service = _service(system, custodian, wallets, ids)
    minted = WlpClient(system, wlp).mint("MAG7.ssi", INDEX_UNIT)
    stored, *_ = token.basketState()
    first, amount = stored[0]
    owed = bm.deposit_for(int(amount), minted.request.factor, minted.request.amount)
    custody.receive(minted.id, "MAG7.ssi", SYMBOLS[bytes(first)], owed)  # one component only
    _later(chain)
    assert service.tick()["waiting"][0]["outcome"] == "awaiting delivery"
    assert find_request(system, "0x" + minted.id.hex()).status == "mint pending"


def test_redeem__restart_after_payout__does_not_pay_twice(
    served, custodian, wlp, chain, crash_after_payout
):
    _, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    _minted(system, wlp, custodian, wallets, ids, token, chain)
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    before = custody.totals()

    crashing = crash_after_payout(_service(system, custodian, wallets, ids))
    _later(chain)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.tick()
    paid = custody.totals()
    assert all(paid[k] < before[k] for k in before)
    assert find_request(system, "0x" + redeemed.id.hex()).status == "redeem accepted"

    restarted = _service(system, custodian, wallets, ids)  # a new process: the file remembers
    _later(chain)
    tick = restarted.tick()
    assert tick["confirmed"] == [
        {"id": "0x" + redeemed.id.hex(), "kind": "redeem", "outcome": "confirmed"}
    ]
    assert custody.totals() == paid  # nothing paid a second time
    assert find_request(system, "0x" + redeemed.id.hex()).status == "confirmed"


def test_redeem__confirmation_would_fail__not_paid(served, custodian, wlp, deployer, chain):
    """Accepted, then the custodian loses its role: confirmRedeem would revert, so the service
    pays nothing (a payout it could not confirm would be lost)."""
    _, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    service = _minted(system, wlp, custodian, wallets, ids, token, chain)  # reported already
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    CustodianClient(system, custodian).accept("0x" + redeemed.id.hex())
    # The issuer checks the custodian's role for this index (ProtocolRoles.indexRole).
    role = system.roles.indexRole(system.roles.CUSTODIAN_ROLE(), token)
    system.roles.revokeRole(role, custodian, sender=deployer)
    before = custody.totals()
    _later(chain)
    tick = service.tick()
    assert tick["waiting"] == [
        {
            "id": "0x" + redeemed.id.hex(),
            "kind": "redeem",
            "outcome": "confirmation would fail: not paid",
        }
    ]
    assert custody.totals() == before
    assert "0x" + redeemed.id.hex() not in custody.read().payouts


def test_redeem__accept_depth__paid_only_once_the_acceptance_is_that_deep(
    served, custodian, wlp, chain
):
    """With ``accept_depth`` (live networks), an acceptance a reorg could still drop is not
    paid: were it dropped, the request would be pending again and the redeemer could cancel it
    and keep the payout too. Paid and confirmed once the acceptance is that many blocks deep,
    by the next process too (the depth comes from the indexed acceptance's block)."""
    _, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    _minted(system, wlp, custodian, wallets, ids, token, chain)
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    rid = "0x" + redeemed.id.hex()
    service = _service(system, custodian, wallets, ids)
    service.accept_depth = 10
    before = custody.totals()
    _later(chain)
    (waiting,) = service.tick()["waiting"]
    assert waiting["outcome"] == "accepted; paid once 10 blocks deep (now 1)"
    assert find_request(system, rid).status == "redeem accepted"
    assert custody.totals() == before and rid not in custody.read().payouts

    restarted = _service(system, custodian, wallets, ids)  # may report first: a block more
    restarted.accept_depth = 10
    chain.mine(2)
    (waiting,) = restarted.tick()["waiting"]
    assert waiting["outcome"].startswith("accepted; paid once 10 blocks deep (now ")
    assert custody.totals() == before
    chain.mine(10)
    assert restarted.tick()["confirmed"] == [{"id": rid, "kind": "redeem", "outcome": "confirmed"}]
    assert all(custody.totals()[k] < before[k] for k in before)
    assert find_request(system, rid).status == "confirmed"


def test_cli_serve__accept_depth__acceptance_not_yet_deep_is_not_paid(
    served, custodian, wlp, chain
):
    registry, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    _minted(system, wlp, custodian, wallets, ids, token, chain)
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    before = custody.totals()
    _later(chain)
    result = CliRunner().invoke(
        cli,
        ["custodian", "serve", str(wallets), "--index", "MAG7.ssi", "--accept-depth", "50",
         "--registry", str(registry)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (entry,) = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert entry["waiting"][0]["id"] == "0x" + redeemed.id.hex()
    assert entry["waiting"][0]["outcome"].startswith("accepted; paid once 50 blocks deep")
    assert custody.totals() == before


def test_redeem__reclaim_window_near__not_paid(served, custodian, wlp, chain):
    """An accepted redemption the service could only pay within ``reclaim_margin`` of its
    reclaim (deadline + SETTLEMENT_GRACE) is not paid: the redeemer could reclaim its tokens
    before the confirmation lands and keep the payout too (second custody audit)."""
    _, system, ids, token, wallets = served
    custody = WalletFileCustody(wallets)
    service = _minted(system, wlp, custodian, wallets, ids, token, chain)
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    rid = "0x" + redeemed.id.hex()
    CustodianClient(system, custodian).accept(rid)  # accepted; the payout held back since
    reclaim_at = int(redeemed.request.deadline) + int(system.issuer.SETTLEMENT_GRACE())
    chain.mine(1, timestamp=reclaim_at - service.reclaim_margin // 2)
    before = custody.totals()
    (waiting,) = service.tick()["waiting"]
    assert waiting["outcome"].startswith(f"not paid: the redeemer may reclaim from {reclaim_at}")
    assert custody.totals() == before and rid not in custody.read().payouts
    assert find_request(system, rid).status == "redeem accepted"


class _FlakyCustody(WalletFileCustody):
    """The second leg of the first payout fails once (a payout not mined within ``pay``'s
    wait, say); records, for each call, whether the books were locked against other payers."""

    def __init__(self, path):
        super().__init__(path)
        self.calls, self.locked_during = 0, []

    def _books_locked(self) -> bool:
        from ssikit.custody.files import held_elsewhere

        return held_elsewhere(self.path)

    def can_pay(self, request_id, index, legs, to):
        self.locked_during.append(("can_pay", self._books_locked()))
        return super().can_pay(request_id, index, legs, to)

    def pay(self, request_id, index, asset, amount, to):
        self.locked_during.append(("pay", self._books_locked()))
        self.calls += 1
        if self.calls == 2:
            from ssikit.custody.errors import CustodyError

            raise CustodyError(f"payout of {asset} not mined yet")
        return super().pay(request_id, index, asset, amount, to)


def test_redeem__begun_then_reclaim_opens__the_rest_not_paid_and_alerted(
    served, custodian, wlp, chain
):
    """A redemption paid in part (a leg failed) is finished only while its confirmation can
    land before the reclaim: resumed once the reclaim is open, nothing more is paid and the
    outcome is an alert (second custody re-audit). The check of every leg and the payouts
    run with the books locked against other payers."""
    _, system, ids, token, wallets = served
    _minted(system, wlp, custodian, wallets, ids, token, chain)
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    rid = "0x" + redeemed.id.hex()
    custody = _FlakyCustody(wallets)
    service = CustodianService(
        CustodianClient(system, custodian), custody, ids, ["MAG7.ssi"], log=lambda e: None
    )
    _later(chain)
    (first,) = service.tick()["waiting"]
    assert first["outcome"].startswith("custody refused: payout of")
    assert len(custody.read().payouts[rid]) == 1  # one leg paid, the second failed
    assert custody.locked_during and all(held for _, held in custody.locked_during)

    reclaim_at = int(redeemed.request.deadline) + int(system.issuer.SETTLEMENT_GRACE())
    chain.mine(1, timestamp=reclaim_at + 60)
    before = custody.totals()
    (second,) = service.tick()["waiting"]
    assert second["outcome"].startswith("ALERT: paid in part, not paid: the redeemer may reclaim")
    assert custody.totals() == before and len(custody.read().payouts[rid]) == 1
