"""The custodian service on two chains under the custody audit's attacks: a redemption one of
whose legs cannot be paid is paid in none (else the redeemer, after the settlement grace, could
reclaim its tokens and keep the paid legs); a redeemer whose custody-chain address nobody
registered is not paid (and nothing is confirmed); and a reorg of
the custody chain deeper than the confirmations, after a mint was acknowledged, is not hidden:
the report that would show the loss is refused with the ratio, and posted when forced."""

from __future__ import annotations

from typing import Any

from test_custody_chain import (  # the module's fixtures and helpers, shared
    ON_CUSTODY_CHAIN,
    SYMBOLS,
    _balance,
    _custody,
    _deliver,
    _deliver_offchain,
    _later,
    _service,
    _status,
    custody_chain,
    custody_config,
    custody_isolation,
    custody_setup,
    two_chain_mag7,
    wallets,
)

from ssikit.bots.custodian import WalletFileCustody
from ssikit.chain.issuance import WlpClient
from ssikit.core.units import INDEX_UNIT
from ssikit.custody.evm import EvmCustody
from ssikit.custody.local import ERC20, NATIVE

__all__ = [  # fixtures used by name
    "custody_chain",
    "custody_config",
    "custody_isolation",
    "custody_setup",
    "two_chain_mag7",
    "wallets",
]


def _minted(system, token, wlp, custody_chain, config, wallets, chain, service) -> Any:
    minted = WlpClient(system, wlp).mint("MAG7.ssi", 2 * INDEX_UNIT)
    _deliver_offchain(wallets, token, minted)
    _deliver(custody_chain, config, token, minted)
    custody_chain.mine(1)
    _later(chain)
    assert service.tick()["confirmed"]
    return minted


def test_redeem__redeemer_not_registered__not_paid_not_confirmed(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain
):
    _, system, ids, token = two_chain_mag7
    service = _service(system, custodian, ids, _custody(wallets, custody_config))
    _minted(system, token, wlp, custody_chain, custody_config, wallets, chain, service)
    unregistered = custody_config.model_copy(update={"participants": {}})
    service = _service(system, custodian, ids, _custody(wallets, unregistered))
    before = {a: _balance(custody_chain, custody_config, a, wlp.address) for a in ON_CUSTODY_CHAIN}
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    _later(chain)
    (waiting,) = service.tick()["waiting"]
    assert waiting["outcome"].startswith("not paid: BNB: redeemer ")
    assert "has no custody-chain address" in waiting["outcome"]
    for asset in ON_CUSTODY_CHAIN:
        assert _balance(custody_chain, custody_config, asset, wlp.address) == before[asset]
    assert _status(system, redeemed) == "redeem accepted"  # locked; paid once registered

    registered = _service(system, custodian, ids, _custody(wallets, custody_config))
    _later(chain)
    assert registered.tick()["confirmed"][0]["id"] == "0x" + redeemed.id.hex()


def test_reorg_beyond_confirmations_after_acknowledgement__loss_reported_not_hidden(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain
):
    """The WLP's delivery is confirmed (2 blocks), acknowledged and minted; then the custody
    chain reorganises deeper than that and the delivery is gone. The ledger still binds the
    transaction to the mint (it can back no other request), the report showing the loss is
    refused as under-covering (an alert with the ratio), and a forced one puts the loss on
    chain: the index is under-covered, so no new mint is confirmed on it."""
    _, system, ids, token = two_chain_mag7
    before_delivery = custody_chain.w3.provider.make_request("evm_snapshot", [])["result"]
    service = _service(system, custodian, ids, _custody(wallets, custody_config))
    minted = _minted(system, token, wlp, custody_chain, custody_config, wallets, chain, service)
    assert _status(system, minted) == "confirmed"
    reserves, _ = system.oracle.reservesOf(token, ids[ERC20])

    custody_chain.w3.provider.make_request("evm_revert", [before_delivery])  # the deep reorg
    custody_chain.mine(3)
    _later(chain)
    tick = service.tick()
    (alert,) = [a for a in tick["alerts"] if a.startswith("report refused")]
    assert "MAG7.ssi would be under-covered in BNB: ratio 0.000000" in alert  # ETH: the float
    assert system.oracle.reservesOf(token, ids[ERC20])[0] == reserves  # nothing posted
    assert len(custody_config.ledger.read_text()) > 0  # the bindings stay

    forced = _service(system, custodian, ids, _custody(wallets, custody_config), force=True)
    _later(chain)
    tick = forced.tick()
    assert tick["reported"] and "MAG7.ssi is under-covered" in tick["alerts"]
    assert system.oracle.reservesOf(token, ids[ERC20])[0] == 0


def test_redeem__one_leg_unpayable__no_leg_paid(
    two_chain_mag7, custody_chain, custody_config, wallets, custodian, wlp, chain
):
    """The custody address's BNB is gone (moved out, say, to trade); the ETH leg could be paid.
    Paying it alone would leave the redemption accepted and unconfirmable: after the
    settlement grace the redeemer reclaims its index tokens and keeps the ETH."""
    from ssikit.custody.local import simulate_trade

    _, system, ids, token = two_chain_mag7
    service = _service(system, custodian, ids, _custody(wallets, custody_config))
    _minted(system, token, wlp, custody_chain, custody_config, wallets, chain, service)
    held = _balance(custody_chain, custody_config, ERC20, custody_config.accounts["MAG7.ssi"])
    simulate_trade(custody_chain, custody_config, "MAG7.ssi", ERC20, -held)
    before = {a: _balance(custody_chain, custody_config, a, wlp.address) for a in ON_CUSTODY_CHAIN}
    redeemed = WlpClient(system, wlp).redeem("MAG7.ssi", INDEX_UNIT)
    _later(chain)
    (waiting,) = service.tick()["waiting"]
    for asset in ON_CUSTODY_CHAIN:  # not the ETH leg either
        assert _balance(custody_chain, custody_config, asset, wlp.address) == before[asset]
    book = WalletFileCustody(wallets)  # nor any leg of the wallet file's (BTC, SOL, ...)
    assert {a: book.payout_of(redeemed.id, a) for a in SYMBOLS.values()} == dict.fromkeys(
        SYMBOLS.values()
    )
    assert EvmCustody(custody_config).payout_of(redeemed.id, NATIVE) is None
    assert waiting["outcome"].startswith("not paid: BNB: custody holds 0 BNB"), waiting
