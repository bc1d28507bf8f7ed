"""The second custody audit's findings on the custody chain alone (web3, a second Anvil):

- the legs of one redemption are judged together: the gas the token legs burn comes out of
  the native coin the native leg needs, so a redemption that would be paid in part is refused
  before any leg is paid;
- reserves read while a recorded payout is mined count it once, never not at all;
- a WLP's delivery is named in a notice before it is sent, so a late receipt cannot leave
  coins at the custody address that no notice names."""

from __future__ import annotations

import pytest

from ssikit.custody.chain import local_key, start_custody_chain
from ssikit.custody.errors import CustodyError
from ssikit.custody.evm import EvmCustody, deliver, read_notices
from ssikit.custody.local import ERC20, GAS_FLOAT, NATIVE, set_up_local_custody

WLP = 3
RID = bytes(range(32))


@pytest.fixture(scope="module")
def custody_chain():
    with start_custody_chain() as chain:
        yield chain


def _funded(custody_chain, tmp_path, **options):
    config = set_up_local_custody(
        custody_chain, tmp_path, ["MAG7.ssi"], wlps=[local_key(WLP).address], **options
    )
    address = config.accounts["MAG7.ssi"]
    deployer = local_key(0)
    custody_chain.mint_token(deployer, config.assets[ERC20], address, 10**18)
    custody_chain.send(deployer, {"to": address, "value": 10**18})
    custody_chain.mine(3)
    return config


@pytest.mark.parametrize("gas_float", [0, GAS_FLOAT // 2])
def test_can_pay__native_leg_and_the_token_legs_gas_together(custody_chain, tmp_path, gas_float):
    config = _funded(custody_chain, tmp_path, gas_float=gas_float)
    custody, payee = EvmCustody(config), local_key(WLP).address
    reserves = {w.asset: w.balance for w in custody.wallets()}
    # All of the native reserves: the BNB leg's gas would leave too little for the ETH leg.
    legs = {ERC20: 10**18, NATIVE: reserves[NATIVE]}
    refused = custody.can_pay(RID, "MAG7.ssi", legs, payee)
    assert len(refused) == 1 and refused[0].startswith(f"{NATIVE}: paying ") and "gas" in refused[0]
    assert custody.payout_of(RID, ERC20) is None and custody.payout_of(RID, NATIVE) is None

    # Room for the gas: every leg payable, and every leg is paid.
    legs[NATIVE] = reserves[NATIVE] - 10**16
    assert custody.can_pay(RID, "MAG7.ssi", legs, payee) == []
    for asset, amount in legs.items():
        custody.pay(RID, "MAG7.ssi", asset, amount, payee)
    assert custody.payout_of(RID, ERC20) and custody.payout_of(RID, NATIVE)
    assert custody.can_pay(RID, "MAG7.ssi", legs, payee) == []  # recorded: resumed, not refused


def test_can_pay__short_leg_named_and_nothing_else_judged(custody_chain, tmp_path):
    config = _funded(custody_chain, tmp_path)
    refused = EvmCustody(config).can_pay(
        RID, "MAG7.ssi", {ERC20: 2 * 10**18, NATIVE: 1}, local_key(WLP).address
    )
    assert refused == [f"{ERC20}: custody holds {10**18} {ERC20} for MAG7.ssi, too little to "
                       f"pay {2 * 10**18}"]  # fmt: skip


def test_wallets__payout_mined_while_reading__never_counted_as_reserves(
    custody_chain, tmp_path, monkeypatch
):
    config = _funded(custody_chain, tmp_path, confirmations=2)
    address = config.accounts["MAG7.ssi"]
    payer = EvmCustody(config)
    sent: list[bytes] = []

    def crash(raw: bytes) -> None:  # recorded, then the process dies before it is sent
        sent.append(raw)
        raise RuntimeError("crashed")

    monkeypatch.setattr(payer.chain, "broadcast", crash)
    with pytest.raises(RuntimeError, match="crashed"):
        payer.pay(RID, "MAG7.ssi", NATIVE, 5 * 10**17, local_key(WLP).address)
    monkeypatch.undo()

    original = EvmCustody._pending_out

    def payout_lands_while_reading(self):
        if sent:  # the recorded payout is mined just before it is looked for
            self.chain.w3.eth.send_raw_transaction(sent.pop())
            self.chain.mine(1)
        return original(self)

    monkeypatch.setattr(EvmCustody, "_pending_out", payout_lands_while_reading)
    reported = next(w.balance for w in EvmCustody(config).wallets() if w.asset == NATIVE)
    assert not sent  # the hook ran: the payout left during the read
    assert reported <= int(custody_chain.w3.eth.get_balance(address))


def test_deliver__late_receipt__the_notice_is_recorded_and_one_line(
    custody_chain, tmp_path, monkeypatch
):
    from web3.exceptions import TimeExhausted

    config = set_up_local_custody(
        custody_chain, tmp_path, ["MAG7.ssi"], wlps=[local_key(WLP).address]
    )
    address = config.accounts["MAG7.ssi"]
    before = int(custody_chain.w3.eth.get_balance(address))

    def late(tx_hash, timeout=120, poll_latency=0.1):
        raise TimeExhausted(f"{tx_hash!r} not in the chain after {timeout} s")

    monkeypatch.setattr(custody_chain.w3.eth, "wait_for_transaction_receipt", late)
    with pytest.raises(
        CustodyError, match=r"notice recorded, but not mined .*do not deliver again"
    ):
        deliver(custody_chain, local_key(WLP), config, RID, "MAG7.ssi", NATIVE, 10**18)
    monkeypatch.undo()
    custody_chain.mine(1)
    assert int(custody_chain.w3.eth.get_balance(address)) - before == 10**18
    (notice,) = read_notices(config.notices)
    assert notice.request == RID and notice.asset == NATIVE
    assert custody_chain.w3.eth.get_transaction_receipt(notice.tx).status == 1


def test_payee_with_code__refused_before_any_leg(custody_chain, tmp_path):
    """A contract can take one leg and refuse the next: a redeemer whose custody-chain address
    holds code is not paid at all (second custody re-audit)."""
    config = _funded(custody_chain, tmp_path)
    redeemer = local_key(WLP).address
    contract = config.assets[ERC20]  # any address with code
    custody = EvmCustody(config.model_copy(update={"participants": {redeemer: contract}}))
    refused = custody.can_pay(RID, "MAG7.ssi", {ERC20: 1, NATIVE: 1}, redeemer)
    assert len(refused) == 2 and all("is a contract" in line for line in refused)
    with pytest.raises(CustodyError, match="is a contract"):
        custody.pay(RID, "MAG7.ssi", NATIVE, 1, redeemer)
    assert custody.payout_of(RID, NATIVE) is None


def test_sign__a_transaction_that_would_revert__custody_error(custody_chain, tmp_path):
    """web3's own ContractLogicError from the gas estimate is a CustodyError (the service's
    loop catches those, one line per request), not an exception that ends the loop."""
    from ssikit.builders.custody import erc20_transfer_data

    config = _funded(custody_chain, tmp_path)
    key = local_key(7)  # holds none of the token
    tx = {"to": config.assets[ERC20], "data": erc20_transfer_data(key.address, 10**30, RID)}
    with pytest.raises(CustodyError, match="would revert"):
        custody_chain.sign(key, tx)


def test_started__a_leg_recorded_but_never_sent_counts(custody_chain, tmp_path, monkeypatch):
    config = _funded(custody_chain, tmp_path)
    payer = EvmCustody(config)

    def crash(raw: bytes) -> None:
        raise RuntimeError("crashed")

    assert not payer.started(RID)
    monkeypatch.setattr(payer.chain, "broadcast", crash)
    with pytest.raises(RuntimeError, match="crashed"):
        payer.pay(RID, "MAG7.ssi", NATIVE, 10**15, local_key(WLP).address)
    assert payer.payout_of(RID, NATIVE) is None and EvmCustody(config).started(RID)


def test_begun_redemption__payee_gains_code__the_rest_is_still_paid(custody_chain, tmp_path):
    """Once a leg is paid, code the payee gains (an EIP-7702 delegation, a CREATE2 wallet;
    here set with anvil_setCode) neither stops nor refuses the other legs: the native leg,
    the only one it could make fail, is paid first (``refusable``), and an ERC-20 transfer
    cannot be refused by its recipient (third custody review)."""
    config = _funded(custody_chain, tmp_path)
    redeemer = local_key(WLP).address
    payee = config.participants.get(redeemer, redeemer)
    custody = EvmCustody(config)
    legs = {ERC20: 10**17, NATIVE: 10**17}
    assert custody.refusable(NATIVE) and not custody.refusable(ERC20)
    assert custody.can_pay(RID, "MAG7.ssi", legs, redeemer) == []
    custody.pay(RID, "MAG7.ssi", NATIVE, legs[NATIVE], redeemer)  # the refusable leg first
    custody_chain.w3.provider.make_request("anvil_setCode", [payee, "0xfe"])  # reverts all
    try:
        assert custody.can_pay(RID, "MAG7.ssi", legs, redeemer) == []  # begun: not refused
        custody.pay(RID, "MAG7.ssi", ERC20, legs[ERC20], redeemer)
        assert custody.payout_of(RID, ERC20) and custody.payout_of(RID, NATIVE)
        fresh = bytes(reversed(RID))  # a redemption not begun: refused for the code
        assert all("is a contract" in x for x in custody.can_pay(fresh, "MAG7.ssi", legs, redeemer))
    finally:
        custody_chain.w3.provider.make_request("anvil_setCode", [payee, "0x"])
