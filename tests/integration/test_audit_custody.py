"""The custody chain adapter under attack and failure (the custody audit): a node that refuses
or half-accepts a payout, a payout whose nonce went elsewhere, reserves that would count the gas
float, coins already sent or payouts not yet mined, a token whose decimals differ from its
asset's, a payout to an address the redeemer never registered. Each test failed before its fix.

Only the custody chain (a second Anvil, web3.py) is used; the protocol's chain is not."""

from __future__ import annotations

from typing import Any

import pytest
from web3.exceptions import Web3RPCError

from ssikit.custody.chain import local_key, start_custody_chain
from ssikit.custody.errors import (
    CustodyBroadcastError,
    DecimalsMismatchError,
    GasFloatError,
    UnregisteredPayeeError,
)
from ssikit.custody.evm import CustodyConfig, EvmCustody
from ssikit.custody.local import ERC20, GAS_FLOAT, NATIVE, set_up_local_custody

WLP, STRANGER, DONOR = 3, 7, 5  # test accounts (funded by Anvil)
FLOAT = GAS_FLOAT // 2  # {wei} kept out of the reserves
CONFIRMATIONS = 3
REQUEST = bytes(range(32))


@pytest.fixture(scope="module")
def custody_chain() -> Any:
    with start_custody_chain() as chain:
        yield chain


@pytest.fixture(scope="module")
def custody_setup(custody_chain, tmp_path_factory) -> CustodyConfig:
    return set_up_local_custody(
        custody_chain,
        tmp_path_factory.mktemp("audit-custody"),
        ["MAG7.ssi"],
        wlps=[local_key(WLP).address],
        confirmations=CONFIRMATIONS,
        gas_float=FLOAT,
    )


@pytest.fixture(autouse=True)
def custody_isolation(custody_chain, custody_setup) -> Any:
    snapshot = custody_chain.w3.provider.make_request("evm_snapshot", [])["result"]
    yield
    custody_chain.w3.provider.make_request("evm_revert", [snapshot])


@pytest.fixture
def config(custody_setup, tmp_path) -> CustodyConfig:
    return custody_setup.model_copy(
        update={"ledger": tmp_path / "ledger.json", "notices": tmp_path / "notices.jsonl"}
    )


@pytest.fixture
def custody_address(config) -> str:
    return config.accounts["MAG7.ssi"]


def _eth(chain, who: str) -> int:
    return int(chain.w3.eth.get_balance(who))


def _fund(chain, custody_address: str, wei: int) -> None:
    chain.send(local_key(DONOR), {"to": custody_address, "value": wei})


def _reported(config, asset: str = NATIVE) -> int:
    (row,) = [w for w in EvmCustody(config).wallets() if w.asset == asset]
    return row.balance


# ------------------------------------------------------------------ F2: broadcast failures
def _accepts_then_errs(chain, message: str):
    """A node that forwards the transaction and then answers with an error (a proxy timing
    out, a second node of a pool that already had it): the payment is out there."""
    real = chain.w3.eth.send_raw_transaction

    def send(raw: Any) -> Any:
        real(raw)
        raise Web3RPCError(message, rpc_response={"error": {"code": -32000, "message": message}})

    return send


def test_payout__node_errs_after_accepting__named_error_and_retry_never_pays_twice(
    custody_chain, config, custody_address, monkeypatch
):
    _fund(custody_chain, custody_address, 10**18)
    payee = local_key(WLP).address
    adapter = EvmCustody(config)
    before, nonce = (
        _eth(custody_chain, payee),
        custody_chain.w3.eth.get_transaction_count(custody_address),
    )
    monkeypatch.setattr(
        adapter.chain.w3.eth,
        "send_raw_transaction",
        _accepts_then_errs(custody_chain, "insufficient funds for gas * price + value"),
    )
    with pytest.raises(CustodyBroadcastError) as refused:
        adapter.pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee)
    assert "\n" not in str(refused.value)
    assert "refused tx 0x" in str(refused.value) and "insufficient funds" in str(refused.value)
    monkeypatch.undo()

    retried = EvmCustody(config)  # a retry (or a restart) re-sends the recorded transaction
    ref = retried.pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee)
    assert "0x" + ref.hex() == refused.value.tx_hash
    assert _eth(custody_chain, payee) == before + 10**17  # paid once
    assert custody_chain.w3.eth.get_transaction_count(custody_address) == nonce + 1


def test_payout__node_refuses__ledger_keeps_the_signed_tx_for_the_retry(
    custody_chain, config, custody_address, monkeypatch
):
    custody_chain.mint_token(local_key(DONOR), config.assets[ERC20], custody_address, 10**18)
    payee = local_key(WLP).address
    adapter = EvmCustody(config)

    def refuse(raw: Any) -> Any:
        raise Web3RPCError("max fee per gas less than block base fee")

    monkeypatch.setattr(adapter.chain.w3.eth, "send_raw_transaction", refuse)
    with pytest.raises(CustodyBroadcastError, match="less than block base fee"):
        adapter.pay(REQUEST, "MAG7.ssi", ERC20, 10**3, payee)
    (entry,) = adapter._load()["payouts"]["0x" + REQUEST.hex()].values()
    assert entry["state"] == "sent"  # kept: the same signed transaction is re-sent
    monkeypatch.undo()
    ref = EvmCustody(config).pay(REQUEST, "MAG7.ssi", ERC20, 10**3, payee)
    assert "0x" + ref.hex() == entry["hash"]


def test_payout__already_known_answer__is_no_error(
    custody_chain, config, custody_address, monkeypatch
):
    """web3 7 raises Web3RPCError (not a ValueError) for 'already known': once a crash, now the
    node's way of saying it has the transaction."""
    _fund(custody_chain, custody_address, 10**18)
    adapter = EvmCustody(config)
    monkeypatch.setattr(
        adapter.chain.w3.eth,
        "send_raw_transaction",
        _accepts_then_errs(custody_chain, "already known"),
    )
    ref = adapter.pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, local_key(WLP).address)
    assert custody_chain.w3.eth.get_transaction_receipt(ref)["status"] == 1


def test_payout__recorded_tx_lost_its_nonce__paid_anew_once(
    custody_chain, config, custody_address, monkeypatch
):
    """A payout signed and recorded, never broadcast (the process died); meanwhile another
    transaction of the custody address took its nonce and is confirmed: the recorded one can
    never be mined, so a new one is signed: paid exactly once, at once (not a 30 s wait and an
    error on every retry)."""
    _fund(custody_chain, custody_address, 10**18)
    payee = local_key(WLP).address
    crashing = EvmCustody(config)

    def die(raw: Any) -> None:
        raise RuntimeError("crashed")

    monkeypatch.setattr(crashing.chain, "broadcast", die)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee)
    monkeypatch.undo()
    key = config.key_for(custody_address)
    custody_chain.send(key, {"to": local_key(DONOR).address, "value": 1})  # takes the nonce
    custody_chain.mine(CONFIRMATIONS)
    before = _eth(custody_chain, payee)

    ref = EvmCustody(config).pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee)
    assert _eth(custody_chain, payee) == before + 10**17
    assert EvmCustody(config).pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee) == ref
    assert _eth(custody_chain, payee) == before + 10**17


def test_payout__base_fee_rose_above_the_recorded_fee__replaced_same_nonce_paid_once(
    custody_chain, config, custody_address, monkeypatch
):
    """A payout signed and recorded, not sent (the process died); meanwhile the base fee rose
    above its max fee, so the node refuses it at every retry: the redemption would stay
    unconfirmed until the redeemer may reclaim its tokens, and the payout could still be mined
    later. It is replaced by the same transaction (same nonce) at today's fees: paid once."""
    _fund(custody_chain, custody_address, 10**18)
    payee = local_key(WLP).address
    crashing = EvmCustody(config)

    def die(raw: Any) -> None:
        raise RuntimeError("crashed")

    monkeypatch.setattr(crashing.chain, "broadcast", die)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee)
    monkeypatch.undo()
    (recorded,) = crashing._load()["payouts"]["0x" + REQUEST.hex()].values()
    make = custody_chain.w3.provider.make_request
    normal = int(custody_chain.w3.eth.get_block("latest")["baseFeePerGas"])
    make("anvil_setNextBlockBaseFeePerGas", [hex(50 * recorded["max_fee"])])
    custody_chain.mine(1)
    before = _eth(custody_chain, payee)
    nonce = custody_chain.w3.eth.get_transaction_count(custody_address)

    try:
        ref = EvmCustody(config).pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee)
    finally:  # Anvil's snapshots do not restore the base fee: the next tests need it back
        make("anvil_setNextBlockBaseFeePerGas", [hex(normal)])
    assert _eth(custody_chain, payee) == before + 10**17
    assert custody_chain.w3.eth.get_transaction_count(custody_address) == nonce + 1
    (entry,) = EvmCustody(config)._load()["payouts"]["0x" + REQUEST.hex()].values()
    assert entry["replaced"] == [recorded["hash"]] and entry["hash"] == "0x" + ref.hex()
    assert EvmCustody(config).pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, payee) == ref


# ------------------------------------------------------------------ F3: what reserves are
def test_reserves__gas_float_is_not_reserves(custody_chain, config, custody_address):
    custody_chain.mine(CONFIRMATIONS)
    assert _reported(config) == _eth(custody_chain, custody_address) - FLOAT


def test_reserves__coins_sent_since_confirmed_block_are_gone_even_with_coins_incoming(
    custody_chain, config, custody_address
):
    """Within the unconfirmed window the address received 0.5 ETH (not counted yet) and sent
    0.2 ETH (gone at once). The lower of the head's and the confirmed balance counted the
    0.2 ETH sent as still there."""
    _fund(custody_chain, custody_address, 10**18)
    custody_chain.mine(CONFIRMATIONS)
    confirmed = _eth(custody_chain, custody_address)
    _fund(custody_chain, custody_address, 5 * 10**17)
    key = config.key_for(custody_address)
    sent = custody_chain.send(key, {"to": local_key(DONOR).address, "value": 2 * 10**17})
    receipt = custody_chain.w3.eth.get_transaction_receipt(sent)
    gas = int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
    assert _reported(config) == confirmed - 2 * 10**17 - gas - FLOAT


def test_reserves__erc20_sent_since_confirmed_block_is_gone(custody_chain, config, custody_address):
    token = config.assets[ERC20]
    custody_chain.mint_token(local_key(DONOR), token, custody_address, 10**18)
    custody_chain.mine(CONFIRMATIONS)
    key = config.key_for(custody_address)
    data = custody_chain.erc20(token).encode_abi("transfer", [local_key(DONOR).address, 3])
    custody_chain.send(key, {"to": token, "data": data})
    custody_chain.mint_token(local_key(DONOR), token, custody_address, 10**17)  # unconfirmed
    assert _reported(config, ERC20) == 10**18 - 3


def test_reserves__recorded_payout_not_mined_is_not_reserves(
    custody_chain, config, custody_address, monkeypatch
):
    _fund(custody_chain, custody_address, 10**18)
    custody_chain.mine(CONFIRMATIONS)
    before = _reported(config)
    crashing = EvmCustody(config)

    def die(raw: Any) -> None:
        raise RuntimeError("crashed")

    monkeypatch.setattr(crashing.chain, "broadcast", die)
    with pytest.raises(RuntimeError, match="crashed"):
        crashing.pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, local_key(WLP).address)
    (entry,) = crashing._load()["payouts"]["0x" + REQUEST.hex()].values()
    assert _reported(config) == before - 10**17 - entry["gas"] * entry["max_fee"]


def test_payout__dipping_into_the_gas_float__refused_nothing_sent(
    custody_chain, config, custody_address
):
    custody_chain.mine(CONFIRMATIONS)
    held = _eth(custody_chain, custody_address)
    nonce = custody_chain.w3.eth.get_transaction_count(custody_address)
    adapter = EvmCustody(config)
    with pytest.raises(GasFloatError, match="below the gas float"):
        adapter.pay(REQUEST, "MAG7.ssi", NATIVE, held - FLOAT + 1, local_key(WLP).address)
    assert custody_chain.w3.eth.get_transaction_count(custody_address) == nonce
    assert adapter._load()["payouts"].get("0x" + REQUEST.hex(), {}) == {}
    adapter.pay(REQUEST, "MAG7.ssi", NATIVE, held - FLOAT, local_key(WLP).address)  # all of it


# ------------------------------------------------------------------ F5: decimals
def test_token_with_other_decimals__refused_at_start(custody_chain, config):
    six = custody_chain.deploy_token(local_key(DONOR), "BNB with 6 decimals", ERC20, 6)
    wrong = config.model_copy(update={"assets": {NATIVE: None, ERC20: six}})
    with pytest.raises(DecimalsMismatchError, match=r"BNB .* has 6 decimals, the registered"):
        EvmCustody(wrong).wallets()
    EvmCustody(config).check_decimals()  # the right token passes


# ------------------------------------------------------------------ payees
def test_payout__to_an_unregistered_redeemer__refused_nothing_sent(
    custody_chain, config, custody_address
):
    """The redeemer's protocol-chain address may be a contract (a multisig) whose address on
    the custody chain is someone else's: only an address the config registers is paid."""
    _fund(custody_chain, custody_address, 10**18)
    stranger = local_key(STRANGER).address
    before = _eth(custody_chain, stranger)
    with pytest.raises(UnregisteredPayeeError, match="no custody-chain address"):
        EvmCustody(config).pay(REQUEST, "MAG7.ssi", NATIVE, 10**17, stranger)
    assert _eth(custody_chain, stranger) == before
