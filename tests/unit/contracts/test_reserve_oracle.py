"""ReserveOracle: reports (direct and EIP-712 signed), freshness, coverage, the Chainlink feed."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ssikit.builders.reports import ReserveReport, report_digest, sign_report
from ssikit.core.assets import MAG7_ASSETS

DAY = 86_400
BTC, ETH = MAG7_ASSETS[0].id, MAG7_ASSETS[1].id


def _report(custodian, sequence, as_of, balances):
    return ReserveReport(
        custodian=custodian.address,
        sequence=sequence,
        as_of=as_of,
        attestation=b"\x07" * 32,
        balances=tuple(sorted(balances.items())),
    )


def test_report__direct__sets_reserves_and_emits(index, oracle, custodian, chain, post_report):
    now = chain.blocks.head.timestamp
    receipt = post_report({BTC: 5 * 10**8, ETH: 7 * 10**18}, as_of=now)
    assert oracle.reservesOf(BTC) == (5 * 10**8, now)
    assert oracle.reservesOf(ETH) == (7 * 10**18, now)
    event = receipt.decode_logs(oracle.ReserveReported)[0]
    assert (event.custodian, event.sequence, event.asOf) == (custodian.address, 1, now)
    assert oracle.lastReport(custodian) == (1, now)


def test_report_signed__relayed_by_anyone(index, oracle, custodian, stranger, chain):
    report = _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3})
    assert oracle.reportDigest(report.as_abi()) == report_digest(
        report, chain.chain_id, oracle.address
    )
    signature = sign_report(report, chain.chain_id, oracle.address, custodian.private_key)
    oracle.reportSigned(report.as_abi(), signature, sender=stranger)
    assert oracle.reservesOf(BTC)[0] == 3


def test_report_signed__unknown_key__reverts(
    expect_revert, index, oracle, custodian, stranger, chain
):
    report = _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3})
    signature = sign_report(report, chain.chain_id, oracle.address, stranger.private_key)
    with expect_revert(oracle.OracleInvalidSignature, custodian=custodian.address):
        oracle.reportSigned(report.as_abi(), signature, sender=stranger)
    assert oracle.reservesOf(BTC) == (0, 0)


def test_report__replayed__reverts(expect_revert, index, oracle, custodian, chain, stranger):
    report = _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3})
    signature = sign_report(report, chain.chain_id, oracle.address, custodian.private_key)
    oracle.reportSigned(report.as_abi(), signature, sender=stranger)
    with expect_revert(oracle.OracleSequenceNotIncreasing, sequence=1, lastSequence=1):
        oracle.reportSigned(report.as_abi(), signature, sender=stranger)


def test_report__reordered__older_as_of__reverts(expect_revert, index, oracle, custodian, chain):
    now = chain.blocks.head.timestamp
    oracle.report(_report(custodian, 2, now, {BTC: 3}).as_abi(), sender=custodian)
    with expect_revert(oracle.OracleSequenceNotIncreasing, sequence=1, lastSequence=2):
        oracle.report(_report(custodian, 1, now - 10, {BTC: 9}).as_abi(), sender=custodian)
    with expect_revert(oracle.OracleReportOutdated, asOf=now - 10, lastAsOf=now):
        oracle.report(_report(custodian, 3, now - 10, {BTC: 9}).as_abi(), sender=custodian)
    assert oracle.reservesOf(BTC)[0] == 3


def test_report__future_dated__reverts(expect_revert, index, oracle, custodian, chain):
    future = chain.blocks.head.timestamp + 3600
    with expect_revert(oracle.OracleReportFromFuture, asOf=future):
        oracle.report(_report(custodian, 1, future, {BTC: 3}).as_abi(), sender=custodian)


def test_report__unknown_asset__reverts(expect_revert, index, oracle, custodian, chain):
    unknown = b"\x42" * 32
    with expect_revert(oracle.OracleUnknownAsset, custodian=custodian.address, assetId=unknown):
        oracle.report(
            _report(custodian, 1, chain.blocks.head.timestamp, {unknown: 3}).as_abi(),
            sender=custodian,
        )


def test_report__not_a_custodian__reverts(expect_revert, index, oracle, stranger, chain, roles):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        oracle.report(
            _report(stranger, 1, chain.blocks.head.timestamp, {BTC: 3}).as_abi(), sender=stranger
        )


def test_report__someone_elses_unsigned__reverts(
    expect_revert, index, oracle, custodian, stranger, chain
):
    with expect_revert(oracle.OracleUnknownCustodian, custodian=stranger.address):
        oracle.report(
            _report(custodian, 1, chain.blocks.head.timestamp, {BTC: 3}).as_abi(), sender=stranger
        )


def test_two_custodians__reserves_are_the_sum_and_oldest_as_of(
    index, oracle, custodian, stranger, deployer, roles, chain
):
    roles.grantRole(roles.CUSTODIAN_ROLE(), stranger, sender=deployer)
    now = chain.blocks.head.timestamp
    oracle.report(_report(custodian, 1, now - 100, {BTC: 2}).as_abi(), sender=custodian)
    oracle.addCustodian(BTC, stranger, sender=deployer)
    assert oracle.reservesOf(BTC) == (2, 0)  # second custodian not reported yet: stale
    oracle.report(_report(stranger, 1, now, {BTC: 5}).as_abi(), sender=stranger)
    assert oracle.reservesOf(BTC) == (7, now - 100)
    oracle.report(_report(custodian, 2, now, {BTC: 1}).as_abi(), sender=custodian)
    assert oracle.reservesOf(BTC) == (6, now)


def test_coverage__fresh_covered_then_stale(
    index, oracle, cover, mint_request, issuer_contract, custodian, chain
):
    cover(index, 10**18)
    request, _ = mint_request(index, 10**18)
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
        oracle.requireCovered(stored, units + 10**18)


def test_configure__twice_or_zero_age__reverts(expect_revert, index, oracle, deployer):
    with expect_revert(oracle.OracleAlreadyConfigured, assetId=BTC):
        oracle.configureAsset(BTC, DAY, sender=deployer)
    other = b"\x09" * 32
    with expect_revert(oracle.OracleInvalidConfig, assetId=other):
        oracle.configureAsset(other, 0, sender=deployer)


def test_reserve_feed__over_the_oracle__records_its_reserves(
    index, oracle, deployer, stranger, post_report, chain
):
    """The feed over the real oracle (its own tests, over a test source: test_reserve_feed.py)."""
    from ssikit.chain.reserve_feed import FeedRound, deploy_reserve_feed, update_feed

    if not any(
        m.name == "reservesOf" and len(m.inputs) == 2 for m in oracle.contract_type.view_methods
    ):
        pytest.skip("ReserveOracle does not implement IReserveSource.reservesOf(index, asset) yet")
    feed = deploy_reserve_feed(oracle, index, MAG7_ASSETS[0], deployer)
    now = chain.blocks.head.timestamp
    post_report({BTC: 12345}, as_of=now)
    reserves, as_of = oracle.reservesOf(index, BTC)
    assert update_feed(feed, stranger) == FeedRound(1, reserves, as_of, as_of, 1)
    assert update_feed(feed, stranger) is None
    assert feed.description() == "BTC reserves of MAG7.ssi (ssikit)"
