"""Regressions for the findings of the outside review of the trust core (issue 10): each test
is the reviewer's proof, turned around to assert the fixed behaviour."""

from __future__ import annotations

from ssikit.core.assets import Asset
from ssikit.core.basket import Basket, Component
from ssikit.core.units import INDEX_UNIT

DAY = 86_400
RAY = 10**27
AMOUNT = 1_000 * INDEX_UNIT
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
CAP = 20_000 * INDEX_UNIT  # IssuanceSettings.participant_mint_capacity
HALF = CAP // 2  # IssuanceSettings.max_amount


def _minted(index, issuer_contract, custodian, cover, mint_request, amount=AMOUNT):
    request, _ = mint_request(index, amount)
    cover(index, amount)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    return request


def test_collect_fees__while_a_redemption_is_accepted__refused_and_supply_stays_backed(
    expect_revert, index, issuer_contract, custodian, cover, mint_request, accept_redeem,
    fee_recipient, wlp, chain,
):  # fmt: skip
    """High: the locked tokens of an accepted redemption are paid at their acceptance factor;
    collecting fees on them meanwhile minted that decay twice, leaving tokens unbacked and the
    last redemption unconfirmable (backing units below zero)."""
    _minted(index, issuer_contract, custodian, cover, mint_request)
    redeem, _ = mint_request(index, index.balanceOf(wlp), is_mint=False)
    settlement = accept_redeem(redeem)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 365 * DAY)  # a slow custodian
    with expect_revert(index.RebalanceSettlementsOpen, open=1):
        index.collectFees(fee_recipient, sender=fee_recipient)
    issuer_contract.confirmRedeem(redeem.as_abi(), settlement.as_abi(), REFS7, sender=custodian)
    index.collectFees(fee_recipient, sender=fee_recipient)  # settled: the share is collected
    assert index.backingUnits() * RAY >= index.totalSupply() * index.feeFactor()
    # ... and the fee recipient's tokens redeem to the end.
    index.transfer(wlp, index.balanceOf(fee_recipient), sender=fee_recipient)
    last, _ = mint_request(index, index.balanceOf(wlp), is_mint=False)
    last_settlement = accept_redeem(last)
    issuer_contract.confirmRedeem(last.as_abi(), last_settlement.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.openSettlements(index) == 0 and index.totalSupply() == 0


def test_accepted_redeem__requester_blocking_transfers__still_confirms_payout_claimable(
    deployer, registry, create_index, configure_index, project, wlp, vault, chain,
    issuer_contract, custodian, mint_request, accept_redeem,
):  # fmt: skip
    """Medium: on-chain payouts were pushed to the requester, who could make them fail, keep the
    settlement open (rebalances blocked) and reclaim its tokens. Payouts are now claimable."""
    token = project.ReentrantToken.deploy(sender=deployer)
    registry.registerLocalToken(token, sender=deployer)
    asset = Asset.local_token(chain.chain_id, token.address, "REEN", 18)
    basket = Basket.of([Component(asset_id=asset.id, amount=10**36)])
    index = configure_index(create_index(symbol="REEN.ssi", basket=basket))
    token.mint(wlp, 10**24, sender=deployer)
    token.approve(vault, 2**256 - 1, sender=wlp)
    request, _ = mint_request(index, 10 * INDEX_UNIT)
    issuer_contract.confirmMint(request.as_abi(), [], sender=custodian)

    redeem, _ = mint_request(index, index.balanceOf(wlp), is_mint=False)
    settlement = accept_redeem(redeem)
    token.arm(issuer_contract.address, b"", sender=wlp)  # any transfer now reverts
    receipt = issuer_contract.confirmRedeem(
        redeem.as_abi(), settlement.as_abi(), [], sender=custodian
    )
    paid = receipt.decode_logs(issuer_contract.RedeemPaidOnChain)[0].amounts[0]
    assert issuer_contract.openSettlements(index) == 0 and index.balanceOf(wlp) == 0
    assert vault.claimable(wlp, token) == paid > 0
    assert vault.heldFor(index, token) == vault.totalHeld(token)


def test_request__deadline_beyond_max_ttl__reverts(
    expect_revert, index, issuer_contract, mint_request, chain
):
    """Medium: an unbounded deadline let an unconfirmable accepted redemption block the index's
    rebalances for ~35,000 years before the requester could reclaim it."""
    ttl = issuer_contract.MAX_REQUEST_TTL()
    with expect_revert(issuer_contract.IssuerDeadlineTooFar, deadline=2**40 - 1):
        mint_request(index, INDEX_UNIT, is_mint=True, deadline=2**40 - 1)
    mint_request(index, INDEX_UNIT, deadline=chain.blocks.head.timestamp + ttl - 60)


def test_participant_capacity__counts_open_requests_however_old(
    index, issuer_contract, mint_request, wlp, chain, expect_revert
):
    """Low: a cancelled request gave its whole amount back even after it had drained out of a
    rolling bucket, so a WLP could hold twice its own capacity open within one window. The
    WLP's capacity is now what it may have open: old requests count until they end."""
    deadline = chain.blocks.head.timestamp + 5 * DAY
    old = [mint_request(index, HALF, deadline=deadline)[0] for _ in range(2)]
    chain.mine(1, timestamp=chain.blocks.head.timestamp + DAY + 1)  # a whole window passes
    assert issuer_contract.participantCapacity(index, wlp)[0] == 0
    with expect_revert(issuer_contract.IssuerCapacityExceeded, amount=HALF, available=0):
        mint_request(index, HALF, deadline=deadline)
    issuer_contract.cancel(old[0].as_abi(), True, sender=wlp)
    assert issuer_contract.participantCapacity(index, wlp)[0] == HALF  # exactly what it took
    fresh, _ = mint_request(index, HALF, deadline=deadline)
    open_now = [old[1], fresh]
    assert all(issuer_contract.statusOf(wlp, r.nonce) == 1 for r in open_now)
    assert sum(r.amount for r in open_now) == CAP  # never more than the capacity open


def test_custodian_removed__feed_records_a_zero_round(
    index, oracle, post_report, custodian, deployer, project
):
    """Low: after the account's only custodian was removed the feed kept answering the old
    reserves; it now records a round of 0 reserves."""
    asset = bytes(index.basketState()[0][0][0])
    post_report({asset: 123_456})
    feed = project.ReserveFeed.deploy(oracle, index, asset, 18, "reserves", sender=deployer)
    feed.update(sender=deployer)
    assert feed.latestAnswer() == 123_456
    oracle.removeCustodian(index, asset, custodian, sender=deployer)
    assert oracle.reservesOf(index, asset) == (0, 0)
    feed.update(sender=deployer)
    assert (feed.latestAnswer(), feed.latestRound()) == (0, 2)
    assert feed.getRoundData(1)[1] == 123_456  # the superseded round keeps its answer
    feed.update(sender=deployer)
    assert feed.latestRound() == 2  # no new round while nothing changes
