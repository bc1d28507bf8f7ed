"""Pure builders: reserve reports from wallet files, request ids (no chain)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ssikit.builders.reports import (
    ReportError,
    WalletFile,
    build_report,
    report_digest,
    sign_report,
)
from ssikit.builders.requests import Request, request_id
from ssikit.core.assets import MAG7_ASSETS

CUSTODIAN = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
IDS = {a.symbol: a.id for a in MAG7_ASSETS}
MAG7 = "0x" + "aa" * 20
OTHER = "0x" + "bb" * 20


def _wallets(wallets, as_of=1_700_000_000):
    return WalletFile(custodian=CUSTODIAN, as_of=as_of, wallets=wallets)


def test_build_report__sums_wallets_per_index_and_asset_sorted():
    wallets = _wallets(
        [
            {"index": MAG7, "asset": "BTC", "address": "a", "balance": 5},
            {"index": MAG7, "asset": "ETH", "address": "b", "balance": 7},
            {"index": MAG7, "asset": "BTC", "address": "c", "balance": 6},
            {"index": "OTHER.ssi", "asset": "BTC", "address": "d", "balance": 100},
        ]
    )
    report = build_report(wallets, IDS, sequence=3, indices={"OTHER.ssi": OTHER})
    got = {(i.lower(), a): b for i, a, b in report.holdings}
    # A wallet backs one index: the other index's BTC never adds to MAG7's account.
    assert got == {(MAG7, IDS["BTC"]): 11, (MAG7, IDS["ETH"]): 7, (OTHER, IDS["BTC"]): 100}
    keys = [(i.lower(), a) for i, a, _ in report.holdings]
    assert keys == sorted(keys)
    assert (report.sequence, report.as_of) == (3, 1_700_000_000)


def test_build_report__unknown_index__raises():
    wallets = _wallets([{"index": "NOPE.ssi", "asset": "BTC", "address": "a", "balance": 1}])
    with pytest.raises(ReportError, match=r"unknown index 'NOPE\.ssi'"):
        build_report(wallets, IDS, sequence=1)


def test_attestation__independent_of_wallet_order_but_not_of_content():
    one = [
        {"index": MAG7, "asset": "BTC", "address": "a", "balance": 5},
        {"index": MAG7, "asset": "ETH", "address": "b", "balance": 7},
    ]
    assert _wallets(one).attestation() == _wallets(list(reversed(one))).attestation()
    changed = [{"index": MAG7, "asset": "BTC", "address": "a", "balance": 6}, one[1]]
    assert _wallets(one).attestation() != _wallets(changed).attestation()


def test_build_report__unknown_asset__raises():
    with pytest.raises(ReportError, match="unknown asset 'FOO'"):
        build_report(
            _wallets([{"index": MAG7, "asset": "FOO", "address": "x", "balance": 1}]),
            IDS,
            sequence=1,
        )


def test_build_report__no_time__raises_and_now_fills_it():
    wallets = _wallets([{"index": MAG7, "asset": "BTC", "address": "a", "balance": 1}], as_of=None)
    with pytest.raises(ReportError, match="no as_of"):
        build_report(wallets, IDS, sequence=1)
    assert build_report(wallets, IDS, sequence=1, now=123).as_of == 123


def test_wallet_file__negative_balance__rejected(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(
        json.dumps(
            {
                "custodian": CUSTODIAN,
                "wallets": [{"index": MAG7, "asset": "BTC", "address": "a", "balance": -1}],
            }
        )
    )
    with pytest.raises(ReportError, match="balance"):
        WalletFile.load(path)
    with pytest.raises(ValidationError):
        WalletFile(
            custodian="not an address",
            wallets=[{"index": MAG7, "asset": "BTC", "address": "a", "balance": 1}],
        )


def test_sign_report__recovers_to_signer():
    from eth_account import Account
    from eth_keys import keys

    account = Account.create()
    report = build_report(
        WalletFile(
            custodian=account.address,
            as_of=1,
            wallets=[{"index": MAG7, "asset": "BTC", "address": "a", "balance": 1}],
        ),
        IDS,
        sequence=1,
    )
    signature = sign_report(report, 31337, "0x" + "11" * 20, account.key)
    digest = report_digest(report, 31337, "0x" + "11" * 20)
    recovered = keys.Signature(
        signature_bytes=signature[:64] + bytes([signature[64] - 27])
    ).recover_public_key_from_msg_hash(digest)
    assert recovered.to_checksum_address() == account.address


def test_request_id__binds_every_field():
    base = Request(
        requester=CUSTODIAN,
        index="0x" + "22" * 20,
        amount=10**18,
        basket_version=1,
        max_fee_bps=50,
        nonce=1,
        deadline=99,
        factor=10**27,
    )
    ids = {request_id(base, True, 31337, "0x" + "33" * 20)}
    for change in (
        {"amount": 2},
        {"basket_version": 2},
        {"max_fee_bps": 49},
        {"nonce": 2},
        {"deadline": 98},
        {"index": "0x" + "44" * 20},
        {"factor": 10**27 - 1},
    ):
        ids.add(request_id(base.model_copy(update=change), True, 31337, "0x" + "33" * 20))
    ids.add(request_id(base, False, 31337, "0x" + "33" * 20))  # redeem, not mint
    ids.add(request_id(base, True, 1, "0x" + "33" * 20))  # another chain
    ids.add(request_id(base, True, 31337, "0x" + "55" * 20))  # another issuer
    assert len(ids) == 11
