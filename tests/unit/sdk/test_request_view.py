"""``chain.session.RequestView``: a tracked request as the typed facade returns it and as the
CLI prints it (status by label, whole tokens beside index wei, the settlement when accepted)."""

from __future__ import annotations

from ssikit.builders.requests import Request, Settlement
from ssikit.chain.issuance import TrackedRequest
from ssikit.chain.session import RequestView
from ssikit.core.requests import RequestStatus
from ssikit.core.units import RAY

WLP, INDEX = "0x" + "11" * 20, "0x" + "22" * 20


def _tracked(status: str, settlement: Settlement | None = None) -> TrackedRequest:
    request = Request(
        requester=WLP,
        index=INDEX,
        amount=2_500_000_000_000_000_000,
        basket_version=2,
        max_fee_bps=50,
        nonce=7,
        deadline=1_800_000_000,
        factor=RAY - 5,
    )
    return TrackedRequest(b"\xab" * 32, request, False, status, 99, settlement, "0x" + "33" * 20)


def test_request_view__typed_fields_and_printed_row():
    view = RequestView.of(_tracked("redeem pending"))
    assert view.status is RequestStatus.REDEEM_PENDING and view.kind == "redeem"
    assert view.id == "0x" + "ab" * 32 and view.amount_tokens == "2.5"
    row = view.as_dict()
    assert row["status"] == "redeem pending" and row["amount"] == "2500000000000000000"
    assert row["amount_tokens"] == "2.5" and row["basket_version"] == 2 and row["block"] == 99
    assert row["factor"] == str(RAY - 5) and row["settlement"] is None


def test_request_view__accepted_redemption_shows_its_settlement():
    view = RequestView.of(_tracked("redeem accepted", Settlement(fee_bps=20, factor=RAY - 9)))
    assert view.status is RequestStatus.REDEEM_ACCEPTED
    assert view.as_dict()["settlement"] == {"fee_bps": 20, "factor": str(RAY - 9)}
