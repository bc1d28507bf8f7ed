"""The coverage guard (custody audit, F4) judges a report against the index's whole basket, and
during a rebalance against the whole current OR the whole proposed basket: an asset the report
omits counts as zero, and a mix (the old asset sold, the new one not bought) is under-covered.
The chain is faked (the guard only reads the oracle, the token and the indexed proposal)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from ssikit.builders.reports import ReserveReport
from ssikit.chain import artifacts
from ssikit.chain.coverage_guard import UnderCoverageError, guard, shortfalls
from ssikit.core.units import INDEX_UNIT
from ssikit.math.basket import liability

INDEX = "0x" + "aa" * 20
ME = "0x" + "cc" * 20
A, B, C = (bytes([n]) * 32 for n in (1, 2, 3))
UNITS = 2 * INDEX_UNIT
STORED = 50 * 10**8  # {base units per index token} of each asset


@dataclass
class FakeOracle:
    current: dict[bytes, int]  # asset -> stored amount of the current basket
    address: str = "0x" + "0e" * 20

    def accountConfig(self, index: str, asset: bytes) -> tuple[bool, int, int, bool]:
        return (True, 3600, 1, False)

    def isCustodianOf(self, who: str, index: str, asset: bytes) -> bool:
        return who.lower() == ME

    def reservesOf(self, index: str, asset: bytes) -> tuple[int, int]:
        return (0, 0)

    def coverage(self, token: Any) -> list[Any]:
        return [
            SimpleNamespace(assetId=a, liabilities=liability(x, UNITS))
            for a, x in self.current.items()
        ]


def _protocol(monkeypatch, current: dict[bytes, int], proposed: dict[bytes, int] | None) -> Any:
    pending = b"\x07" * 32 if proposed is not None else b"\0" * 32
    token = SimpleNamespace(
        pendingRebalance=lambda: (pending, 0),
        basketState=lambda: (list(current.items()), 0, UNITS),
    )
    monkeypatch.setattr(
        artifacts, "container", lambda name: SimpleNamespace(at=lambda address: token)
    )
    proposal = None if proposed is None else SimpleNamespace(components=list(proposed.items()))
    indexed = SimpleNamespace(proposal=lambda index, id_: proposal)
    oracle = FakeOracle(current)
    return SimpleNamespace(oracle=oracle, indexed=lambda: indexed)


def _report(**balances: int) -> ReserveReport:
    ids = {"A": A, "B": B, "C": C}
    return ReserveReport(
        custodian=ME,
        sequence=1,
        as_of=1,
        attestation=b"\0" * 32,
        holdings=tuple((INDEX, ids[k], v) for k, v in balances.items()),
    )


OWED = liability(STORED, UNITS)  # {base units} each asset's liabilities (same amounts)


def test_asset_omitted_from_report__counts_as_zero(monkeypatch):
    protocol = _protocol(monkeypatch, {A: STORED, B: STORED}, None)
    (short,) = shortfalls(protocol, _report(A=OWED))  # B not reported at all
    assert (short.asset_id, short.reserves, short.liabilities) == (B, 0, OWED)
    with pytest.raises(UnderCoverageError, match="would be under-covered in B"):
        guard(protocol, _report(A=OWED), names={B: "B"})


def test_rebalance__old_sold_new_not_bought__under_covered(monkeypatch):
    """Current basket A + C, proposed B + C: a report with A sold and B not bought covers
    neither basket (the old per-asset 'lower of the two' let it through)."""
    protocol = _protocol(monkeypatch, {A: STORED, C: STORED}, {B: STORED, C: STORED})
    found = shortfalls(protocol, _report(A=0, B=0, C=OWED))
    assert [(s.asset_id, s.reserves) for s in found] == [(A, 0)]


@pytest.mark.parametrize(
    "balances",
    [{"A": OWED, "B": 0, "C": OWED}, {"A": 0, "B": OWED, "C": OWED}, {"A": OWED, "C": OWED}],
    ids=["current whole", "proposed whole", "proposed asset not reported yet"],
)
def test_rebalance__either_basket_whole__fine(monkeypatch, balances):
    protocol = _protocol(monkeypatch, {A: STORED, C: STORED}, {B: STORED, C: STORED})
    assert shortfalls(protocol, _report(**balances)) == []


def test_rebalance__proposed_only_asset_short__current_judged(monkeypatch):
    protocol = _protocol(monkeypatch, {A: STORED}, {B: STORED})
    found = shortfalls(protocol, _report(A=OWED - 1, B=OWED - 1))
    assert [(s.asset_id, s.reserves) for s in found] == [(A, OWED - 1)]
