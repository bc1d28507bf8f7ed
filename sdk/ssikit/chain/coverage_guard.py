"""The custodian's last look before posting a reserve report: would it leave an index
under-covered (reserves below liabilities, ratio < 1) in an asset it reports? A report in the
wrong units, or custody that emptied, then names the asset and the ratio and is refused unless
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
    """The (index, asset) accounts ``report`` lists whose reserves, once it counts, would be
    below the index's liabilities at ``oracle`` (default the deployment's). With one custodian
    per account the report's balance is the reserves; with several, the others' latest balances
    (from the event index, for the deployment's oracle; none are counted for another oracle,
    a lower bound) are added. While a rebalance is pending, the custodians trade toward the
    proposed basket: an asset needs only the lower of what the current and the proposed basket
    owe for the current backing units."""
    oracle = oracle if oracle is not None else protocol.oracle
    mine = report.custodian.lower()
    found = []
    owed: dict[str, dict[bytes, int]] = {}
    for index, asset_id, balance in report.holdings:
        _, _, custodians, local = oracle.accountConfig(index, asset_id)
        if local:
            continue
        if index not in owed:
            owed[index] = _owed(protocol, oracle, index)
        liabilities = owed[index].get(bytes(asset_id), 0)
        reserves = int(balance)
        if int(custodians) > 1 and oracle.address == protocol.oracle.address:
            account = protocol.indexed().indexer.reserves(index, asset_id)
            reserves += sum(b for c, (b, _) in account.custodians.items() if c.lower() != mine)
        if reserves < liabilities:
            found.append(Shortfall(index, bytes(asset_id), reserves, liabilities))
    return found


def _owed(protocol: Protocol, oracle: Any, index: str) -> dict[bytes, int]:
    """asset id -> {base units} the index must hold now (lowered toward a pending rebalance)."""
    from ..math.basket import liability
    from .artifacts import container

    token = container("IndexToken").at(index)
    owed = {bytes(r.assetId): int(r.liabilities) for r in oracle.coverage(token)}
    pending, _ = token.pendingRebalance()
    if int.from_bytes(bytes(pending), "big") == 0:
        return owed
    proposal = protocol.indexed().proposal(index, bytes(pending))
    if proposal is None:  # not indexed yet: the current basket's liabilities (stricter)
        return owed
    units = int(token.basketState()[2])
    proposed = {bytes(a): liability(int(x), units) for a, x in proposal.components}
    return {a: min(x, proposed.get(a, 0)) for a, x in owed.items()}


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
