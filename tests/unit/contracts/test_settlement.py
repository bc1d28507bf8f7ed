"""Regression tests for the trust-core audit findings on settlement and capacity (issue 10).

Each test names the finding it covers; each would fail on the design before the redesign
(redemptions confirmable from pending, capacity taken at request, refunds pushed, unbounded
redeem pauses, backing recorded at the confirm-time factor).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from ssikit.core.assets import KNOWN_ASSETS, MAG7_ASSETS, Asset
from ssikit.core.basket import Basket, Component
from ssikit.core.units import INDEX_UNIT
from ssikit.math import basket as bm
from ssikit.math.rounding import Rounding

DAY = 86_400
GRACE = 14 * DAY
AMOUNT = 10 * INDEX_UNIT
# `cover` sizes reserves at the current fee factor; a late confirm backs at the (higher)
# request factor, so late confirms are covered with a margin.
LATE = Fraction(101, 100)
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
PENDING_MINT, CONFIRMED, ACKNOWLEDGED, ACCEPTED, RECLAIMED = 1, 3, 7, 8, 9


@pytest.fixture
def minted(index, issuer_contract, custodian, cover, mint_request):
    """The WLP holds 100 MAG7.ssi (less the mint fee)."""
    request, _ = mint_request(index, 10 * AMOUNT)
    cover(index, 10 * AMOUNT)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    return index


@pytest.fixture
def accepted(minted, mint_request, accept_redeem):
    """An accepted redemption of AMOUNT: (request, settlement)."""
    request, _ = mint_request(minted, AMOUNT, is_mint=False)
    return request, accept_redeem(request)


@pytest.fixture
def second_wlp(holder, roles, deployer, index):
    """Another WLP of the index."""
    roles.grantRole(roles.indexRole(roles.WLP_ROLE(), index), holder, sender=deployer)
    return holder


@pytest.fixture
def local_index(deployer, registry, create_index, configure_index, project, wlp, vault, chain):
    """local_index(n): an index of n 18-decimal ERC-20s (one whole each per index token); the WLP
    holds and approved the vault for each. Returns (index, tokens)."""

    def make(n=1, symbol="LOC.ssi"):
        tokens, components = [], []
        for i in range(n):
            token = project.TestToken.deploy(f"L{i}", f"L{i}", 18, sender=deployer)
            registry.registerLocalToken(token, sender=deployer)
            asset = Asset.local_token(chain.chain_id, token.address, f"L{i}", 18)
            components.append(Component(asset_id=asset.id, amount=10**36))
            token.mint(wlp, 10**24, sender=deployer)
            token.approve(vault, 2**256 - 1, sender=wlp)
            tokens.append(token)
        index = configure_index(create_index(symbol=symbol, basket=Basket.of(components)))
        return index, tokens

    return make


# ------------------------------------------------------------------ finding 2: redemptions
def test_accepted_redeem__requester_cannot_cancel(expect_revert, accepted, issuer_contract, wlp):
    """Finding 2 "A paid redemption can still be undone": no cancel after acceptance."""
    request, _ = accepted
    with expect_revert(issuer_contract.IssuerRequestNotPending):
        issuer_contract.cancel(request.as_abi(), False, sender=wlp)
    assert issuer_contract.statusOf(wlp, request.nonce) == ACCEPTED


def test_accepted_redeem__nobody_can_expire_after_deadline(
    expect_revert, accepted, issuer_contract, stranger, wlp, chain
):
    """Finding 2: the deadline no longer releases an accepted (maybe already paid) redemption."""
    request, _ = accepted
    chain.pending_timestamp = request.deadline + 1
    with expect_revert(issuer_contract.IssuerRequestNotPending):
        issuer_contract.expire(request.as_abi(), False, sender=stranger)
    assert issuer_contract.statusOf(wlp, request.nonce) == ACCEPTED


def test_accepted_redeem__confirm_after_deadline_burns(
    accepted, minted, issuer_contract, custodian, wlp, chain
):
    """Finding 2: the custodian who paid can always confirm, deadline or not."""
    request, settlement = accepted
    chain.pending_timestamp = request.deadline + DAY
    supply = minted.totalSupply()
    issuer_contract.confirmRedeem(request.as_abi(), settlement.as_abi(), REFS7, sender=custodian)
    assert minted.totalSupply() == supply - AMOUNT
    assert minted.lockedOf(wlp) == 0
    assert issuer_contract.statusOf(wlp, request.nonce) == CONFIRMED
    assert issuer_contract.openSettlements(minted) == 0


def test_accepted_redeem__wrong_settlement__reverts(
    expect_revert, accepted, issuer_contract, custodian
):
    """Finding 2: confirm must pass back the settlement acceptance fixed."""
    request, settlement = accepted
    for wrong in ((settlement.fee_bps + 1, settlement.factor), (settlement.fee_bps, 10**27)):
        with expect_revert(issuer_contract.IssuerRequestNotPending, status=0):
            issuer_contract.confirmRedeem(request.as_abi(), wrong, REFS7, sender=custodian)


def test_accepted_redeem__reclaim_only_requester_only_after_grace(
    expect_revert, accepted, minted, issuer_contract, wlp, stranger, chain
):
    """Finding 2: the long stop. The requester (only) gets the tokens back once the deadline
    and the settlement grace have passed with nobody confirming."""
    request, settlement = accepted
    chain.pending_timestamp = request.deadline + GRACE
    with expect_revert(
        issuer_contract.IssuerNotReclaimable, reclaimableAt=request.deadline + GRACE + 1
    ):
        issuer_contract.reclaimRedeem(request.as_abi(), settlement.as_abi(), sender=wlp)
    chain.pending_timestamp = request.deadline + GRACE + 1
    with expect_revert(issuer_contract.IssuerNotRequester, caller=stranger.address):
        issuer_contract.reclaimRedeem(request.as_abi(), settlement.as_abi(), sender=stranger)
    issuer_contract.reclaimRedeem(request.as_abi(), settlement.as_abi(), sender=wlp)
    assert minted.lockedOf(wlp) == 0
    assert issuer_contract.statusOf(wlp, request.nonce) == RECLAIMED
    assert issuer_contract.openSettlements(minted) == 0


# ------------------------------------------------------------------ finding 2: rebalance
@pytest.fixture
def rebalance_plan(index, protocol, deployer, custodian):
    """A due-able rebalance of MAG7.ssi (ADA and DOGE replaced by DOT and LTC), DOT and LTC
    registered with reserve accounts for the index."""
    from decimal import Decimal

    from ssikit.builders.rebalance import plan_rebalance
    from ssikit.chain.asset_setup import set_up_asset
    from ssikit.presets.indices import fixed_announcement

    usd = {"BTC": 43000, "ETH": 2550, "BNB": 310, "SOL": 95, "XRP": 0.57, "ADA": 0.52}
    usd |= {"DOGE": 0.08, "DOT": 7.2, "LTC": 70}
    for symbol in ("DOT", "LTC"):  # registered, USD feeds (a TestPriceFeed), reserve accounts
        set_up_asset(
            protocol,
            KNOWN_ASSETS[symbol],
            price=Decimal(str(usd[symbol])),
            feed_max_age=DAY,
            index=index.address,
            custodians=[custodian.address],
            reserve_max_age=DAY,
            sender=deployer,
        )
    stored, _, units, version, _ = index.basketState()
    current = Basket.of(Component(asset_id=bytes(a), amount=int(x)) for a, x in stored)
    assets = {a.id: a for a in MAG7_ASSETS}
    prices = {s: Decimal(str(p)) for s, p in usd.items()}
    return plan_rebalance(fixed_announcement(), prices, current, int(units), int(version), assets)


def test_due_rebalance__waits_for_accepted_redemption(
    expect_revert, accepted, minted, rebalance_plan, index_compiler, stranger, chain
):
    """Finding 2: a rebalance due while a redemption is accepted cannot change the basket it
    settles at."""
    plan = rebalance_plan
    when = chain.blocks.head.timestamp + 2 * DAY + 60
    commitment = bytes.fromhex(plan.commitment[2:])
    minted.proposeRebalance(
        plan.components(),
        plan.price_tuples(),
        commitment,
        when,
        b"\x00" * 32,
        sender=index_compiler,
    )
    chain.mine(1, timestamp=when)
    with expect_revert(minted.RebalanceSettlementsOpen, open=1):
        minted.activateRebalance(
            plan.components(), commitment, when, index_compiler.address, sender=stranger
        )
    assert minted.basketVersion() == 1


# ------------------------------------------------------------------ finding 2: mint mirror
def test_acknowledged_mint__no_cancel_no_expire_confirms_after_deadline(
    expect_revert, index, issuer_contract, wlp, custodian, stranger, mint_request, cover, chain
):
    """Finding 2 (mint mirror): once the custodian acknowledged the delivery, the WLP cannot
    take it back and the deadline does not end it; it confirms with empty refs."""
    request, _ = mint_request(index, AMOUNT)
    issuer_contract.acknowledgeMint(request.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.statusOf(wlp, request.nonce) == ACKNOWLEDGED
    assert issuer_contract.openSettlements(index) == 1
    with expect_revert(issuer_contract.IssuerRequestNotPending, status=ACKNOWLEDGED):
        issuer_contract.cancel(request.as_abi(), True, sender=wlp)
    chain.pending_timestamp = request.deadline + DAY
    with expect_revert(issuer_contract.IssuerRequestNotPending, status=ACKNOWLEDGED):
        issuer_contract.expire(request.as_abi(), True, sender=stranger)
    with expect_revert(issuer_contract.IssuerDeliveryRefsMismatch, given=7, expected=0):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    cover(index, AMOUNT, margin=LATE)
    receipt = issuer_contract.confirmMint(request.as_abi(), [], sender=custodian)
    assert receipt.decode_logs(issuer_contract.MintConfirmed)[0].refs == []
    assert index.balanceOf(wlp) > 0
    assert issuer_contract.statusOf(wlp, request.nonce) == CONFIRMED
    assert issuer_contract.openSettlements(index) == 0


def test_acknowledged_mint__reclaim_after_grace_makes_escrow_claimable(
    expect_revert, local_index, issuer_contract, wlp, custodian, mint_request, chain, vault
):
    """Finding 2 (mint mirror): the long stop of a mint nobody settled."""
    index, (token,) = local_index(1)
    request, receipt = mint_request(index, AMOUNT)
    (pulled,) = receipt.decode_logs(issuer_contract.MintRequested)[0].escrowAmounts
    issuer_contract.acknowledgeMint(request.as_abi(), [], sender=custodian)
    chain.pending_timestamp = request.deadline + GRACE
    with expect_revert(issuer_contract.IssuerNotReclaimable):
        issuer_contract.reclaimMint(request.as_abi(), sender=wlp)
    chain.pending_timestamp = request.deadline + GRACE + 1
    issuer_contract.reclaimMint(request.as_abi(), sender=wlp)
    assert vault.claimable(wlp, token) == pulled and vault.escrowed(token) == 0
    assert issuer_contract.statusOf(wlp, request.nonce) == RECLAIMED
    assert issuer_contract.openSettlements(index) == 0


# ------------------------------------------------------------------ finding 4: capacity
def test_request_cancel_loop__blocks_only_the_looping_wlp(
    index, issuer_contract, mint_request, second_wlp, wlp, custodian, cover
):
    """Finding 4 "One WLP can block everyone's mints": requests that never settle consume
    neither the index's capacity nor another WLP's."""
    index_before = issuer_contract.availableCapacity(index)
    honest_before = issuer_contract.participantCapacity(index, wlp)
    for _ in range(5):
        request, _ = mint_request(index, 10_000 * INDEX_UNIT, sender=second_wlp)
        issuer_contract.cancel(request.as_abi(), True, sender=second_wlp)
    assert issuer_contract.availableCapacity(index) == index_before
    assert issuer_contract.participantCapacity(index, wlp) == honest_before
    request, _ = mint_request(index, 10_000 * INDEX_UNIT)
    cover(index, 10_000 * INDEX_UNIT)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.availableCapacity(index)[0] == index_before[0] - 10_000 * INDEX_UNIT


@pytest.mark.parametrize("ending", ["cancel", "reject", "expire"])
def test_unsettled_request__gives_the_wlp_capacity_back(
    index, issuer_contract, mint_request, wlp, custodian, stranger, chain, ending
):
    """Finding 4: cancel, reject and expire return what the request took of the WLP's own
    capacity."""
    before = issuer_contract.participantCapacity(index, wlp)[0]
    request, _ = mint_request(index, AMOUNT)
    assert issuer_contract.participantCapacity(index, wlp)[0] == before - AMOUNT
    if ending == "cancel":
        issuer_contract.cancel(request.as_abi(), True, sender=wlp)
    elif ending == "reject":
        issuer_contract.reject(request.as_abi(), True, 1, sender=custodian)
    else:
        chain.pending_timestamp = request.deadline + 1
        issuer_contract.expire(request.as_abi(), True, sender=stranger)
    assert issuer_contract.participantCapacity(index, wlp)[0] == before


def test_index_capacity__consumed_at_confirm_and_accept_only(
    index, issuer_contract, mint_request, custodian, cover, accept_redeem
):
    """Finding 4: the index's capacity moves only with real issuance."""
    mint_before, redeem_before = issuer_contract.availableCapacity(index)
    request, _ = mint_request(index, AMOUNT)
    assert issuer_contract.availableCapacity(index) == (mint_before, redeem_before)
    cover(index, AMOUNT)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.availableCapacity(index)[0] == mint_before - AMOUNT
    redeem, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    assert issuer_contract.availableCapacity(index)[1] == redeem_before
    accept_redeem(redeem)
    assert issuer_contract.availableCapacity(index)[1] == redeem_before - INDEX_UNIT


# ------------------------------------------------------------------ lower findings
def test_redeem_pause__cannot_be_renewed_before_next_pause_at(
    expect_revert, index, issuer_contract, pauser, chain
):
    """Lower finding: a pauser cannot keep redemptions paused forever by renewing."""
    issuer_contract.pauseRedeem(index, 7 * DAY, sender=pauser)
    until, next_at = issuer_contract.redeemPause(index)
    assert next_at == until + 7 * DAY
    with expect_revert(issuer_contract.IssuerPauseTooLong, nextPauseAt=next_at):
        issuer_contract.pauseRedeem(index, DAY, sender=pauser)
    chain.pending_timestamp = until + 1  # the pause lapsed, the cool-down has not
    with expect_revert(issuer_contract.IssuerPauseTooLong, nextPauseAt=next_at):
        issuer_contract.pauseRedeem(index, DAY, sender=pauser)
    chain.pending_timestamp = next_at
    issuer_contract.pauseRedeem(index, DAY, sender=pauser)


def test_rejected_refund__claimed_per_token_independently(
    expect_revert, local_index, issuer_contract, wlp, custodian, mint_request, vault, stranger
):
    """Lower finding: refunds are pulled one token at a time, so one token cannot freeze the
    others; a token with nothing claimable reverts."""
    index, (first, second) = local_index(2, "TWO.ssi")
    request, receipt = mint_request(index, AMOUNT)
    event = receipt.decode_logs(issuer_contract.MintRequested)[0]
    pulled = dict(zip(event.escrowTokens, event.escrowAmounts, strict=True))
    issuer_contract.reject(request.as_abi(), True, 9, sender=custodian)
    before = second.balanceOf(wlp)
    vault.claim(second, wlp, sender=wlp)
    assert second.balanceOf(wlp) == before + pulled[second.address]
    assert vault.claimable(wlp, first) == pulled[first.address]  # untouched, still claimable
    with expect_revert(vault.VaultNothingToClaim, account=wlp.address, token=second.address):
        vault.claim(second, wlp, sender=wlp)
    with expect_revert(vault.VaultNothingToClaim, account=stranger.address):
        vault.claim(first, stranger, sender=stranger)
    vault.claim(first, wlp, sender=wlp)
    assert vault.claimable(wlp, first) == 0


def test_zero_amount__refused(expect_revert, index, issuer_contract, wlp, deployer, chain):
    """Lower finding: a zero amount is never a request, and minAmount 0 is not a limit."""
    deadline = chain.blocks.head.timestamp + DAY
    with expect_revert(issuer_contract.IssuerZeroAmount):
        issuer_contract.requestMint(index, 0, 1, 50, 1, deadline, sender=wlp)
    with expect_revert(issuer_contract.IssuerZeroAmount):
        issuer_contract.requestRedeem(index, 0, 1, 50, 2, deadline, sender=wlp)
    limits = list(issuer_contract.limits(index))
    limits[0] = 0
    with expect_revert(issuer_contract.IssuerInvalidLimits):
        issuer_contract.setLimits(index, tuple(limits), sender=deployer)


def test_mint_confirmed_late__backing_at_request_factor_fee_share_gets_the_wait(
    index, issuer_contract, wlp, custodian, mint_request, cover, chain
):
    """Lower finding "waiting-time fee surplus": a mint confirmed days after its request
    records backing = amount × request factor, so the fee of the wait is the fee recipient's."""
    request, _ = mint_request(index, AMOUNT, deadline=chain.blocks.head.timestamp + 10 * DAY)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 5 * DAY)
    cover(index, AMOUNT, margin=LATE)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    _, factor, units, *_ = index.basketState()
    assert factor < request.factor  # the fee accrued while waiting
    assert units == bm.backing(AMOUNT, request.factor, Rounding.CEIL)
    supply = index.totalSupply()
    assert index.feeShare() == bm.fee_share(units, supply, index.feeFactor())
    # The old design recorded backing at the confirm factor: the share would be the fee alone.
    old = bm.fee_share(bm.backing(AMOUNT, factor, Rounding.CEIL), supply, factor)
    assert index.feeShare() > old


def test_request_redeem__stale_basket_version__reverts(
    expect_revert, minted, issuer_contract, mint_request
):
    """Lower finding: a redemption must name the current basket version."""
    with expect_revert(issuer_contract.IssuerBasketVersionMismatch, requested=2, current=1):
        mint_request(minted, INDEX_UNIT, is_mint=False, basket_version=2)


@pytest.mark.parametrize("who", ["deployer", "issuer", "stranger"])
def test_vault_release__anyone_but_the_bound_issuer__reverts(
    expect_revert, vault, request, local_index, who
):
    """Lower finding: only the bound Issuer contract moves what an index owns; not the admin,
    not an ISSUER_ROLE holder."""
    index, (token,) = local_index(1)
    account = request.getfixturevalue(who)
    with expect_revert(vault.VaultNotIssuer, caller=account.address):
        vault.release(index, token, account, 1, sender=account)


def test_vault_bind_issuer__twice_or_unlisted__reverts(
    expect_revert, vault, versions, deployer, issuer_contract
):
    """Lower finding: the vault trusts only issuer versions listed in the version registry,
    each bound once and for good; an account that is not a listed issuer cannot be bound."""
    assert vault.isBoundIssuer(issuer_contract.address)
    assert not vault.isBoundIssuer(deployer.address)
    with expect_revert(vault.VaultIssuerBound, issuer=issuer_contract.address):
        vault.bindIssuer(issuer_contract, sender=deployer)
    with expect_revert(versions.VersionNotListed, kind=0, target=deployer.address):
        vault.bindIssuer(deployer, sender=deployer)
    assert not vault.isBoundIssuer(deployer.address)
