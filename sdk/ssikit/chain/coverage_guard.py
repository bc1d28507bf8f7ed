"""The custodian's last look before posting a reserve report: would it leave an index
under-covered (reserves below liabilities, ratio < 1) in any asset of its basket (or, during a
rebalance, of both the current and the proposed basket)? A report in the wrong units, one that
omits an asset, or custody that emptied, then names the asset and the ratio and is refused unless
forced (``ssikit custodian report --force``, ``CustodianService(force=True)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..builders.reports import ReserveReport
from ..core.errors import SsikitError
from .protocol import Protocol


@dataclass(frozen=True)
class Shortfall:
    index: str  # the index's address
    asset_id: bytes
    reserves: int  # {base units} the index's reserves once the report counts
    liabilities: int  # {base units} what the index owes in the asset now

    @property
    def ratio(self) -> float:
        return self.reserves / self.liabilities

    def line(self, names: dict[bytes, str] | None = None, index: str | None = None) -> str:
        asset = (names or {}).get(self.asset_id, "0x" + self.asset_id.hex())
        return (
            f"{index or self.index} would be under-covered in {asset}: ratio {self.ratio:.6f} "
            f"(reserves {self.reserves} < liabilities {self.liabilities} {{base units}})"
        )


class UnderCoverageError(SsikitError):
    """A report would leave an index under-covered; posting it needs ``force``."""

    def __init__(self, shortfalls: list[Shortfall], lines: list[str]) -> None:
        super().__init__("; ".join(lines) + "; not posted (force to post it anyway)")
        self.shortfalls = shortfalls


def shortfalls(protocol: Protocol, report: ReserveReport, oracle: Any = None) -> list[Shortfall]:
    """The (index, asset) accounts that would be under-covered once ``report`` counts at
    ``oracle`` (default the deployment's), for every index the report lists, over the index's
    WHOLE basket: an asset of the basket the report omits counts as zero for this custodian
    (an account it does not serve keeps the reserves it has). With several custodians per
    account the others' latest balances (from the event index, for the deployment's oracle;
    none are counted for another oracle, a lower bound) are added.

    While a rebalance is pending the custodians trade from the current basket toward the
    proposed one: the report is fine if every asset of the current basket is covered, or every
    asset of the proposed basket is (never a mix: selling the old asset before buying the new
    one leaves the index covered by neither). The shortfalls returned are the current
    basket's."""
    oracle = oracle if oracle is not None else protocol.oracle
    reported: dict[str, dict[bytes, int]] = {}
    for index, asset_id, balance in report.holdings:
        held = reported.setdefault(index, {})
        held[bytes(asset_id)] = held.get(bytes(asset_id), 0) + int(balance)
    found = []
    for index, held in reported.items():
        current, proposed = _owed(protocol, oracle, index)
        assets = {*current, *(proposed or {})}
        reserves = {a: _reserves(protocol, oracle, report, index, a, held) for a in assets}
        found += judge(index, reserves, current, proposed)
    return found


def judge(
    index: str,
    reserves: dict[bytes, int | None],
    current: dict[bytes, int],
    proposed: dict[bytes, int] | None = None,
) -> list[Shortfall]:
    """The shortfalls of the current basket (asset -> liabilities {base units}) against
    ``reserves`` (asset -> {base units}; missing: 0; None: on chain, not judged here), or none
    when a pending rebalance's ``proposed`` basket is covered in every asset."""

    def short(owed: dict[bytes, int]) -> list[Shortfall]:
        out = []
        for asset_id, liabilities in owed.items():
            have = reserves.get(asset_id, 0)
            if have is not None and have < liabilities:
                out.append(Shortfall(index, asset_id, have, liabilities))
        return out

    now = short(current)
    if now and proposed is not None and not short(proposed):
        return []  # the proposed basket is whole: the trade toward it is under way
    return now


def _reserves(
    protocol: Protocol,
    oracle: Any,
    report: ReserveReport,
    index: str,
    asset_id: bytes,
    held: dict[bytes, int],
) -> int | None:
    """{base units} the account (index, asset) would hold once ``report`` counts; None for an
    on-chain asset (the vault's ledger, not a report)."""
    _, _, custodians, local = oracle.accountConfig(index, asset_id)
    if local:
        return None
    mine = report.custodian.lower()
    if not oracle.isCustodianOf(report.custodian, index, asset_id):
        return int(oracle.reservesOf(index, asset_id)[0])  # the report does not touch it
    reserves = held.get(asset_id, 0)  # omitted from the report: zero
    if int(custodians) > 1 and oracle.address == protocol.oracle.address:
        account = protocol.indexed().indexer.reserves(index, asset_id)
        reserves += sum(b for c, (b, _) in account.custodians.items() if c.lower() != mine)
    return reserves


def _owed(
    protocol: Protocol, oracle: Any, index: str
) -> tuple[dict[bytes, int], dict[bytes, int] | None]:
    """asset id -> {base units} the index must hold now for its current basket, and for the
    proposed basket of a pending rebalance (None when there is none, or it is not indexed
    yet: then only the current basket counts, the stricter choice)."""
    from ..math.basket import liability
    from .artifacts import container

    token = container("IndexToken").at(index)
    owed = {bytes(r.assetId): int(r.liabilities) for r in oracle.coverage(token)}
    pending, _ = token.pendingRebalance()
    if int.from_bytes(bytes(pending), "big") == 0:
        return owed, None
    proposal = protocol.indexed().proposal(index, bytes(pending))
    if proposal is None:
        return owed, None
    units = int(token.basketState()[2])
    return owed, {bytes(a): liability(int(x), units) for a, x in proposal.components}


def guard(
    protocol: Protocol,
    report: ReserveReport,
    oracle: Any = None,
    names: dict[bytes, str] | None = None,
    symbols: dict[str, str] | None = None,
) -> None:
    """Raises UnderCoverageError when ``report`` would leave an index under-covered. ``names``
    (asset id -> symbol) and ``symbols`` (index address -> symbol) make the line readable."""
    found = shortfalls(protocol, report, oracle)
    if found:
        by_address = {a.lower(): s for a, s in (symbols or {}).items()}
        lines = [s.line(names, by_address.get(s.index.lower())) for s in found]
        raise UnderCoverageError(found, lines)
