"""Amounts are shown in whole units beside base units: a request's amount in whole index
tokens, and each coverage row's reserves and liabilities in whole units of its asset (the
registry's decimals), exactly."""

from __future__ import annotations

from decimal import Decimal

from ssikit.bots.custodian import CustodianService, WalletFileCustody
from ssikit.chain.issuance import CustodianClient, WlpClient
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.units import INDEX_UNIT

DECIMALS = {a.symbol: a.decimals for a in MAG7_ASSETS}


def test_request_and_coverage__whole_units_beside_base_units(serve_mag7, custodian, wlp, chain):
    _, _, system, ids, _, wallets = serve_mag7(balance=123_456_789)
    service = CustodianService(
        CustodianClient(system, custodian),
        WalletFileCustody(wallets),
        ids,
        ["MAG7.ssi"],
        log=lambda entry: None,
    )
    service.tick()  # the first report
    tracked = WlpClient(system, wlp).mint("MAG7.ssi", 5 * INDEX_UNIT // 2)
    shown = tracked.as_dict()
    assert shown["amount"] == str(5 * INDEX_UNIT // 2) and shown["amount_tokens"] == "2.5"

    rows = CustodianClient(system, custodian).coverage("MAG7.ssi")
    assert {r["symbol"] for r in rows} == set(DECIMALS)
    for row in rows:
        places = DECIMALS[row["symbol"]]
        assert Decimal(row["reserves_whole"]).scaleb(places) == int(row["reserves"]) == 123_456_789
        assert Decimal(row["liabilities_whole"]).scaleb(places) == int(row["liabilities"])
