"""Custody on a second chain, for real (issue 11, item 7): two Anvil nodes, the protocol's
(Ape's provider) and a custody chain (web3.py) holding ETH natively and BNB as an ERC-20. A
WLP's delivery is a real transfer there carrying the request id; the custodian service
acknowledges only after checking it on the custody chain (receipt, sender, memo, recipient,
token, amount, confirmations), binds each transaction to one request, pays redemptions by real
transfers, once each, and reports the custody chain's balances. Every bad delivery gives one
line and nothing is acknowledged or paid, asserted on both chains."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from ssikit.bots.custodian import CustodianService, WalletFileCustody
from ssikit.chain.issuance import CustodianClient, WlpClient, find_request
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.units import INDEX_UNIT
from ssikit.custody import CompositeCustody
from ssikit.custody.chain import CustodyChain, local_key, start_custody_chain
from ssikit.custody.evm import CustodyConfig, DeliveryNotice, EvmCustody, deliver
from ssikit.custody.local import ERC20, NATIVE, set_up_local_custody
from ssikit.math import basket as bm

SYMBOLS = {a.id: a.symbol for a in MAG7_ASSETS}
ON_CUSTODY_CHAIN = (NATIVE, ERC20)
WLP, ADVERSARY = 3, 7  # test accounts (the same keys on both chains)


# ------------------------------------------------------------------ the two chains
@pytest.fixture(scope="module")
def custody_chain() -> Any:
    """The custody chain: a second Anvil, started once for the module."""
    with start_custody_chain() as chain:
        yield chain


@pytest.fixture(scope="module")
def custody_setup(custody_chain, custodian, wlp, stranger, tmp_path_factory) -> CustodyConfig:
    """The BNB token deployed and funded (WLP and adversary), the custodian's config written."""
    return set_up_local_custody(
        custody_chain,
        tmp_path_factory.mktemp("custody"),
        ["MAG7.ssi"],
        wlps=[wlp.address, stranger.address],
        confirmations=2,
    )


@pytest.fixture(autouse=True)
def custody_isolation(custody_chain, custody_setup, tmp_path) -> Any:
    """Each test starts from the module's custody chain state (as Ape does for the protocol's)
    with an empty ledger and notices file of its own."""
    snapshot = custody_chain.w3.provider.make_request("evm_snapshot", [])["result"]
    yield
    custody_chain.w3.provider.make_request("evm_revert", [snapshot])


@pytest.fixture
def custody_config(custody_setup, tmp_path) -> CustodyConfig:
    config = custody_setup.model_copy(
        update={"ledger": tmp_path / "ledger.json", "notices": tmp_path / "notices.jsonl"}
    )
    path = tmp_path / "custody.json"
    path.write_text(config.model_dump_json())
    return config


@pytest.fixture(scope="module")
def two_chain_mag7(deployer, custodian, wlp, stranger, mag7_params, tmp_path_factory, chain):
    """MAG7.ssi deployed once for the module, served by the custodian, with two WLPs: `wlp`
    and `stranger` (the adversary)."""
    from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance

    registry = tmp_path_factory.mktemp("protocol") / "deployments.json"
    deployment = Deployment(deployer, path=registry)
    system = deployment.system()
    ids = deployment.assets(system, MAG7_ASSETS)
    token = deployment.index(system, mag7_params)
    configure_issuance(
        deployment,
        system,
        token,
        IssuanceSettings(),
        [custodian.address],
        [wlp.address, stranger.address],
    )
    return registry, system, ids, token


@pytest.fixture
def wallets(custodian, tmp_path):
    """The wallet file for the assets with no chain here (BTC, SOL, XRP, ADA, DOGE)."""
    path = tmp_path / "wallets.json"
    rows = [
        {"index": "MAG7.ssi", "asset": a.symbol, "address": f"{a.symbol.lower()}-cold"}
        | {"balance": 0}
        for a in MAG7_ASSETS
        if a.symbol not in ON_CUSTODY_CHAIN
    ]
    path.write_text(json.dumps({"custodian": custodian.address, "wallets": rows}))
    return path


def _custody(wallets, config):
    return CompositeCustody(WalletFileCustody(wallets), EvmCustody(config).routes())


def _service(system, custodian, ids, custody, force=False):
    return CustodianService(
        CustodianClient(system, custodian), custody, ids, ["MAG7.ssi"], log=lambda e: None,
        force=force,
    )  # fmt: skip


def _owed(token, tracked) -> dict[str, int]:
    """asset -> {base units} the request's delivery owes."""
    return {
        SYMBOLS[bytes(a)]: bm.deposit_for(int(x), tracked.request.factor, tracked.request.amount)
        for a, x in token.basketState()[0]
    }


def _deliver_offchain(wallets, token, tracked):
    """The wallet-file legs: delivered as the back office records them."""
    book = WalletFileCustody(wallets)
    for asset, owed in _owed(token, tracked).items():
        if asset not in ON_CUSTODY_CHAIN:
            book.receive(tracked.id, "MAG7.ssi", asset, owed)


def _deliver(chain, config, token, tracked, who=WLP, skip=()):
    """Every leg: the wallet file's, and real transfers on the custody chain (with notices)."""
    notices = {}
    for asset, owed in _owed(token, tracked).items():
        if asset in ON_CUSTODY_CHAIN and asset not in skip:
            sent = deliver(chain, local_key(who), config, tracked.id, "MAG7.ssi", asset, owed)
            notices[asset] = sent.notice
    return notices


def _later(chain):
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)


def _logs(event, tracked):
    from ape import chain

    return list(event.range(tracked.block, chain.blocks.head.number + 1))


def _acknowledged_refs(system, tracked) -> list[bytes] | None:
    logs = _logs(system.issuer.MintAcknowledged, tracked)
    found = [log for log in logs if bytes(log.id) == tracked.id]
    return [bytes(r) for r in found[0].refs] if found else None


def _status(system, tracked) -> str:
    return find_request(system, "0x" + tracked.id.hex()).status


def _balance(custody_chain: CustodyChain, config: CustodyConfig, asset: str, who: str) -> int:
    token = config.assets[asset]
    if token is None:
        return int(custody_chain.w3.eth.get_balance(who))
    return int(custody_chain.erc20(token).functions.balanceOf(who).call())


def _refused(system, tracked, tick, *words):
    """The one waiting line names the problem; the mint is still pending, never acknowledged."""
    (waiting,) = [w for w in tick["waiting"] if w["id"] == "0x" + tracked.id.hex()]
    for word in words:
        assert word in waiting["outcome"], waiting["outcome"]
    assert _status(system, tracked) == "mint pending"
    assert _acknowledged_refs(system, tracked) is None
    return waiting["outcome"]


# ------------------------------------------------------------------ the whole flow
def test_mint_and_redeem__two_chains__checked_on_custody_chain_and_paid_there(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain
):
    _, system, ids, token = two_chain_mag7
    custody = _custody(wallets, custody_config)
    service = _service(system, custodian, ids, custody)
    minted = WlpClient(system, wlp).mint("MAG7.ssi", 2 * INDEX_UNIT)
    _deliver_offchain(wallets, token, minted)
    notices = _deliver(custody_chain, custody_config, token, minted)
    _later(chain)

    # One confirmation of the two the config asks for: not acknowledged yet.
    _refused(system, minted, service.tick(), "unconfirmed", "1 of 2 confirmations")

    custody_chain.mine(1)
    _later(chain)
    tick = service.tick()
    assert tick["confirmed"] == [
        {"id": "0x" + minted.id.hex(), "kind": "mint", "outcome": "confirmed"}
    ]
    assert token.balanceOf(wlp) > 0
    refs = _acknowledged_refs(system, minted)
    for asset in ON_CUSTODY_CHAIN:  # the references are the custody chain's tx hashes
        assert notices[asset].tx in refs
    custody_address = custody_config.accounts["MAG7.ssi"]
    for asset in ON_CUSTODY_CHAIN:  # the reserves reported are the custody chain's balances
        reserves, _ = system.oracle.reservesOf(token, ids[asset])
        assert reserves == _balance(custody_chain, custody_config, asset, custody_address)
        assert reserves >= _owed(token, minted)[asset]

    before = {a: _balance(custody_chain, custody_config, a, wlp.address) for a in ON_CUSTODY_CHAIN}
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    _later(chain)
    tick = service.tick()
    assert tick["confirmed"] == [
        {"id": "0x" + redeemed.id.hex(), "kind": "redeem", "outcome": "confirmed"}
    ]
    logs = _logs(system.issuer.RedeemConfirmed, redeemed)
    payout_refs = [bytes(r) for r in logs[0].refs]
    for asset in ON_CUSTODY_CHAIN:  # paid for real, to the redeemer, with the payout's hash
        paid = _balance(custody_chain, custody_config, asset, wlp.address) - before[asset]
        assert paid > 0
        ref = custody.payout_of(redeemed.id, asset)
        assert ref in payout_refs
        tx = custody_chain.w3.eth.get_transaction(ref)
        assert bytes(tx["input"])[-32:] == redeemed.id  # the memo names the redemption
        reserves, _ = system.oracle.reservesOf(token, ids[asset])
        assert reserves == _balance(custody_chain, custody_config, asset, custody_address)
    assert not tick["alerts"]


def test_redeem__restart_after_payout__pays_once_on_custody_chain(
    two_chain_mag7,
    custody_chain,
    custody_config,
    wallets,
    custodian,
    wlp,
    chain,
    crash_after_payout,
):
    _, system, ids, token = two_chain_mag7
    service = _service(system, custodian, ids, _custody(wallets, custody_config))
    minted = WlpClient(system, wlp).mint("MAG7.ssi", 2 * INDEX_UNIT)
    _deliver_offchain(wallets, token, minted)
    _deliver(custody_chain, custody_config, token, minted)
    custody_chain.mine(1)
    _later(chain)
    assert service.tick()["confirmed"]
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)

    crashing = crash_after_payout(
        _service(system, custodian, ids, _custody(wallets, custody_config))
    )
    _later(chain)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.tick()
    paid = {a: _balance(custody_chain, custody_config, a, wlp.address) for a in ON_CUSTODY_CHAIN}
    custody_address = custody_config.accounts["MAG7.ssi"]
    nonce = custody_chain.w3.eth.get_transaction_count(custody_address)

    restarted = _service(system, custodian, ids, _custody(wallets, custody_config))
    _later(chain)
    assert restarted.tick()["confirmed"][0]["id"] == "0x" + redeemed.id.hex()
    for asset in ON_CUSTODY_CHAIN:  # nothing paid a second time
        assert _balance(custody_chain, custody_config, asset, wlp.address) == paid[asset]
    assert custody_chain.w3.eth.get_transaction_count(custody_address) == nonce
    assert _status(system, redeemed) == "confirmed"


# ------------------------------------------------------------------ bad deliveries
def _pending_mint(system, wlp, wallets, token, chain, amount=INDEX_UNIT):
    minted = WlpClient(system, wlp).mint("MAG7.ssi", amount)
    _deliver_offchain(wallets, token, minted)
    return minted


def _send(custody_chain, config, who, request_id, asset, tx) -> bytes:
    """A hand-made transfer and its notice (what an adversarial or careless WLP hands over)."""
    tx_hash = custody_chain.send(local_key(who), tx)
    EvmCustody(config).notify(DeliveryNotice(request_id, asset, tx_hash))
    return tx_hash


def _bad_delivery(two_chains, wlp, asset, make_tx, who=WLP):
    """A pending mint whose other legs are delivered honestly and whose ``asset`` leg is the
    hand-made ``make_tx(minted, owed)`` sent by test account ``who``, confirmed; one tick."""
    (_, system, ids, token), custody_chain, config, wallets, custodian, chain = two_chains
    minted = _pending_mint(system, wlp, wallets, token, chain)
    _deliver(custody_chain, config, token, minted, who=who, skip=(asset,))
    _send(
        custody_chain, config, who, minted.id, asset, make_tx(minted, _owed(token, minted)[asset])
    )
    custody_chain.mine(2)
    _later(chain)
    return minted, _service(system, custodian, ids, _custody(wallets, config)).tick()


@pytest.fixture
def two_chains(two_chain_mag7, custody_chain, custody_config, wallets, custodian, chain):
    return two_chain_mag7, custody_chain, custody_config, wallets, custodian, chain


def test_delivery__pays_wrong_address__refused(two_chains, two_chain_mag7, wlp, stranger):
    minted, tick = _bad_delivery(  # paid to the stranger, not to the custody address
        two_chains,
        wlp,
        NATIVE,
        lambda m, owed: {"to": stranger.address, "value": owed, "data": m.id},
    )
    _refused(
        two_chain_mag7[1],
        minted,
        tick,
        "ETH: refused",
        f"pays {stranger.address}",
        "custody address",
    )


def test_delivery__short_amount__refused_via_cli(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain, tmp_path
):
    """The WLP delivers with `ssikit custody deliver`, one base unit short."""
    _, system, ids, token = two_chain_mag7
    minted = _pending_mint(system, wlp, wallets, token, chain)
    _deliver(custody_chain, custody_config, token, minted, skip=(ERC20,))
    owed = _owed(token, minted)[ERC20]
    result = CliRunner().invoke(
        cli,
        ["custody", "deliver", "0x" + minted.id.hex(), ERC20, str(owed - 1),
         "--index", "MAG7.ssi", "--custody", str(tmp_path / "custody.json"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["amount"] == str(owed - 1)
    custody_chain.mine(2)
    _later(chain)
    tick = _service(system, custodian, ids, _custody(wallets, custody_config)).tick()
    _refused(system, minted, tick, "BNB: short", f"delivers {owed - 1}", f"owes {owed}")


def test_delivery__wrong_token__refused(
    two_chains, two_chain_mag7, custody_chain, custody_config, wlp
):
    """A look-alike ERC-20 sent to the custody address with the right memo and amount."""
    from ssikit.builders.custody import erc20_transfer_data

    fake = custody_chain.deploy_token(local_key(WLP), "Fake BNB", ERC20, 18)
    custody_chain.mint_token(local_key(WLP), fake, wlp.address, 10**24)
    custody = custody_config.accounts["MAG7.ssi"]
    minted, tick = _bad_delivery(
        two_chains,
        wlp,
        ERC20,
        lambda m, owed: {"to": fake, "data": erc20_transfer_data(custody, owed, m.id)},
    )
    _refused(two_chain_mag7[1], minted, tick, "BNB: refused", f"transfers {fake}", "BNB's token")


def test_delivery__reused_for_second_request__refused(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain
):
    _, system, ids, token = two_chain_mag7
    first = _pending_mint(system, wlp, wallets, token, chain)
    notices = _deliver(custody_chain, custody_config, token, first)
    custody_chain.mine(1)
    _later(chain)
    assert _service(system, custodian, ids, _custody(wallets, custody_config)).tick()["confirmed"]

    second = _pending_mint(system, wlp, wallets, token, chain)
    _deliver(custody_chain, custody_config, token, second, skip=(NATIVE,))
    reused = notices[NATIVE].tx  # the first request's ETH transfer, claimed again
    EvmCustody(custody_config).notify(DeliveryNotice(second.id, NATIVE, reused))
    custody_chain.mine(2)
    _later(chain)
    restarted = _service(system, custodian, ids, _custody(wallets, custody_config))
    tick = restarted.tick()  # a new process: the ledger on disk remembers the binding
    _refused(system, second, tick, "ETH: refused", "already backs request 0x" + first.id.hex())


def test_delivery__another_wlps_transfer_claimed__refused(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, stranger, chain
):
    """The adversary (a WLP too) claims the honest WLP's transfers for its own request: refused
    while they are not yet bound (sender and memo are the honest WLP's), and once the honest
    mint settled with them (bound to it); nothing of the adversary's is acknowledged."""
    _, system, ids, token = two_chain_mag7
    honest = WlpClient(system, wlp).mint("MAG7.ssi", INDEX_UNIT)  # wallet-file legs later
    notices = _deliver(custody_chain, custody_config, token, honest)
    adversarial = _pending_mint(system, stranger, wallets, token, chain)
    for asset in ON_CUSTODY_CHAIN:
        claim = DeliveryNotice(adversarial.id, asset, notices[asset].tx)
        EvmCustody(custody_config).notify(claim)
    custody_chain.mine(2)
    _later(chain)
    service = _service(system, custodian, ids, _custody(wallets, custody_config))
    tick = service.tick()
    _refused(system, adversarial, tick, "refused", f"sent by {wlp.address}", stranger.address)
    assert _status(system, honest) == "mint pending"

    _deliver_offchain(wallets, token, honest)
    _later(chain)
    tick = service.tick()
    assert tick["confirmed"] == [
        {"id": "0x" + honest.id.hex(), "kind": "mint", "outcome": "confirmed"}
    ]
    _refused(system, adversarial, tick, "refused", "already backs request 0x" + honest.id.hex())


def test_delivery__adversary_memo_for_other_request__refused(
    two_chains, two_chain_mag7, custody_config, wallets, stranger, wlp, chain
):
    """The adversary's own transfer carrying another request's id cannot back its request."""
    _, system, _, token = two_chain_mag7
    other = _pending_mint(system, wlp, wallets, token, chain)
    custody = custody_config.accounts["MAG7.ssi"]
    mine, tick = _bad_delivery(
        two_chains,
        stranger,
        NATIVE,
        lambda m, owed: {"to": custody, "value": owed, "data": other.id},
        who=ADVERSARY,
    )
    _refused(system, mine, tick, "ETH: refused", "bound to request 0x" + other.id.hex())


def test_custody_rpc_down__one_line_nothing_acknowledged_or_paid(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain, tmp_path,
    registry_for_cli,
):  # fmt: skip
    _, system, ids, token = two_chain_mag7
    minted = _pending_mint(system, wlp, wallets, token, chain)
    _deliver(custody_chain, custody_config, token, minted)
    custody_chain.mine(2)
    down = custody_config.model_copy(update={"rpc": "http://127.0.0.1:9"})  # nothing listens
    _later(chain)
    tick = _service(system, custodian, ids, _custody(wallets, down)).tick()
    assert tick["alerts"] == ["custody chain unreachable: no node at http://127.0.0.1:9"]
    assert tick["confirmed"] == [] and not tick["reported"]
    assert _status(system, minted) == "mint pending"
    assert system.oracle.lastReport(custodian)[0] == 0  # nothing reported

    result = CliRunner().invoke(
        cli,
        ["custodian", "serve", str(wallets), "--index", "MAG7.ssi", "--check",
         "--custody", str(tmp_path / "custody.json"), "--custody-rpc", "http://127.0.0.1:9",
         "--registry", str(registry_for_cli)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "custody chain unreachable: no node at http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert _status(system, minted) == "mint pending"


@pytest.fixture
def registry_for_cli(two_chain_mag7):
    return two_chain_mag7[0]


# ------------------------------------------------------------------ under-coverage guard
def _confirmed_mint(two_chains, wlp):
    """(service, request): a mint of one index unit delivered on both legs and confirmed."""
    (_, system, ids, token), custody_chain, config, wallets, custodian, chain = two_chains
    service = _service(system, custodian, ids, _custody(wallets, config))
    minted = _pending_mint(system, wlp, wallets, token, chain)
    _deliver(custody_chain, config, token, minted)
    custody_chain.mine(1)
    _later(chain)
    assert service.tick()["confirmed"]
    return service, minted


def test_report__would_leave_index_under_covered__refused_unless_forced(
    two_chains, two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain
):
    _, system, ids, token = two_chain_mag7
    service, minted = _confirmed_mint(two_chains, wlp)
    sequence, _ = system.oracle.lastReport(custodian)
    reserves, _ = system.oracle.reservesOf(token, ids[NATIVE])

    # The custody address's ETH leaves (a hack, a mistaken sweep): the report would show it.
    custody_address = custody_config.accounts["MAG7.ssi"]
    held = custody_chain.w3.eth.get_balance(custody_address)
    key = custody_config.key_for(custody_address)
    owed = _owed(token, minted)[NATIVE]
    custody_chain.send(key, {"to": wlp.address, "value": held - owed // 2})  # half is left
    custody_chain.mine(2)
    _later(chain)
    tick = service.tick()
    (alert,) = [a for a in tick["alerts"] if a.startswith("report refused")]
    assert "MAG7.ssi would be under-covered in ETH: ratio 0." in alert
    assert not tick["reported"]
    assert system.oracle.lastReport(custodian)[0] == sequence  # nothing posted
    assert system.oracle.reservesOf(token, ids[NATIVE])[0] == reserves

    forced = _service(system, custodian, ids, _custody(wallets, custody_config), force=True)
    _later(chain)
    tick = forced.tick()
    assert tick["reported"] and "MAG7.ssi is under-covered" in tick["alerts"]
    assert system.oracle.reservesOf(token, ids[NATIVE])[0] < reserves


def test_report_cli__under_covered__names_asset_and_ratio_needs_force(
    two_chains,
    two_chain_mag7,
    custodian,
    wlp,
    wallets,
    chain,
    custody_chain,
    custody_config,
    tmp_path,
):
    registry, system, _, _ = two_chain_mag7
    _confirmed_mint(two_chains, wlp)
    sequence, _ = system.oracle.lastReport(custodian)
    data = json.loads(wallets.read_text())
    for w in data["wallets"]:
        if w["asset"] == "BTC":
            w["balance"] = w["balance"] // 10**6 + 1  # entered in the wrong units
    data.pop("deliveries")
    wallets.write_text(json.dumps(data))
    _later(chain)
    args = ["custodian", "report", str(wallets), "--registry", str(registry)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "MAG7.ssi would be under-covered in BTC: ratio 0.0000" in result.output
    assert "Traceback" not in result.output
    assert system.oracle.lastReport(custodian)[0] == sequence
    result = CliRunner().invoke(cli, [*args, "--force"])
    assert result.exit_code == 0, result.output
    assert system.oracle.lastReport(custodian)[0] == sequence + 1


def test_custody_cli__bad_request_id_and_status(custody_config, tmp_path):
    path = str(tmp_path / "custody.json")
    result = CliRunner().invoke(
        cli, ["custody", "deliver", "0x4a2", NATIVE, "1", "--index", "MAG7.ssi", "--custody", path]
    )
    assert result.exit_code == 2 and "32 bytes" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["custody", "status", "--custody", path, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["wallets"]
    assert {r["asset"] for r in rows} == set(ON_CUSTODY_CHAIN)


def test_payout__crash_before_broadcast__restart_sends_the_recorded_tx_once(
    custody_chain, custody_config, wlp
):
    """A payout is signed and written to the ledger before it is sent: a process that died
    before broadcasting resumes with that very transaction (same nonce), paying once."""
    custody_address = custody_config.accounts["MAG7.ssi"]
    key = custody_config.key_for(custody_address)
    custody_chain.send(local_key(WLP), {"to": custody_address, "value": 10**18})
    request = bytes(range(32))
    crashing = EvmCustody(custody_config)
    crashing.chain.broadcast = _raise  # dies between the ledger write and the broadcast
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.pay(request, "MAG7.ssi", NATIVE, 10**17, wlp.address)
    before = custody_chain.w3.eth.get_balance(wlp.address)
    nonce = custody_chain.w3.eth.get_transaction_count(key.address)

    restarted = EvmCustody(custody_config)
    ref = restarted.pay(request, "MAG7.ssi", NATIVE, 10**17, wlp.address)
    assert restarted.pay(request, "MAG7.ssi", NATIVE, 10**17, wlp.address) == ref
    assert custody_chain.w3.eth.get_balance(wlp.address) == before + 10**17
    assert custody_chain.w3.eth.get_transaction_count(key.address) == nonce + 1
    assert restarted.payout_of(request, NATIVE) == ref
    assert bytes(custody_chain.w3.eth.get_transaction(ref)["input"]) == request


def _raise(raw):
    raise RuntimeError("crashed")


def test_custody_cli__deliver_with_rpc_down__one_line(custody_config, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["custody", "deliver", "0x" + "11" * 32, NATIVE, "1", "--index", "MAG7.ssi",
         "--custody", str(tmp_path / "custody.json"), "--custody-rpc", "http://127.0.0.1:9"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output == "Error: custody chain unreachable: no node at http://127.0.0.1:9\n"
    assert not custody_config.notices.exists()  # no notice for a transfer never sent


def test_simulate_trade__moves_the_custody_balance_both_ways(custody_chain, custody_config):
    from ssikit.custody.local import simulate_trade

    adapter = EvmCustody(custody_config)
    custody_chain.mine(custody_config.confirmations)  # what is in counts once confirmed
    before = adapter.totals()
    for asset in ON_CUSTODY_CHAIN:
        simulate_trade(custody_chain, custody_config, "MAG7.ssi", asset, 5 * 10**16)
        simulate_trade(custody_chain, custody_config, "MAG7.ssi", asset, -2 * 10**16)
    custody_chain.mine(custody_config.confirmations)
    after = adapter.totals()
    assert after[("MAG7.ssi", ERC20)] == before[("MAG7.ssi", ERC20)] + 3 * 10**16
    spent_on_gas = before[("MAG7.ssi", NATIVE)] + 3 * 10**16 - after[("MAG7.ssi", NATIVE)]
    assert 0 < spent_on_gas < 10**15  # the sells' gas is paid from the custody address
