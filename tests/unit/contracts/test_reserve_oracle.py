"""ReserveOracle: per-index reserve accounts, reports (direct and EIP-712 signed), freshness,
coverage, the Chainlink feed."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ssikit.builders.reports import ReserveReport, report_digest, sign_report
from ssikit.core.assets import MAG7_ASSETS

DAY = 86_400
BTC, ETH = MAG7_ASSETS[0].id, MAG7_ASSETS[1].id


def _report(custodian, sequence, as_of, balances, index):
    """A report of `balances` {asset id: base units} for one index."""
    return ReserveReport(
        custodian=custodian.address,
        sequence=sequence,
        as_of=as_of,
        attestation=b"\x07" * 32,
        holdings=tuple((index.address, a, b) for a, b in sorted(balances.items())),
    )


@pytest.fixture
def second_custodian(accounts, roles, deployer):
    """Another account holding CUSTODIAN_ROLE (no reserve account yet)."""
    who = accounts[9]
    roles.grantRole(roles.CUSTODIAN_ROLE(), who, sender=deployer)
    return who


def test_report__direct__sets_the_index_reserves_and_emits(
    index, oracle, custodian, chain, post_report
):
    now = chain.blocks.head.timestamp
    receipt = post_report({BTC: 5 * 10**8, ETH: 7 * 10**18}, as_of=now)
    assert oracle.reservesOf(index, BTC) == (5 * 10**8, now)
    assert oracle.reservesOf(index, ETH) == (7 * 10**18, now)
    event = receipt.decode_logs(oracle.ReserveReported)[0]
    assert (event.custodian, event.sequence, event.asOf) == (custodian.address, 1, now)
    assert [(h[0].lower(), bytes(h[1]), h[2]) for h in event.holdings] == [
        (index.address.lower(), a, b) for a, b in sorted({BTC: 5 * 10**8, ETH: 7 * 10**18}.items())
    ]
    assert oracle.lastReport(custodian) == (1, now)


def test_account_config__set_up_by_configure_index(index, oracle, custodian):
    assert oracle.accountConfig(index, BTC) == (True, DAY, 1, False)
    assert oracle.isCustodianOf(custodian, index, BTC)
    assert oracle.custodiansOf(index, BTC) == [custodian.address]
    # an index nobody configured has no accounts
    assert oracle.accountConfig(oracle.address, BTC) == (False, 0, 0, False)


def test_report_signed__relayed_by_anyone(index, oracle, custodian, stranger, chain):
    report = _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3}, index)
    assert oracle.reportDigest(report.as_abi()) == report_digest(
        report, chain.chain_id, oracle.address
    )
    signature = sign_report(report, chain.chain_id, oracle.address, custodian.private_key)
    oracle.reportSigned(report.as_abi(), signature, sender=stranger)
    assert oracle.reservesOf(index, BTC)[0] == 3


def test_report_signed__digest_binds_the_index(index, oracle, custodian, create_index, chain):
    other = create_index(symbol="OTHR.ssi", name="Other")
    now = chain.blocks.head.timestamp
    mine = _report(custodian, 1, now, {BTC: 3}, index)
    theirs = _report(custodian, 1, now, {BTC: 3}, other)
    assert oracle.reportDigest(mine.as_abi()) != oracle.reportDigest(theirs.as_abi())


def test_report_signed__unknown_key__reverts(
    expect_revert, index, oracle, custodian, stranger, chain
):
    report = _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3}, index)
    signature = sign_report(report, chain.chain_id, oracle.address, stranger.private_key)
    with expect_revert(oracle.OracleInvalidSignature, custodian=custodian.address):
        oracle.reportSigned(report.as_abi(), signature, sender=stranger)
    assert oracle.reservesOf(index, BTC) == (0, 0)


def test_report__replayed__reverts(expect_revert, index, oracle, custodian, chain, stranger):
    report = _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3}, index)
    signature = sign_report(report, chain.chain_id, oracle.address, custodian.private_key)
    oracle.reportSigned(report.as_abi(), signature, sender=stranger)
    with expect_revert(oracle.OracleSequenceNotIncreasing, sequence=1, lastSequence=1):
        oracle.reportSigned(report.as_abi(), signature, sender=stranger)


def test_report__reordered__older_as_of__reverts(expect_revert, index, oracle, custodian, chain):
    now = chain.blocks.head.timestamp
    oracle.report(_report(custodian, 2, now, {BTC: 3}, index).as_abi(), sender=custodian)
    with expect_revert(oracle.OracleSequenceNotIncreasing, sequence=1, lastSequence=2):
        oracle.report(_report(custodian, 1, now - 10, {BTC: 9}, index).as_abi(), sender=custodian)
    with expect_revert(oracle.OracleReportOutdated, asOf=now - 10, lastAsOf=now):
        oracle.report(_report(custodian, 3, now - 10, {BTC: 9}, index).as_abi(), sender=custodian)
    assert oracle.reservesOf(index, BTC)[0] == 3


def test_report__future_dated__reverts(expect_revert, index, oracle, custodian, chain):
    future = chain.blocks.head.timestamp + 3600
    with expect_revert(oracle.OracleReportFromFuture, asOf=future):
        oracle.report(_report(custodian, 1, future, {BTC: 3}, index).as_abi(), sender=custodian)


def test_report__empty__reverts(expect_revert, index, oracle, custodian, chain):
    report = (custodian.address, 1, chain.blocks.head.timestamp, b"\x07" * 32, [])
    with expect_revert(oracle.OracleEmptyReport):
        oracle.report(report, sender=custodian)


def test_report__unknown_asset__reverts(expect_revert, index, oracle, custodian, chain):
    unknown = b"\x42" * 32
    with expect_revert(
        oracle.OracleUnknownAccount,
        custodian=custodian.address,
        index=index.address,
        assetId=unknown,
    ):
        oracle.report(
            _report(custodian, 1, chain.blocks.head.timestamp, {unknown: 3}, index).as_abi(),
            sender=custodian,
        )


def test_report__index_it_is_not_custodian_of__reverts_and_changes_nothing(
    expect_revert, index, oracle, custodian, create_index, chain
):
    other = create_index(symbol="OTHR.ssi", name="Other")  # no reserve accounts at all
    now = chain.blocks.head.timestamp
    with expect_revert(
        oracle.OracleUnknownAccount, custodian=custodian.address, index=other.address, assetId=BTC
    ):
        oracle.report(_report(custodian, 1, now, {BTC: 3}, other).as_abi(), sender=custodian)
    assert oracle.reservesOf(other, BTC) == (0, 0)
    assert oracle.lastReport(custodian) == (0, 0)


def test_report__not_a_custodian__reverts(expect_revert, index, oracle, stranger, chain, roles):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        oracle.report(
            _report(stranger, 1, chain.blocks.head.timestamp, {BTC: 3}, index).as_abi(),
            sender=stranger,
        )


def test_report__someone_elses_unsigned__reverts(
    expect_revert, index, oracle, custodian, stranger, chain
):
    with expect_revert(oracle.OracleUnknownCustodian, custodian=stranger.address):
        oracle.report(
            _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3}, index).as_abi(),
            sender=stranger,
        )


def test_two_custodians__reserves_are_the_sum_and_oldest_as_of(
    index, oracle, custodian, second_custodian, deployer, chain
):
    now = chain.blocks.head.timestamp
    oracle.report(_report(custodian, 1, now - 100, {BTC: 2}, index).as_abi(), sender=custodian)
    oracle.addCustodian(index, BTC, second_custodian, sender=deployer)
    assert oracle.reservesOf(index, BTC) == (2, 0)  # second custodian not reported yet: stale
    assert oracle.accountConfig(index, BTC)[2] == 2
    oracle.report(
        _report(second_custodian, 1, now, {BTC: 5}, index).as_abi(), sender=second_custodian
    )
    assert oracle.reservesOf(index, BTC) == (7, now - 100)
    oracle.report(_report(custodian, 2, now, {BTC: 1}, index).as_abi(), sender=custodian)
    assert oracle.reservesOf(index, BTC) == (6, now)


def test_add_custodian__twice__reverts(expect_revert, index, oracle, custodian, deployer):
    with expect_revert(
        oracle.OracleAlreadyConfigured,
        index=index.address,
        assetId=BTC,
        custodian=custodian.address,
    ):
        oracle.addCustodian(index, BTC, custodian, sender=deployer)


def test_add_custodian__not_admin__reverts(
    expect_revert, index, oracle, roles, stranger, second_custodian
):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        oracle.addCustodian(index, BTC, second_custodian, sender=stranger)
    assert not oracle.isCustodianOf(second_custodian, index, BTC)


def test_add_custodian__account_not_open__reverts(
    expect_revert, index, oracle, deployer, second_custodian, create_index
):
    other = create_index(symbol="OTHR.ssi", name="Other")
    with expect_revert(oracle.OracleInvalidConfig, index=other.address, assetId=BTC):
        oracle.addCustodian(other, BTC, second_custodian, sender=deployer)


def test_add_custodian__more_than_max__reverts(expect_revert, index, oracle, deployer):
    limit = oracle.MAX_CUSTODIANS()
    assert limit == 8
    extra = [f"0x{0xC0 + i:040x}" for i in range(limit)]
    for who in extra[: limit - 1]:  # the configured custodian is the first
        oracle.addCustodian(index, BTC, who, sender=deployer)
    assert oracle.accountConfig(index, BTC)[2] == limit
    with expect_revert(oracle.OracleInvalidConfig, index=index.address, assetId=BTC):
        oracle.addCustodian(index, BTC, extra[-1], sender=deployer)


def test_coverage__fresh_covered_then_stale(
    index, oracle, cover, mint_request, issuer_contract, custodian, chain
):
    request, _ = mint_request(index, 10**18)
    cover(index, 2 * 10**18)
    issuer_contract.confirmMint(request.as_abi(), [b"\x01" * 32] * 7, sender=custodian)
    rows = oracle.coverage(index)
    assert len(rows) == 7
    assert all(r.fresh and r.reserves >= r.liabilities > 0 for r in rows)
    assert oracle.isCovered(index)
    chain.mine(1, timestamp=chain.blocks.head.timestamp + DAY + 1)
    assert not oracle.isCovered(index)
    assert not any(r.fresh for r in oracle.coverage(index))


def test_require_covered__short__reverts(expect_revert, index, oracle, cover):
    cover(index, 10**18, margin=Fraction(1, 2))
    stored, _, units, *_ = index.basketState()
    with expect_revert(oracle.OracleReservesShort):
        oracle.requireCovered(index, stored, units + 10**18)
    oracle.requireCovered(index, stored, units + 10**18 // 4)  # what half the reserves cover


def test_require_covered__no_report__reverts_stale(expect_revert, index, oracle):
    stored, _, units, *_ = index.basketState()
    with expect_revert(oracle.OracleReservesStale, asOf=0, maxAge=DAY):
        oracle.requireCovered(index, stored, units + 1)


def test_require_covered__another_index_reports__do_not_count(
    expect_revert, index, oracle, cover, create_index
):
    other = create_index(symbol="OTHR.ssi", name="Other")
    cover(index, 10**20)
    stored, _, units, *_ = other.basketState()
    with expect_revert(oracle.OracleReservesStale):
        oracle.requireCovered(other, stored, units + 1)


def test_open_account__twice_or_zero_age_or_unknown_asset__reverts(
    expect_revert, index, oracle, deployer, registry
):
    with expect_revert(
        oracle.OracleAlreadyConfigured, index=index.address, assetId=BTC, custodian="0x" + "0" * 40
    ):
        oracle.openAccount(index, BTC, DAY, sender=deployer)
    with expect_revert(oracle.OracleInvalidConfig, index=index.address, assetId=BTC):
        oracle.openAccount(index, BTC, 0, sender=deployer)
    other = b"\x09" * 32
    with expect_revert(registry.AssetUnknown):
        oracle.openAccount(index, other, DAY, sender=deployer)


def test_open_account__not_admin__reverts(
    expect_revert, index, oracle, roles, stranger, create_index
):
    other = create_index(symbol="OTHR.ssi", name="Other")
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        oracle.openAccount(other, BTC, DAY, sender=stranger)
    assert not oracle.accountConfig(other, BTC)[0]


def test_reserve_feed__over_the_oracle__records_its_reserves(
    index, oracle, deployer, stranger, post_report, chain
):
    """The feed over the real oracle (its own tests, over a test source: test_reserve_feed.py)."""
    from ssikit.chain.reserve_feed import FeedRound, deploy_reserve_feed, update_feed

    feed = deploy_reserve_feed(oracle, index, MAG7_ASSETS[0], deployer)
    now = chain.blocks.head.timestamp
    post_report({BTC: 12345}, as_of=now)
    reserves, as_of = oracle.reservesOf(index, BTC)
    assert update_feed(feed, stranger) == FeedRound(1, reserves, as_of, as_of, 1)
    assert update_feed(feed, stranger) is None
    assert feed.description() == "BTC reserves of MAG7.ssi (ssikit)"
