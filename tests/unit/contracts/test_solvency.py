"""Cross-index solvency regressions for the trust-core audit findings.

Each test names the finding it covers; every one of them fails on the old design (one reserve
total per asset shared by every index, custodians that could never be removed, on-chain reserves
read from the vault's raw balance).
"""

from __future__ import annotations

import pytest

from ssikit.core.assets import MAG7_ASSETS, Asset
from ssikit.core.basket import Basket, Component
from ssikit.core.units import INDEX_UNIT, WAD
from ssikit.math import basket as bm
from ssikit.math.rounding import Rounding

DAY = 86_400
BTC = MAG7_ASSETS[0].id
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
AMOUNT = 10 * INDEX_UNIT


def _owed(token, request):
    """{asset id: base units} the index owes once `request` is minted (exact coverage)."""
    stored, _, units, *_ = token.basketState()
    after = units + bm.backing(request.amount, request.factor, Rounding.CEIL)
    return {bytes(a): bm.liability(amount, after) for a, amount in stored}


def _mint_exactly_covered(token, amount, mint_request, post_report, issuer_contract, custodian):
    """Requests a mint, reports exactly what the index owes after it, confirms; the owed map."""
    request, _ = mint_request(token, amount)
    owed = _owed(token, request)
    post_report(owed, index=token)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    return owed


@pytest.fixture
def post_report(post_report, chain):
    """The shared post_report, after a new block one second on, so consecutive reports (which
    must be as of increasing times, never in the future) never land in the same second."""

    def post(*args, **kwargs):
        chain.mine(1, timestamp=chain.blocks.head.timestamp + 1)
        return post_report(*args, **kwargs)

    return post


@pytest.fixture
def duplicate(index, create_index, configure_index):
    """DUP.ssi: a second index with MAG7's basket, configured like MAG7 (same custodian)."""
    return configure_index(create_index(symbol="DUP.ssi", name="Duplicate"))


@pytest.fixture
def second_custodian(accounts, roles, deployer):
    """Another holder of CUSTODIAN_ROLE."""
    who = accounts[9]
    roles.grantRole(roles.CUSTODIAN_ROLE(), who, sender=deployer)
    return who


# ------------------------------------------------------------------ finding 1
def test_second_index__same_basket__mag7_reserves_never_cover_it(
    expect_revert,
    index,
    duplicate,
    oracle,
    issuer_contract,
    custodian,
    mint_request,
    post_report,
):
    """Finding 1: reserves are counted once per index, not once in total. With one reserve total
    per asset, MAG7's reserves also "covered" DUP.ssi and the same coins backed both."""
    owed = _mint_exactly_covered(
        index, AMOUNT, mint_request, post_report, issuer_contract, custodian
    )
    rows = oracle.coverage(index)
    assert all(r.fresh and r.reserves == r.liabilities == owed[bytes(r.assetId)] for r in rows)

    request, _ = mint_request(duplicate, AMOUNT)
    # nothing reported for DUP.ssi: fails closed
    with expect_revert(oracle.OracleReservesStale, asOf=0, maxAge=DAY):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    # ten times MAG7's reserves, reported for MAG7, still cover nothing of DUP.ssi
    post_report({a: 10 * b for a, b in owed.items()}, index=index)
    with expect_revert(oracle.OracleReservesStale):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert all(oracle.reservesOf(duplicate, a) == (0, 0) for a in owed)
    # DUP.ssi's own reports, one unit short in every component: short
    needed = _owed(duplicate, request)
    post_report({a: b - 1 for a, b in needed.items()}, index=duplicate)
    with expect_revert(oracle.OracleReservesShort):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert duplicate.totalSupply() == 0
    # exact: mints
    post_report(needed, index=duplicate)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert duplicate.totalSupply() == AMOUNT - AMOUNT * 10 // 10_000  # 10 bps mint fee


def test_two_indices__each_covered__reported_sum_covers_summed_liabilities(
    index, duplicate, oracle, issuer_contract, custodian, mint_request, post_report
):
    """Finding 1: summed over indices, what is reported is at least what every index owes (the
    old design compared one shared total with each index's liabilities alone)."""
    _mint_exactly_covered(index, AMOUNT, mint_request, post_report, issuer_contract, custodian)
    _mint_exactly_covered(
        duplicate, 3 * AMOUNT, mint_request, post_report, issuer_contract, custodian
    )
    assert oracle.isCovered(index) and oracle.isCovered(duplicate)
    by_index = [{bytes(r.assetId): r for r in oracle.coverage(t)} for t in (index, duplicate)]
    for asset in by_index[0]:
        reserves = sum(oracle.reservesOf(t, asset)[0] for t in (index, duplicate))
        liabilities = sum(rows[asset].liabilities for rows in by_index)
        assert reserves >= liabilities > 0
        # and neither index's reserves include the other's
        assert by_index[0][asset].reserves < reserves


def test_second_index__reserves_fall__coverage_shows_shortfall_and_breaker_trips(
    expect_revert,
    index,
    duplicate,
    oracle,
    issuer_contract,
    custodian,
    stranger,
    mint_request,
    post_report,
    chain,
):
    """Finding 1: DUP.ssi's shortfall is its own; MAG7's reserves cannot hide it."""
    mag7_owed = _mint_exactly_covered(
        index, AMOUNT, mint_request, post_report, issuer_contract, custodian
    )
    dup_owed = _mint_exactly_covered(
        duplicate, AMOUNT, mint_request, post_report, issuer_contract, custodian
    )
    # DUP.ssi's custodian now reports half, MAG7 keeps a large surplus
    post_report({a: b // 2 for a, b in dup_owed.items()}, index=duplicate)
    post_report({a: 5 * b for a, b in mag7_owed.items()}, index=index)
    rows = oracle.coverage(duplicate)
    assert all(r.fresh and r.reserves < r.liabilities for r in rows)
    assert all(r.ratio < WAD * 51 // 100 for r in rows)
    assert not oracle.isCovered(duplicate)
    assert oracle.isCovered(index)
    with expect_revert(issuer_contract.IssuerBreakerCondition, index=index.address, covered=True):
        issuer_contract.tripCircuitBreaker(index, sender=stranger)
    issuer_contract.tripCircuitBreaker(duplicate, sender=stranger)
    assert issuer_contract.mintPaused(duplicate) == (False, True)
    assert issuer_contract.mintPaused(index) == (False, False)


# ------------------------------------------------------------------ finding 5
def test_remove_custodian__by_admin__balance_stops_counting_and_readd_starts_from_zero(
    index, oracle, custodian, second_custodian, deployer, post_report, chain
):
    """Finding 5: a custodian can never be removed. Now the admin removes one and its last
    report stops counting at once; added again, it starts from nothing (stale until it reports)."""
    oracle.addCustodian(index, BTC, second_custodian, sender=deployer)
    post_report({BTC: 2})
    as_of = oracle.lastReport(custodian)[1]
    post_report({BTC: 5}, sender=second_custodian)
    assert oracle.reservesOf(index, BTC)[0] == 7

    receipt = oracle.removeCustodian(index, BTC, second_custodian, sender=deployer)
    event = receipt.decode_logs(oracle.CustodianRemoved)[0]
    assert (event.custodian, event.by) == (second_custodian.address, deployer.address)
    assert oracle.reservesOf(index, BTC) == (2, as_of)
    assert oracle.custodiansOf(index, BTC) == [custodian.address]
    assert not oracle.isCustodianOf(second_custodian, index, BTC)
    assert oracle.accountConfig(index, BTC)[2] == 1
    post_report({BTC: 3})  # single-custodian mode again: its report is the total
    assert oracle.reservesOf(index, BTC)[0] == 3

    oracle.addCustodian(index, BTC, second_custodian, sender=deployer)
    assert oracle.reservesOf(index, BTC) == (3, 0)  # its old 5 never come back; stale
    post_report({BTC: 4}, sender=second_custodian)
    reserves, fresh_as_of = oracle.reservesOf(index, BTC)
    assert reserves == 7 and fresh_as_of > 0


def test_remove_custodian__role_revoked__anyone_may_remove(
    index, oracle, roles, custodian, second_custodian, deployer, stranger, post_report
):
    """Finding 5: a revoked custodian's last report no longer keeps counting: anyone prunes it."""
    oracle.addCustodian(index, BTC, second_custodian, sender=deployer)
    post_report({BTC: 2})
    post_report({BTC: 5}, sender=second_custodian)
    roles.revokeRole(roles.CUSTODIAN_ROLE(), second_custodian, sender=deployer)
    receipt = oracle.removeCustodian(index, BTC, second_custodian, sender=stranger)
    assert receipt.decode_logs(oracle.CustodianRemoved)[0].by == stranger.address
    assert oracle.reservesOf(index, BTC)[0] == 2
    assert oracle.custodiansOf(index, BTC) == [custodian.address]


def test_remove_custodian__still_active__by_stranger__reverts(
    expect_revert, index, oracle, custodian, second_custodian, deployer, stranger, post_report
):
    """Finding 5: only the admin removes a custodian that still holds its role."""
    oracle.addCustodian(index, BTC, second_custodian, sender=deployer)
    post_report({BTC: 2})
    post_report({BTC: 5}, sender=second_custodian)
    with expect_revert(oracle.OracleCustodianStillActive, custodian=second_custodian.address):
        oracle.removeCustodian(index, BTC, second_custodian, sender=stranger)
    assert oracle.reservesOf(index, BTC)[0] == 7
    assert oracle.isCustodianOf(second_custodian, index, BTC)


def test_remove_custodian__not_a_custodian__reverts(
    expect_revert, index, oracle, second_custodian, deployer
):
    """Finding 5: removal names a custodian of the account."""
    with expect_revert(
        oracle.OracleNotCustodian,
        index=index.address,
        assetId=BTC,
        custodian=second_custodian.address,
    ):
        oracle.removeCustodian(index, BTC, second_custodian, sender=deployer)


def test_remove_only_custodian__replacement_reports__fresh_again_without_redeploy(
    expect_revert,
    index,
    oracle,
    issuer_contract,
    custodian,
    second_custodian,
    deployer,
    mint_request,
    post_report,
):
    """Finding 5: the only custodian of an account is replaced in place: stale (fail closed)
    while nobody counts, fresh again once the new custodian reports."""
    request, _ = mint_request(index, AMOUNT)
    owed = _owed(index, request)
    post_report(owed)
    oracle.removeCustodian(index, BTC, custodian, sender=deployer)
    assert oracle.reservesOf(index, BTC) == (0, 0)
    assert oracle.accountConfig(index, BTC)[2] == 0
    btc_row = next(r for r in oracle.coverage(index) if bytes(r.assetId) == BTC)
    assert not btc_row.fresh
    with expect_revert(oracle.OracleReservesStale, assetId=BTC):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    # the removed custodian can no longer report for the account
    with expect_revert(oracle.OracleUnknownAccount, custodian=custodian.address, assetId=BTC):
        post_report({BTC: owed[BTC]})

    oracle.addCustodian(index, BTC, second_custodian, sender=deployer)
    with expect_revert(oracle.OracleReservesStale, assetId=BTC, asOf=0):
        issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    post_report({BTC: owed[BTC]}, sender=second_custodian)
    post_report({a: b for a, b in owed.items() if a != BTC})  # keep the others fresh
    assert oracle.reservesOf(index, BTC)[0] == owed[BTC]
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    assert oracle.isCovered(index)


def test_set_max_age__by_admin__changes_staleness(index, oracle, deployer, post_report, chain):
    """Finding 5 (accounts are reconfigurable): the admin tightens and loosens max age."""
    post_report({BTC: 3})
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 2 * 3600)

    def btc_fresh():
        return next(r for r in oracle.coverage(index) if bytes(r.assetId) == BTC).fresh

    assert btc_fresh()
    receipt = oracle.setMaxAge(index, BTC, 3600, sender=deployer)
    assert receipt.decode_logs(oracle.MaxAgeSet)[0].maxAge == 3600
    assert oracle.accountConfig(index, BTC)[1] == 3600
    assert not btc_fresh()
    oracle.setMaxAge(index, BTC, DAY, sender=deployer)
    assert btc_fresh()


def test_set_max_age__not_admin_or_zero_or_not_open__reverts(
    expect_revert, index, oracle, roles, deployer, stranger, create_index
):
    """Finding 5: max age changes are the admin's, and never to zero or on a closed account."""
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        oracle.setMaxAge(index, BTC, 3600, sender=stranger)
    with expect_revert(oracle.OracleInvalidConfig, index=index.address, assetId=BTC):
        oracle.setMaxAge(index, BTC, 0, sender=deployer)
    other = create_index(symbol="OTHR.ssi", name="Other")
    with expect_revert(oracle.OracleInvalidConfig, index=other.address, assetId=BTC):
        oracle.setMaxAge(other, BTC, 3600, sender=deployer)
    assert oracle.accountConfig(index, BTC)[1] == DAY


# ------------------------------------------------------------------ the vault's ledger
@pytest.fixture
def local_token(deployer, registry, project, chain):
    """(token, asset id): an 18-decimal ERC-20 registered as a local asset."""
    token = project.TestToken.deploy("Local", "LOC", 18, sender=deployer)
    registry.registerLocalToken(token, sender=deployer)
    return token, Asset.local_token(chain.chain_id, token.address, "LOC", 18).id


@pytest.fixture
def local_index(index, local_token, create_index, configure_index, wlp, vault, deployer):
    """local_index(symbol): an index of one whole LOC per index token, ready for issuance; the
    WLP holds LOC and approved the vault."""
    token, asset = local_token
    token.mint(wlp, 10**24, sender=deployer)
    token.approve(vault, 2**256 - 1, sender=wlp)

    def make(symbol):
        basket = Basket.of([Component(asset_id=asset, amount=10**36)])
        return configure_index(create_index(symbol=symbol, name=symbol, basket=basket))

    return make


def _mint_local(token, amount, mint_request, issuer_contract, custodian):
    """Mints an on-chain-only index; the amount of the ERC-20 escrowed."""
    request, receipt = mint_request(token, amount)
    (pulled,) = receipt.decode_logs(issuer_contract.MintRequested)[0].escrowAmounts
    issuer_contract.confirmMint(request.as_abi(), [], sender=custodian)
    return pulled


def test_vault_donation__never_counts_and_sweep_returns_exactly_it(
    expect_revert,
    local_index,
    local_token,
    oracle,
    vault,
    roles,
    issuer_contract,
    custodian,
    mint_request,
    deployer,
    stranger,
):
    """Vault ledger: a token sent straight to the vault is no index's reserves (the old oracle
    read the vault's raw balance, so a donation or a mistaken transfer "covered" mints)."""
    token, asset = local_token
    loc = local_index("LOC.ssi")
    pulled = _mint_local(loc, 2 * INDEX_UNIT, mint_request, issuer_contract, custodian)
    assert vault.heldFor(loc, token) == pulled
    assert oracle.reservesOf(loc, asset)[0] == pulled

    donation = 123 * 10**18 + 7
    token.mint(vault, donation, sender=deployer)
    assert token.balanceOf(vault) == pulled + donation
    assert oracle.reservesOf(loc, asset)[0] == pulled
    assert vault.heldFor(loc, token) == pulled == vault.totalHeld(token)

    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        vault.sweep(token, stranger, sender=stranger)
    before = token.balanceOf(stranger)
    receipt = vault.sweep(token, stranger, sender=deployer)
    assert receipt.decode_logs(vault.Swept)[0].amount == donation
    assert token.balanceOf(stranger) - before == donation
    assert token.balanceOf(vault) == pulled
    assert oracle.reservesOf(loc, asset)[0] == pulled


def test_vault_ledger__two_indices_same_token__kept_separate(
    local_index, local_token, oracle, vault, issuer_contract, custodian, mint_request
):
    """Finding 1 for on-chain assets: two indices holding the same ERC-20 each count only
    their own share of the vault (the old oracle gave each the vault's whole balance)."""
    token, asset = local_token
    first, second = local_index("LOCA.ssi"), local_index("LOCB.ssi")
    a = _mint_local(first, 2 * INDEX_UNIT, mint_request, issuer_contract, custodian)
    b = _mint_local(second, 3 * INDEX_UNIT, mint_request, issuer_contract, custodian)
    assert vault.heldFor(first, token) == a and vault.heldFor(second, token) == b
    assert vault.totalHeld(token) == a + b == token.balanceOf(vault)
    assert oracle.reservesOf(first, asset)[0] == a
    assert oracle.reservesOf(second, asset)[0] == b
    assert oracle.accountConfig(first, asset)[3]  # an on-chain account
    assert oracle.isCovered(first) and oracle.isCovered(second)
