"""Issuer: mint and redeem lifecycle, every failure path, on-chain components, hostile tokens."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ssikit.builders.requests import request_id
from ssikit.chain.issuance import mint_deposit
from ssikit.core.assets import Asset, asset_id
from ssikit.core.basket import Basket, Component
from ssikit.core.units import INDEX_UNIT, PRECISION
from ssikit.math import basket as bm
from ssikit.math.rounding import Rounding

DAY = 86_400
MINT_FEE_BPS, REDEEM_FEE_BPS = 10, 20
AMOUNT = 10 * INDEX_UNIT
PENDING_MINT, PENDING_REDEEM, CONFIRMED, REJECTED, CANCELLED, EXPIRED = 1, 2, 3, 4, 5, 6
ACCEPTED = 8
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]


def _fee(amount, bps):
    from ssikit.math.fees import issuance_fee

    return issuance_fee(amount, bps)


def _minted(index, wlp, cover, issuer_contract, custodian, mint_request, amount=AMOUNT):
    request, _ = mint_request(index, amount)
    cover(index, amount)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    return request


def _redeemed(issuer_contract, custodian, accept_redeem, request, refs=REFS7):
    """Accept, then confirm: the receipt of confirmRedeem and the settlement."""
    settlement = accept_redeem(request)
    receipt = issuer_contract.confirmRedeem(
        request.as_abi(), settlement.as_abi(), refs, sender=custodian
    )
    return receipt, settlement


# ------------------------------------------------------------------ mint, off-chain components
def test_mint__request_then_confirm__wlp_gets_amount_minus_fee(
    index, issuer_contract, wlp, custodian, cover, mint_request, chain
):
    request, receipt = mint_request(index, AMOUNT)
    event = receipt.decode_logs(issuer_contract.MintRequested)[0]
    expected_id = request_id(request, True, chain.chain_id, issuer_contract.address)
    assert bytes(event.id) == expected_id
    assert (event.requester, event.amount, event.basketVersion) == (wlp.address, AMOUNT, 1)
    assert 0 < event.factor == request.factor <= 10**27
    assert issuer_contract.statusOf(wlp, request.nonce) == PENDING_MINT

    cover(index, AMOUNT)
    receipt = issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    fee = _fee(AMOUNT, MINT_FEE_BPS)
    confirmed = receipt.decode_logs(issuer_contract.MintConfirmed)[0]
    assert (confirmed.minted, confirmed.fee) == (AMOUNT - fee, fee)
    assert [bytes(r) for r in confirmed.refs] == REFS7
    assert index.balanceOf(wlp) == AMOUNT - fee
    assert index.feeShare() >= fee
    assert issuer_contract.statusOf(wlp, request.nonce) == CONFIRMED


def test_confirm_mint__reserves_stale__reverts_and_changes_nothing(
    expect_revert, index, issuer_contract, custodian, mint_request, oracle
):
    request, _ = mint_request(index, AMOUNT)
    with expect_revert(oracle.OracleReservesStale):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert index.totalSupply() == 0
    assert issuer_contract.statusOf(request.requester, request.nonce) == PENDING_MINT


def test_confirm_mint__reserves_short__reverts(
    expect_revert, index, issuer_contract, custodian, mint_request, oracle, cover
):
    request, _ = mint_request(index, AMOUNT)
    cover(index, AMOUNT, margin=Fraction(99, 100))
    with expect_revert(oracle.OracleReservesShort):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert index.totalSupply() == 0


def test_confirm_mint__reserves_old__reverts(
    expect_revert, index, issuer_contract, custodian, mint_request, oracle, cover, chain
):
    cover(index, AMOUNT)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + DAY + 1)
    request, _ = mint_request(index, AMOUNT)
    with expect_revert(oracle.OracleReservesStale):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)


def test_confirm_mint__not_custodian__reverts(
    expect_revert, index, issuer_contract, stranger, mint_request, roles
):
    request, _ = mint_request(index, AMOUNT)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=stranger)


def test_confirm_mint__twice__reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request
):
    request = _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    with expect_revert(issuer_contract.IssuerRequestNotPending, status=CONFIRMED):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert index.balanceOf(wlp) == AMOUNT - _fee(AMOUNT, MINT_FEE_BPS)


def test_confirm_mint__after_cancel__reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request
):
    request, _ = mint_request(index, AMOUNT)
    receipt = issuer_contract.cancel(request.as_abi(), True, sender=wlp)
    assert len(receipt.decode_logs(issuer_contract.RequestCancelled)) == 1
    cover(index, AMOUNT)
    with expect_revert(issuer_contract.IssuerRequestNotPending, status=CANCELLED):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)


def test_confirm_mint__wrong_number_of_refs__reverts(
    expect_revert, index, issuer_contract, custodian, cover, mint_request
):
    request, _ = mint_request(index, AMOUNT)
    cover(index, AMOUNT)
    with expect_revert(issuer_contract.IssuerDeliveryRefsMismatch, given=6, expected=7):
        issuer_contract.confirmMint(request.as_abi(), REFS7[:6], sender=custodian)


def test_confirm__a_request_never_made__reverts(
    expect_revert, index, issuer_contract, custodian, mint_request, wlp
):
    request, _ = mint_request(index, AMOUNT)
    forged = request.model_copy(update={"amount": AMOUNT * 2})
    with expect_revert(issuer_contract.IssuerRequestNotPending, status=0):
        issuer_contract.confirmMint(forged.as_abi(), REFS7, sender=custodian)
    with expect_revert(issuer_contract.IssuerRequestNotPending, status=0):
        issuer_contract.cancel(forged.as_abi(), True, sender=wlp)
    assert issuer_contract.statusOf(request.requester, request.nonce) == PENDING_MINT


def test_cancel__by_someone_else__reverts(
    expect_revert, index, issuer_contract, stranger, wlp, mint_request
):
    request, _ = mint_request(index, AMOUNT)
    with expect_revert(
        issuer_contract.IssuerNotRequester, caller=stranger.address, requester=wlp.address
    ):
        issuer_contract.cancel(request.as_abi(), True, sender=stranger)


def test_reject__with_reason_code(index, issuer_contract, custodian, wlp, mint_request):
    request, _ = mint_request(index, AMOUNT)
    receipt = issuer_contract.reject(request.as_abi(), True, 42, sender=custodian)
    assert receipt.decode_logs(issuer_contract.RequestRejected)[0].reasonCode == 42
    assert issuer_contract.statusOf(wlp, request.nonce) == REJECTED


def test_expire__before_deadline__reverts_then_anyone_after(
    expect_revert, index, issuer_contract, stranger, wlp, mint_request, chain
):
    request, _ = mint_request(index, AMOUNT)
    with expect_revert(issuer_contract.IssuerNotExpirable):
        issuer_contract.expire(request.as_abi(), True, sender=stranger)
    chain.pending_timestamp = request.deadline + 1
    issuer_contract.expire(request.as_abi(), True, sender=stranger)
    assert issuer_contract.statusOf(wlp, request.nonce) == EXPIRED


def test_confirm_mint__after_deadline__reverts(
    expect_revert, index, issuer_contract, custodian, mint_request, cover, chain
):
    request, _ = mint_request(index, AMOUNT)
    cover(index, AMOUNT)
    chain.pending_timestamp = request.deadline + 1
    with expect_revert(issuer_contract.IssuerDeadlinePassed):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)


@pytest.mark.parametrize(
    ("terms", "error"),
    [
        ({"basket_version": 2}, "IssuerBasketVersionMismatch"),
        ({"deadline": 1}, "IssuerDeadlinePassed"),
        ({"max_fee_bps": 5}, "IssuerFeeAboveMax"),
    ],
)
def test_request_mint__bad_terms__reverts(
    expect_revert, index, issuer_contract, mint_request, terms, error
):
    with expect_revert(getattr(issuer_contract, error)):
        mint_request(index, AMOUNT, **terms)


@pytest.mark.parametrize("amount", [INDEX_UNIT // 1000, 10_001 * INDEX_UNIT])
def test_request_mint__amount_outside_limits__reverts(
    expect_revert, index, issuer_contract, mint_request, amount
):
    with expect_revert(issuer_contract.IssuerAmountOutOfLimits, amount=amount):
        mint_request(index, amount)


def test_request_mint__not_a_wlp__reverts(
    expect_revert, index, issuer_contract, mint_request, stranger, roles
):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        mint_request(index, AMOUNT, sender=stranger)


def test_request_mint__nonce_reused__reverts(
    expect_revert, index, issuer_contract, mint_request, wlp
):
    mint_request(index, AMOUNT, nonce=77)
    with expect_revert(issuer_contract.IssuerNonceUsed, requester=wlp.address, nonce=77):
        mint_request(index, AMOUNT, nonce=77)


def test_request_mint__own_capacity__exceeded_then_freed_when_taken_on(
    expect_revert, index, issuer_contract, mint_request, chain, wlp, custodian
):
    # Requests take only the WLP's own capacity (20,000 open at most); the index's is untouched.
    first, _ = mint_request(
        index, 10_000 * INDEX_UNIT, deadline=chain.blocks.head.timestamp + 5 * DAY
    )
    mint_request(index, 10_000 * INDEX_UNIT)
    assert issuer_contract.participantCapacity(index, wlp)[0] == 0
    assert issuer_contract.availableCapacity(index)[0] == 50_000 * INDEX_UNIT
    with expect_revert(issuer_contract.IssuerCapacityExceeded, amount=INDEX_UNIT, available=0):
        mint_request(index, INDEX_UNIT)
    chain.pending_timestamp = chain.blocks.head.timestamp + DAY  # time frees nothing open
    with expect_revert(issuer_contract.IssuerCapacityExceeded, amount=INDEX_UNIT, available=0):
        mint_request(index, INDEX_UNIT)
    # Once a custodian takes a request on, the index-wide capacity counts it, not the WLP's.
    issuer_contract.acknowledgeMint(first.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.participantCapacity(index, wlp)[0] == 10_000 * INDEX_UNIT
    mint_request(index, 10_000 * INDEX_UNIT)


def test_confirm_mint__index_capacity__exceeded__reverts(
    expect_revert, index, issuer_contract, mint_request, custodian, cover, deployer
):
    issuer_contract.setLimits(index, _limits(mint_capacity=15 * INDEX_UNIT), sender=deployer)
    first, _ = mint_request(index, AMOUNT)
    second, _ = mint_request(index, AMOUNT)
    cover(index, 2 * AMOUNT)
    issuer_contract.confirmMint(first.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.availableCapacity(index)[0] == 5 * INDEX_UNIT
    with expect_revert(issuer_contract.IssuerCapacityExceeded, amount=AMOUNT):
        issuer_contract.confirmMint(second.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.statusOf(second.requester, second.nonce) == PENDING_MINT


def test_request_mint__paused__reverts(
    expect_revert, index, issuer_contract, mint_request, pauser, stranger, roles
):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        issuer_contract.setMintPaused(index, True, sender=stranger)
    issuer_contract.setMintPaused(index, True, sender=pauser)
    with expect_revert(issuer_contract.IssuerMintPaused):
        mint_request(index, AMOUNT)
    issuer_contract.setMintPaused(index, False, sender=pauser)
    mint_request(index, AMOUNT)


def _limits(**overrides):
    """The limits `configure_index` sets (IssuanceSettings' defaults), with overrides."""
    from ssikit.chain.protocol import IssuanceSettings

    return IssuanceSettings(**overrides).limits()


@pytest.mark.parametrize(
    "overrides",
    [
        {"mint_capacity": 100, "redeem_capacity": 99},
        {"min_amount": 0},
        {"min_amount": 10**12 + 1},
        {"participant_mint_capacity": 0},
        {"participant_redeem_capacity": 0},
        {"window": 0},
        {"min_amount": 2 * 10**12, "max_amount": 10**12},
    ],
)
def test_set_limits__out_of_range__reverts(
    expect_revert, index, issuer_contract, deployer, overrides
):
    with expect_revert(issuer_contract.IssuerInvalidLimits):
        issuer_contract.setLimits(index, _limits(**overrides), sender=deployer)
    assert tuple(issuer_contract.limits(index)) == _limits()


def test_set_limits__seven_fields_round_trip(index, issuer_contract, deployer):
    limits = (10**12, 5 * 10**18, 7 * 10**18, 8 * 10**18, 3 * 10**18, 4 * 10**18, 3_600)
    receipt = issuer_contract.setLimits(index, limits, sender=deployer)
    assert tuple(receipt.decode_logs(issuer_contract.LimitsSet)[0].limits) == limits
    assert tuple(issuer_contract.limits(index)) == limits


def test_set_limits__not_an_index__reverts(expect_revert, issuer_contract, deployer, stranger):
    with expect_revert(issuer_contract.IssuerNotAnIndex, index=stranger.address):
        issuer_contract.setLimits(stranger, _limits(), sender=deployer)


def test_set_fees__above_max__reverts(expect_revert, index, issuer_contract, deployer):
    with expect_revert(issuer_contract.IssuerFeeTooHigh, feeBps=501, maxFeeBps=500):
        issuer_contract.setFees(index, 501, 0, sender=deployer)


# ------------------------------------------------------------------ redeem
def test_redeem__request_locks_accept_fixes_terms_confirm_burns(
    index, issuer_contract, wlp, custodian, cover, mint_request, accept_redeem
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    held = index.balanceOf(wlp)
    request, receipt = mint_request(index, held, is_mint=False)  # nothing is transferred
    assert receipt.decode_logs(issuer_contract.RedeemRequested)[0].factor == request.factor
    assert index.balanceOf(wlp) == held == index.lockedOf(wlp)
    assert index.balanceOf(issuer_contract) == 0
    assert issuer_contract.statusOf(wlp, request.nonce) == PENDING_REDEEM

    receipt = issuer_contract.acceptRedeem(request.as_abi(), sender=custodian)
    accepted = receipt.decode_logs(issuer_contract.RedeemAccepted)[0]
    fee = _fee(held, REDEEM_FEE_BPS)
    assert (accepted.fee, accepted.paidFor, accepted.basketVersion) == (fee, held - fee, 1)
    fee_bps, factor = accepted.feeBps, accepted.factor
    assert fee_bps == REDEEM_FEE_BPS and 0 < factor <= request.factor
    assert issuer_contract.statusOf(wlp, request.nonce) == ACCEPTED
    assert issuer_contract.openSettlements(index) == 1

    supply, share = index.totalSupply(), index.feeShare()
    receipt = issuer_contract.confirmRedeem(
        request.as_abi(), (fee_bps, factor), REFS7, sender=custodian
    )
    event = receipt.decode_logs(issuer_contract.RedeemConfirmed)[0]
    assert (event.burned, event.paidFor, event.fee) == (held, held - fee, fee)
    assert [bytes(r) for r in event.refs] == REFS7
    assert index.totalSupply() == supply - held
    assert index.balanceOf(wlp) == 0 and index.lockedOf(wlp) == 0
    assert issuer_contract.openSettlements(index) == 0
    assert issuer_contract.statusOf(wlp, request.nonce) == CONFIRMED
    # The fee's backing stays in the index: the fee recipient's share grew by the fee (and by
    # the management fee of the second or so between the reads).
    grew = index.feeShare() - share
    assert fee - 2 <= grew <= fee + supply // 10**6


def test_confirm_redeem__not_accepted__reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    with expect_revert(issuer_contract.IssuerRequestNotPending):
        issuer_contract.confirmRedeem(
            request.as_abi(), (REDEEM_FEE_BPS, request.factor), REFS7, sender=custodian
        )
    assert index.lockedOf(wlp) == INDEX_UNIT


def test_confirm_redeem__wrong_number_of_refs__reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request, accept_redeem
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    settlement = accept_redeem(request)
    with expect_revert(issuer_contract.IssuerDeliveryRefsMismatch, given=6, expected=7):
        issuer_contract.confirmRedeem(
            request.as_abi(), settlement.as_abi(), REFS7[:6], sender=custodian
        )


def test_accept_redeem__not_custodian__reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request, stranger, roles
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        issuer_contract.acceptRedeem(request.as_abi(), sender=stranger)


def test_accept_redeem__after_deadline__reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request, chain
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    chain.pending_timestamp = request.deadline + 1
    with expect_revert(issuer_contract.IssuerDeadlinePassed, deadline=request.deadline):
        issuer_contract.acceptRedeem(request.as_abi(), sender=custodian)


def test_redeem__locked_tokens_cannot_move_and_short_balance_reverts(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request, stranger
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    held = index.balanceOf(wlp)
    mint_request(index, held // 2, is_mint=False)
    with expect_revert(index.ERC20InsufficientBalance, sender=wlp.address):
        index.transfer(stranger, held - held // 2 + 1, sender=wlp)
    with expect_revert(index.ERC20InsufficientBalance, sender=wlp.address):
        mint_request(index, held - held // 2 + 1, is_mint=False)
    assert index.lockedOf(wlp) == held // 2


def test_redeem_fees__collected_by_fee_recipient_only(
    expect_revert,
    index,
    issuer_contract,
    wlp,
    custodian,
    cover,
    mint_request,
    fee_recipient,
    roles,
    accept_redeem,
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    share = index.feeShare()
    _redeemed(issuer_contract, custodian, accept_redeem, request)
    fee = _fee(INDEX_UNIT, REDEEM_FEE_BPS)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=wlp.address):
        index.collectFees(wlp, sender=wlp)
    receipt = index.collectFees(fee_recipient, sender=fee_recipient)
    collected = receipt.decode_logs(index.FeesCollected)[0].amount
    assert index.balanceOf(fee_recipient) == collected >= share + fee - 2


def test_redeem__never_blocked_by_oracle(
    index, issuer_contract, wlp, custodian, cover, mint_request, chain, accept_redeem
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 30 * DAY)  # reserves long stale
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    _redeemed(issuer_contract, custodian, accept_redeem, request)
    assert issuer_contract.statusOf(wlp, request.nonce) == CONFIRMED


def test_redeem__cancel_while_pending_returns_tokens_and_capacity(
    index, issuer_contract, wlp, custodian, cover, mint_request
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    held = index.balanceOf(wlp)
    own = issuer_contract.participantCapacity(index, wlp)[1]
    request, _ = mint_request(index, held, is_mint=False)
    assert issuer_contract.participantCapacity(index, wlp)[1] == own - held
    issuer_contract.cancel(request.as_abi(), False, sender=wlp)
    assert index.balanceOf(wlp) == held and index.lockedOf(wlp) == 0
    assert issuer_contract.participantCapacity(index, wlp)[1] == own
    assert issuer_contract.statusOf(wlp, request.nonce) == CANCELLED


def test_redeem__reject_while_pending_unlocks(
    index, issuer_contract, wlp, custodian, cover, mint_request
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    request, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    issuer_contract.reject(request.as_abi(), False, 7, sender=custodian)
    assert index.lockedOf(wlp) == 0
    assert issuer_contract.statusOf(wlp, request.nonce) == REJECTED


def test_redeem_pause__bounded_blocks_requests_and_acceptances_then_lapses(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request, pauser, chain
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    waiting, _ = mint_request(index, INDEX_UNIT, is_mint=False)
    with expect_revert(issuer_contract.IssuerPauseTooLong):
        issuer_contract.pauseRedeem(index, 7 * DAY + 1, sender=pauser)
    receipt = issuer_contract.pauseRedeem(index, DAY, sender=pauser)
    event = receipt.decode_logs(issuer_contract.RedeemPauseSet)[0]
    assert event.nextPauseAt == event.pausedUntil + 7 * DAY
    assert tuple(issuer_contract.redeemPause(index)) == (event.pausedUntil, event.nextPauseAt)
    with expect_revert(issuer_contract.IssuerRedeemPaused):
        mint_request(index, INDEX_UNIT, is_mint=False)
    with expect_revert(issuer_contract.IssuerRedeemPaused):
        issuer_contract.acceptRedeem(waiting.as_abi(), sender=custodian)
    later = event.pausedUntil + 1
    chain.pending_timestamp = later
    mint_request(index, INDEX_UNIT, is_mint=False, deadline=later + DAY)  # the pause lapsed


# ------------------------------------------------------------------ circuit breaker
def test_circuit_breaker__trip_when_stale__reset_when_covered(
    expect_revert, index, issuer_contract, wlp, custodian, cover, mint_request, stranger, chain
):
    _minted(index, wlp, cover, issuer_contract, custodian, mint_request)
    with expect_revert(issuer_contract.IssuerBreakerCondition, covered=True):
        issuer_contract.tripCircuitBreaker(index, sender=stranger)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + DAY + 1)
    issuer_contract.tripCircuitBreaker(index, sender=stranger)
    assert issuer_contract.mintPaused(index) == (False, True)
    with expect_revert(issuer_contract.IssuerMintPaused):
        mint_request(index, AMOUNT)
    with expect_revert(issuer_contract.IssuerBreakerCondition, covered=False):
        issuer_contract.resetCircuitBreaker(index, sender=stranger)
    cover(index, 0)
    issuer_contract.resetCircuitBreaker(index, sender=stranger)
    mint_request(index, AMOUNT)


# ------------------------------------------------------------------ on-chain components
@pytest.fixture
def onchain(deployer, registry, create_index, configure_index, project, wlp, chain, vault):
    """An index of three ERC-20s (6, 8 and 18 decimals) and native BTC; the WLP approved the
    vault."""
    tokens = [project.TestToken.deploy(f"T{d}", f"T{d}", d, sender=deployer) for d in (6, 8, 18)]
    components = []
    for token, decimals in zip(tokens, (6, 8, 18), strict=True):
        registry.registerLocalToken(token, sender=deployer)
        asset = Asset.local_token(chain.chain_id, token.address, f"T{decimals}", decimals)
        components.append(Component(asset_id=asset.id, amount=3 * 10**decimals * PRECISION + 7))
        token.mint(wlp, 10**9 * 10**decimals, sender=deployer)
        token.approve(vault, 2**256 - 1, sender=wlp)
    components.append(Component(asset_id=asset_id("bitcoin", "native"), amount=10**5 * PRECISION))
    index = configure_index(create_index(symbol="ONCH.ssi", basket=Basket.of(components)))
    return index, tokens


def test_onchain_mint__escrow_at_request_factor_rounded_up_then_index_ledger(
    onchain, issuer_contract, wlp, custodian, cover, mint_request, vault, oracle, protocol
):
    index, tokens = onchain
    amount = 3 * INDEX_UNIT + 1
    quote = dict(mint_deposit(protocol, index, amount))
    request, receipt = mint_request(index, amount)
    event = receipt.decode_logs(issuer_contract.MintRequested)[0]
    pulled = dict(zip(event.escrowTokens, event.escrowAmounts, strict=True))
    stored, *_ = index.basketState()
    local = [(bytes(a), s) for a, s in stored if oracle.accountConfig(index, a)[3]]
    expected = sorted(bm.deposit_for(s, request.factor, amount) for _, s in local)
    assert sorted(pulled.values()) == expected  # exactly at the factor the request recorded
    for _, s in local:  # never less than amount per token (rounded up) times the quantity
        per_token = bm.amount_per_token(s, request.factor, Rounding.CEIL)
        assert bm.deposit_for(s, request.factor, amount) >= bm.quantity(
            per_token, amount, Rounding.FLOOR
        )
    assert set(quote) == set(pulled)
    for token, owed in pulled.items():
        assert owed <= quote[token]  # a quote a moment earlier never under-approves
        assert vault.escrowed(token) == owed
    tokens_of_escrow, amounts_of_escrow = vault.escrowOf(event.id)
    assert dict(zip(tokens_of_escrow, amounts_of_escrow, strict=True)) == pulled

    cover(index, amount)
    issuer_contract.confirmMint(request.as_abi(), REFS7[:1], sender=custodian)
    for token, owed in pulled.items():
        assert vault.escrowed(token) == 0
        assert vault.heldFor(index, token) == owed == vault.totalHeld(token)
        held = next(t for t in tokens if t.address == token).balanceOf(vault)
        assert held == owed  # the vault now holds the deposit
    assert index.balanceOf(wlp) == amount - _fee(amount, MINT_FEE_BPS)


def test_onchain_cancel__escrow_claimable_per_token_then_claimed_exactly(
    expect_revert, onchain, issuer_contract, wlp, mint_request, vault
):
    index, tokens = onchain
    before = [t.balanceOf(wlp) for t in tokens]
    request, _ = mint_request(index, 2 * INDEX_UNIT)
    assert all(t.balanceOf(wlp) < b for t, b in zip(tokens, before, strict=True))
    issuer_contract.cancel(request.as_abi(), True, sender=wlp)
    pulled = [before[i] - tokens[i].balanceOf(wlp) for i in range(3)]
    for token, owed in zip(tokens, pulled, strict=True):
        assert vault.escrowed(token) == 0
        assert vault.claimable(wlp, token) == owed == vault.claimableTotal(token)
    for token in tokens:
        vault.claim(token, wlp, sender=wlp)
        with expect_revert(vault.VaultNothingToClaim, account=wlp.address, token=token.address):
            vault.claim(token, wlp, sender=wlp)
    assert [t.balanceOf(wlp) for t in tokens] == before
    assert all(vault.claimableTotal(t) == 0 for t in tokens)


def test_onchain_reject__escrow_claimable(
    onchain, issuer_contract, wlp, custodian, mint_request, vault
):
    index, tokens = onchain
    request, receipt = mint_request(index, INDEX_UNIT)
    event = receipt.decode_logs(issuer_contract.MintRequested)[0]
    pulled = dict(zip(event.escrowTokens, event.escrowAmounts, strict=True))
    issuer_contract.reject(request.as_abi(), True, 3, sender=custodian)
    assert {t.address: vault.claimable(wlp, t) for t in tokens} == pulled


def test_onchain_redeem__paid_from_index_ledger_at_acceptance_factor_rounded_down(
    onchain, issuer_contract, wlp, custodian, cover, mint_request, vault, accept_redeem
):
    index, tokens = onchain
    request, _ = mint_request(index, 5 * INDEX_UNIT)
    cover(index, 5 * INDEX_UNIT)
    issuer_contract.confirmMint(request.as_abi(), REFS7[:1], sender=custodian)
    vault_before = [t.balanceOf(vault) for t in tokens]
    held = index.balanceOf(wlp)
    before = [t.balanceOf(wlp) for t in tokens]
    redeem, _ = mint_request(index, held, is_mint=False)
    receipt, settlement = _redeemed(
        issuer_contract, custodian, accept_redeem, redeem, refs=REFS7[:1]
    )
    event = receipt.decode_logs(issuer_contract.RedeemPaidOnChain)[0]
    paid_for = held - _fee(held, REDEEM_FEE_BPS)
    for token, paid in zip(event.tokens, event.amounts, strict=True):
        i = [t.address for t in tokens].index(token)
        # Credited to the WLP's claimable balance (never pushed), then claimed.
        assert vault.heldFor(index, token) == vault_before[i] - paid
        assert vault.claimable(wlp, token) == paid
        vault.claim(token, wlp, sender=wlp)
        assert tokens[i].balanceOf(wlp) - before[i] == paid
        assert tokens[i].balanceOf(vault) == vault_before[i] - paid
    stored, *_ = index.basketState()
    expected = sorted(
        bm.payout_for(s, settlement.factor, paid_for)
        for a, s in stored
        if bytes(a) != asset_id("bitcoin", "native")
    )
    assert sorted(event.amounts) == expected


@pytest.fixture
def token_index(deployer, registry, create_index, configure_index, wlp, vault, chain):
    """token_index(token, symbol, approve=True): an index of one whole 18-decimal `token` per
    index token, ready for issuance; the WLP holds 1e6 of the token (and approved the vault)."""

    def make(token, symbol, approve=True):
        registry.registerLocalToken(token, sender=deployer)
        asset = Asset.local_token(chain.chain_id, token.address, token.symbol(), 18)
        basket = Basket.of([Component(asset_id=asset.id, amount=10**36)])
        index = configure_index(create_index(symbol=symbol, basket=basket))
        token.mint(wlp, 10**24, sender=deployer)
        if approve:
            token.approve(vault, 2**256 - 1, sender=wlp)
        return index

    return make


def test_fee_on_transfer_token__refused_by_the_vault(
    expect_revert, deployer, project, token_index, mint_request, vault
):
    token = project.FeeOnTransferToken.deploy(sender=deployer)
    index = token_index(token, "FOT.ssi")
    with expect_revert(vault.VaultTransferShortfall, token=token.address):
        mint_request(index, INDEX_UNIT)
    assert vault.escrowed(token) == 0


def test_reentrant_token__guard_stops_reentry(
    expect_revert, deployer, project, token_index, issuer_contract, mint_request, vault
):
    token = project.ReentrantToken.deploy(sender=deployer)
    index = token_index(token, "REEN.ssi")
    payload = issuer_contract.requestMint.encode_input(index, INDEX_UNIT, 1, 50, 999, 2**39)
    token.arm(issuer_contract, payload, sender=deployer)
    with expect_revert(issuer_contract.ReentrancyGuardReentrantCall):
        mint_request(index, INDEX_UNIT)
    assert vault.escrowed(token) == 0


def test_request_mint_with_permits__spender_is_the_vault__no_prior_approval(
    deployer, project, token_index, wlp, issuer_contract, chain, vault, protocol
):
    from ssikit.builders.permit import permit_typed_data, sign_permit

    token = project.PermitToken.deploy(sender=deployer)
    index = token_index(token, "PRMT.ssi", approve=False)
    ((_, owed),) = mint_deposit(protocol, index, INDEX_UNIT)
    deadline = chain.blocks.head.timestamp + 3600
    typed = permit_typed_data(
        "Permit Token", chain.chain_id, token.address, wlp.address, vault.address, owed, 0, deadline
    )
    permit = (token.address, owed, deadline, *sign_permit(typed, wlp.private_key))
    assert token.allowance(wlp, vault) == 0
    receipt = issuer_contract.requestMintWithPermits(
        index, INDEX_UNIT, 1, 50, 1, chain.blocks.head.timestamp + DAY, [permit], sender=wlp
    )
    # What was pulled (the fee factor may have moved a second since the quote) is at most owed.
    (pulled,) = receipt.decode_logs(issuer_contract.MintRequested)[0].escrowAmounts
    assert vault.escrowed(token) == pulled == token.balanceOf(vault)
    assert owed - 10**12 < pulled <= owed
