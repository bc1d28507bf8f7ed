"""Index lifecycle (issue 12): issuer and oracle moves in two steps, deprecation.

The token never changes code; each test moves the `index` fixture's MAG7.ssi (isolated per test
by Ape's chain snapshots) to a second Issuer or ReserveOracle deployed here, and checks what the
old and new versions may still do.
"""

from __future__ import annotations

from fractions import Fraction

from lifecycle_support import accept_on, request_on

from ssikit.core.lifecycle import MOVE_DELAY, VersionKind
from ssikit.core.units import INDEX_UNIT

DAY = 86_400
AMOUNT = 10 * INDEX_UNIT
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
PENDING_MINT, PENDING_REDEEM, CONFIRMED, REJECTED, CANCELLED, EXPIRED = 1, 2, 3, 4, 5, 6
ACKNOWLEDGED, ACCEPTED, RECLAIMED = 7, 8, 9
ISSUER, ORACLE = int(VersionKind.ISSUER), int(VersionKind.ORACLE)


# ------------------------------------------------------------------ the version registry
def test_version_registry__lists_with_code_hash_and_refuses_bad_input(
    roles, expect_revert, versions, issuer_v2, deployer, stranger, chain
):
    listed = versions.versionOf(ISSUER, issuer_v2)
    assert bytes(listed.codeHash) == bytes(chain.provider.web3.keccak(issuer_v2.code))
    assert listed.deprecatedAt == 0 and listed.label == "Issuer v2"
    assert versions.requireUsable(ISSUER, issuer_v2) == listed.codeHash
    # Listed as an issuer says nothing of the oracle kind.
    with expect_revert(versions.VersionNotListed, kind=ORACLE, target=issuer_v2.address):
        versions.requireUsable(ORACLE, issuer_v2)
    with expect_revert(versions.VersionAlreadyListed):
        versions.list(ISSUER, issuer_v2, "again", sender=deployer)
    with expect_revert(versions.VersionNoCode, target=stranger.address):
        versions.list(ISSUER, stranger, "an account", sender=deployer)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        versions.deprecate(ISSUER, issuer_v2, sender=stranger)
    versions.deprecate(ISSUER, issuer_v2, sender=deployer)
    with expect_revert(versions.VersionIsDeprecated):
        versions.requireUsable(ISSUER, issuer_v2)
    with expect_revert(versions.VersionIsDeprecated):
        versions.deprecate(ISSUER, issuer_v2, sender=deployer)
    assert versions.wasListed(ISSUER, issuer_v2)


# ------------------------------------------------------------------ refusals of a move
def test_signal__every_refusal_is_named_and_changes_nothing(
    expect_revert,
    index,
    issuer_v2,
    issuer_contract,
    versions,
    project,
    roles,
    registry,
    vault,
    deployer,
    stranger,
    chain,
):
    unlisted = project.Issuer.deploy(roles, registry, vault, sender=deployer)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        index.signalMove(ISSUER, issuer_v2, sender=stranger)
    with expect_revert(versions.VersionNotListed, kind=ISSUER, target=unlisted.address):
        index.signalMove(ISSUER, unlisted, sender=deployer)
    with expect_revert(index.IndexMoveToCurrent, kind=ISSUER, target=issuer_contract.address):
        index.signalMove(ISSUER, issuer_contract, sender=deployer)
    assert int(index.pendingMove(ISSUER)[0], 16) == 0 and index.pendingMove(ISSUER)[1] == 0

    index.signalMove(ISSUER, issuer_v2, sender=deployer)
    target, at = index.pendingMove(ISSUER)
    assert target == issuer_v2.address and at == chain.blocks.head.timestamp + MOVE_DELAY
    with expect_revert(index.IndexMovePending, kind=ISSUER, target=issuer_v2.address):
        index.signalMove(ISSUER, unlisted, sender=deployer)
    # Too early: a second before the delay is up.
    chain.pending_timestamp = at - 1
    with expect_revert(index.IndexMoveNotDue, executableAt=at):
        index.executeMove(ISSUER, sender=stranger)
    # Due, but the new issuer was never configured for the index: redemption would be blocked.
    chain.pending_timestamp = at
    with expect_revert(index.IndexMoveTargetNotReady, target=issuer_v2.address):
        index.executeMove(ISSUER, sender=stranger)
    # Deprecated between signal and execution: execution is refused, the admin cancels.
    versions.deprecate(ISSUER, issuer_v2, sender=deployer)
    with expect_revert(versions.VersionIsDeprecated):
        index.executeMove(ISSUER, sender=stranger)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        index.cancelMove(ISSUER, sender=stranger)
    receipt = index.cancelMove(ISSUER, sender=deployer)
    assert receipt.decode_logs(index.MoveCancelled)[0].to == issuer_v2.address
    with expect_revert(index.IndexNoMovePending, kind=ISSUER):
        index.executeMove(ISSUER, sender=stranger)
    with expect_revert(index.IndexNoMovePending, kind=ISSUER):
        index.cancelMove(ISSUER, sender=deployer)
    # A deprecated version can never be signalled.
    with expect_revert(versions.VersionIsDeprecated):
        index.signalMove(ISSUER, issuer_v2, sender=deployer)
    assert index.issuer() == issuer_contract.address
    assert list(index.formerIssuers()) == []


def test_signal__event_carries_target_and_code_hash(index, issuer_v2, versions, deployer, chain):
    receipt = index.signalMove(ISSUER, issuer_v2, sender=deployer)
    log = receipt.decode_logs(index.MoveSignalled)[0]
    assert log.to == issuer_v2.address and log.kind == ISSUER
    assert bytes(log.codeHash) == bytes(versions.versionOf(ISSUER, issuer_v2).codeHash)
    assert log.executableAt == receipt.timestamp + MOVE_DELAY


# ------------------------------------------------------------------ migration end to end
def test_migration__pending_requests_finish_on_old_issuer_new_mints_on_new(
    expect_revert,
    index,
    issuer_contract,
    issuer_v2,
    configure_v2,
    cover,
    custodian,
    wlp,
    stranger,
    deployer,
    chain,
):
    old, new = issuer_contract, issuer_v2
    # A holder with tokens, minted on the old issuer.
    seed = request_on(old, wlp, chain, index, 10 * AMOUNT, 1)
    cover(index, 10 * AMOUNT)
    old.confirmMint(seed.as_abi(), REFS7, sender=custodian)
    balance, supply = index.balanceOf(wlp), index.totalSupply()
    basket = list(index.basketState()[0])
    address = index.address

    # Requests made on the old issuer during the notice, one per ending. Deadlines of up to
    # 30 days fall inside the 31-day delay; each kind of ending happens after execution.
    signal = index.signalMove(ISSUER, issuer_v2, sender=deployer)
    executable_at = signal.decode_logs(index.MoveSignalled)[0].executableAt
    configure_v2(new, index)  # the target of a signalled move may be configured for the index
    ttl = 30 * DAY
    to_confirm = request_on(old, wlp, chain, index, AMOUNT, 2, ttl=ttl)  # acknowledged, confirmed
    to_reject = request_on(old, wlp, chain, index, AMOUNT, 3, ttl=ttl)
    to_cancel = request_on(old, wlp, chain, index, AMOUNT, 4, ttl=ttl)
    to_expire = request_on(old, wlp, chain, index, AMOUNT, 5, ttl=DAY)
    redeem = request_on(old, wlp, chain, index, AMOUNT, 6, is_mint=False, ttl=ttl)
    settlement = accept_on(old, custodian, redeem)
    to_reclaim = request_on(old, wlp, chain, index, AMOUNT, 7, is_mint=False, ttl=DAY)
    reclaim_settlement = accept_on(old, custodian, to_reclaim)
    old.acknowledgeMint(to_confirm.as_abi(), REFS7, sender=custodian)

    chain.pending_timestamp = executable_at
    receipt = index.executeMove(ISSUER, sender=stranger)
    log = receipt.decode_logs(index.MoveExecuted)[0]
    assert (log.event_arguments["from"], log.to) == (old.address, new.address)
    assert index.issuer() == new.address and list(index.formerIssuers()) == [old.address]
    assert index.isIssuer(old) and index.isIssuer(new)
    # The token is the same contract with the same balances and basket.
    assert index.address == address and index.balanceOf(wlp) == balance
    assert index.totalSupply() == supply and list(index.basketState()[0]) == basket

    # The old issuer takes nothing new.
    with expect_revert(old.IssuerRetired, index=index.address, current=new.address):
        request_on(old, wlp, chain, index, AMOUNT, 8)
    with expect_revert(index.IndexNotIssuer, caller=old.address):
        request_on(old, wlp, chain, index, AMOUNT, 9, is_mint=False)

    # ...but finishes every request it holds.
    cover(index, 2 * AMOUNT)
    old.confirmMint(to_confirm.as_abi(), [], sender=custodian)
    old.reject(to_reject.as_abi(), True, 1, sender=custodian)
    old.cancel(to_cancel.as_abi(), True, sender=wlp)
    old.expire(to_expire.as_abi(), True, sender=stranger)
    old.confirmRedeem(redeem.as_abi(), settlement.as_abi(), REFS7, sender=custodian)
    assert chain.blocks.head.timestamp > to_reclaim.deadline + 14 * DAY  # the grace is over
    old.reclaimRedeem(to_reclaim.as_abi(), reclaim_settlement.as_abi(), sender=wlp)
    statuses = [old.statusOf(wlp, n) for n in (2, 3, 4, 5, 6, 7)]
    assert statuses == [CONFIRMED, REJECTED, CANCELLED, EXPIRED, CONFIRMED, RECLAIMED]
    assert old.openSettlements(index) == 0 and index.lockedOf(wlp) == 0

    # New mints go through the new issuer, against the same token.
    before = index.balanceOf(wlp)
    fresh = request_on(new, wlp, chain, index, AMOUNT, 1)
    cover(index, AMOUNT)
    new.confirmMint(fresh.as_abi(), REFS7, sender=custodian)
    assert index.balanceOf(wlp) > before
    assert new.statusOf(wlp, 1) == CONFIRMED


def test_migration__rebalance_waits_for_former_issuers_open_settlements(
    expect_revert,
    index,
    issuer_contract,
    issuer_v2,
    configure_v2,
    cover,
    custodian,
    wlp,
    fee_recipient,
    deployer,
    chain,
):
    """An accepted redemption on the old issuer still holds the basket in place after the move
    (it settles at the basket it was accepted for): fee collection waits for it too."""
    old = issuer_contract
    seed = request_on(old, wlp, chain, index, 10 * AMOUNT, 1)
    cover(index, 10 * AMOUNT)
    old.confirmMint(seed.as_abi(), REFS7, sender=custodian)
    redeem = request_on(old, wlp, chain, index, AMOUNT, 2, is_mint=False, ttl=30 * DAY)
    accept_on(old, custodian, redeem)
    signal = index.signalMove(ISSUER, issuer_v2, sender=deployer)
    configure_v2(issuer_v2, index)
    chain.pending_timestamp = signal.decode_logs(index.MoveSignalled)[0].executableAt
    index.executeMove(ISSUER, sender=deployer)
    assert index.issuer() == issuer_v2.address
    with expect_revert(index.RebalanceSettlementsOpen, open=1):
        index.collectFees(fee_recipient, sender=fee_recipient)


def test_migration__oracle_move_switches_the_coverage_check(
    expect_revert,
    index,
    project,
    roles,
    registry,
    vault,
    versions,
    deployer,
    custodian,
    wlp,
    issuer_contract,
    move,
    cover,
    post_report,
    chain,
):
    """A flawed oracle is replaced without a new token: after the move the issuer checks mints
    against the new oracle, which knows nothing until custodians report to it (during the
    overlap they may report to both)."""
    from ssikit.chain.protocol import set_up_account

    old_oracle = project.ReserveOracle.at(index.oracle())
    new_oracle = project.ReserveOracle.deploy(roles, registry, vault, sender=deployer)
    with expect_revert(versions.VersionNotListed, kind=ORACLE, target=new_oracle.address):
        index.signalMove(ORACLE, new_oracle, sender=deployer)
    versions.list(ORACLE, new_oracle, "ReserveOracle v2", sender=deployer)
    for asset_id, _ in index.basketState()[0]:
        set_up_account(
            new_oracle, index.address, bytes(asset_id), DAY, [custodian.address], deployer
        )
    move(index, ORACLE, new_oracle)
    assert index.oracle() == new_oracle.address
    assert index.issuer() == issuer_contract.address  # the issuer did not move

    request = request_on(issuer_contract, wlp, chain, index, AMOUNT, 1)
    cover(index, AMOUNT)  # reported to the old oracle only
    assert old_oracle.isCovered(index)
    with expect_revert(new_oracle.OracleReservesStale):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.statusOf(wlp, 1) == PENDING_MINT

    stored, _, units, *_ = index.basketState()
    from ssikit.math import basket as bm
    from ssikit.math.rounding import Rounding

    # The mint backs its request's factor (no lower than now's): exactly what it adds.
    owed = units + bm.backing(AMOUNT, request.factor, Rounding.CEIL)
    holdings = [(index.address, bytes(a), bm.liability(x, owed)) for a, x in sorted(stored)]
    sequence, _ = new_oracle.lastReport(custodian)
    new_oracle.report(
        (custodian.address, sequence + 1, chain.blocks.head.timestamp, b"\x01" * 32, holdings),
        sender=custodian,
    )
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert issuer_contract.statusOf(wlp, 1) == CONFIRMED


# ------------------------------------------------------------------ deprecation
def test_deprecation__mint_stops_redemption_cancel_expiry_stay_open(
    roles,
    expect_revert,
    index,
    issuer_contract,
    cover,
    custodian,
    wlp,
    stranger,
    deployer,
    chain,
    issuer_v2,
):
    """In the style of Reserve's deprecation tests: an index with pending requests of every
    kind is deprecated; a mint request and a mint confirmation revert, while a redemption
    (request, accept, confirm), a cancel and an expiry still work."""
    issuer = issuer_contract
    seed = request_on(issuer, wlp, chain, index, 10 * AMOUNT, 1)
    cover(index, 10 * AMOUNT)
    issuer.confirmMint(seed.as_abi(), REFS7, sender=custodian)
    pending_mint = request_on(issuer, wlp, chain, index, AMOUNT, 2)
    to_cancel = request_on(issuer, wlp, chain, index, AMOUNT, 3)
    to_expire = request_on(issuer, wlp, chain, index, AMOUNT, 4, is_mint=False, ttl=DAY)
    pending_redeem = request_on(issuer, wlp, chain, index, AMOUNT, 5, is_mint=False)

    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        index.deprecate(sender=stranger)
    receipt = index.deprecate(sender=deployer)
    assert receipt.decode_logs(index.IndexDeprecated)[0].by == deployer.address
    assert index.lifecycle() == (issuer.address, True)
    with expect_revert(index.IndexIsDeprecated):
        index.deprecate(sender=deployer)

    with expect_revert(issuer.IssuerIndexDeprecated, index=index.address):
        request_on(issuer, wlp, chain, index, AMOUNT, 6)
    cover(index, AMOUNT, Fraction(101, 100))  # covered: the token itself refuses
    with expect_revert(index.IndexIsDeprecated):
        issuer.confirmMint(pending_mint.as_abi(), REFS7, sender=custodian)
    assert issuer.statusOf(wlp, 2) == PENDING_MINT
    # No move of the issuer for a deprecated index.
    with expect_revert(index.IndexIsDeprecated):
        index.signalMove(ISSUER, issuer_v2, sender=deployer)

    issuer.cancel(to_cancel.as_abi(), True, sender=wlp)
    settlement = accept_on(issuer, custodian, pending_redeem)
    supply = index.totalSupply()
    issuer.confirmRedeem(pending_redeem.as_abi(), settlement.as_abi(), REFS7, sender=custodian)
    assert index.totalSupply() == supply - AMOUNT
    fresh = request_on(issuer, wlp, chain, index, AMOUNT, 7, is_mint=False)
    assert issuer.statusOf(wlp, 7) == PENDING_REDEEM
    issuer.reject(pending_mint.as_abi(), True, 2, sender=custodian)
    chain.pending_timestamp = to_expire.deadline + 1
    issuer.expire(to_expire.as_abi(), False, sender=stranger)
    assert [issuer.statusOf(wlp, n) for n in (2, 3, 4, 5)] == [
        REJECTED,
        CANCELLED,
        EXPIRED,
        CONFIRMED,
    ]
    assert index.lockedOf(wlp) == fresh.amount


def test_factory__deprecated_symbol_is_reused_only_explicitly(
    roles, expect_revert, factory, index, create_index, deployer, mag7_params, stranger
):
    from ssikit.builders.index import create_index_args

    args = create_index_args(mag7_params)
    with expect_revert(factory.FactorySymbolNotDeprecated, index=index.address):
        factory.createIndexReusingSymbol(args, sender=deployer)
    index.deprecate(sender=deployer)
    with expect_revert(factory.FactorySymbolDeprecated, index=index.address):
        factory.createIndex(args, sender=deployer)
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        factory.createIndexReusingSymbol(args, sender=stranger)
    receipt = factory.createIndexReusingSymbol(args, sender=deployer)
    log = receipt.decode_logs(factory.SymbolReused)[0]
    assert log.previous == index.address
    assert factory.indexOf(mag7_params.symbol) == log.index != index.address
    # The deprecated index stays an index of the factory: its holders can still redeem.
    assert factory.isIndex(index) and factory.isIndex(log.index)
