"""Typed results of the indexer's queries and syncs (no database or chain types leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..builders.requests import Request, Settlement
from ..chain.issuance import OPEN, TrackedRequest
from ..core.units import WAD
from ..math import basket as bm
from ..math.fees import Ray, decay
from ..math.rounding import Rounding, mul_div

UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class IndexedRequest:
    """A mint or redeem request as its events tell it. ``status`` uses the names of
    ``chain.issuance.STATUS`` (IIssuer.Status); ``history`` is [(status, block, log index)]."""

    id: bytes
    is_mint: bool
    status: str
    request: Request
    block: int
    requested_at: int  # {unix seconds}
    updated_block: int
    custodian: str | None
    fee: int | None  # {index wei}
    minted: int | None  # {index wei}
    paid_for: int | None  # {index wei}
    settlement: Settlement | None
    reject_reason: int | None
    escrow: list[tuple[str, int]]  # (ERC-20, base units) escrowed by a mint
    refs: list[bytes]  # delivery and payout references, in event order
    paid_on_chain: list[tuple[str, int]]  # (ERC-20, base units) a redemption paid from the vault
    history: list[tuple[str, int, int]]
    issuer: str = ""  # the issuer contract it was made on (only it can finish the request)

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def kind(self) -> str:
        return "mint" if self.is_mint else "redeem"

    def tracked(self) -> TrackedRequest:
        """The same request as the chain clients' ``TrackedRequest``."""
        return TrackedRequest(
            self.id,
            self.request,
            self.is_mint,
            self.status,
            self.block,
            self.settlement,
            self.issuer,
            self.paid_for,
            self.updated_block,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.tracked().as_dict(),
            "requester": self.request.requester,
            "custodian": self.custodian,
            "fee": None if self.fee is None else str(self.fee),
            "minted": None if self.minted is None else str(self.minted),
            "paid_for": None if self.paid_for is None else str(self.paid_for),
            "history": [list(h) for h in self.history],
        }


@dataclass(frozen=True)
class ReserveAccount:
    """One reserve account (index, asset) as the oracle's ``reservesOf`` would answer it."""

    index: str
    asset_id: bytes
    opened: bool
    max_age: int  # {seconds}
    token: str | None  # the asset's ERC-20 on this chain (reserves = the vault's ledger)
    reserves: int  # {base units}
    as_of: int  # {unix seconds} oldest report counted; 0 = none (on-chain assets: see fresh)
    custodians: dict[str, tuple[int, int]]  # custodian -> (balance {base units}, as of)

    @property
    def local(self) -> bool:
        return self.token is not None

    def fresh(self, now: int) -> bool:
        """ReserveOracle._reserves: on-chain reserves are always fresh."""
        if self.local:
            return True
        return self.opened and self.as_of != 0 and now - self.as_of <= self.max_age


@dataclass(frozen=True)
class Coverage:
    """``IReserveOracle.ComponentCoverage`` of one component at time ``now``."""

    asset_id: bytes
    reserves: int  # {base units}
    liabilities: int  # {base units}, rounded up
    ratio: int  # {WAD}; UINT256_MAX when nothing is owed
    age: int  # {seconds}; UINT256_MAX when nothing was reported
    fresh: bool

    @property
    def covered(self) -> bool:
        return self.fresh and self.reserves >= self.liabilities


def coverage_of(
    account: ReserveAccount, stored_amount: int, backing_units: int, now: int
) -> Coverage:
    """ReserveOracle.coverage for one component."""
    owed = bm.liability(stored_amount, backing_units)
    as_of = now if account.local else account.as_of
    return Coverage(
        asset_id=account.asset_id,
        reserves=account.reserves,
        liabilities=owed,
        ratio=UINT256_MAX if owed == 0 else mul_div(account.reserves, WAD, owed, Rounding.FLOOR),
        age=UINT256_MAX if as_of == 0 else now - as_of,
        fresh=account.fresh(now),
    )


@dataclass(frozen=True)
class IndexState:
    """An index token's state from its events: basket, backing, supply and fees."""

    address: str
    symbol: str
    name: str
    created_block: int
    basket_version: int
    basket: list[tuple[bytes, int]]  # (asset id, stored amount {1e-18 base units per token})
    backing_units: int  # {index wei at stored amounts}
    supply: int  # {index wei}
    fee_rate: int  # {RAY per second}
    max_fee_rate: int  # {RAY per second}
    fee_factor_checkpoint: int  # {RAY} at fee_checkpoint
    fee_checkpoint: int  # {unix seconds}
    fees_collected: int  # {index wei}, all collections so far
    mint_fee_bps: int | None
    redeem_fee_bps: int | None
    mint_paused: bool
    breaker_tripped: bool
    redeem_paused_until: int  # {unix seconds}
    limits: dict[str, Any] | None
    pending_proposal: bytes | None
    issuer: str = ""  # the issuer contract now (IIndexToken.issuer)
    oracle: str = ""  # the reserve oracle now (IIndexToken.oracle)
    former_issuers: list[str] = field(default_factory=list)
    pending_moves: dict[str, Any] = field(default_factory=dict)  # "issuer"/"oracle" -> move
    deprecated: bool = False

    def fee_factor(self, now: int) -> int:
        """IndexToken.feeFactor at ``now`` {RAY}."""
        elapsed = max(now - self.fee_checkpoint, 0)
        return decay(Ray(self.fee_factor_checkpoint), Ray(self.fee_rate), elapsed)

    def fee_share(self, now: int) -> int:
        """IndexToken.feeShare at ``now`` {index wei}."""
        return bm.fee_share(self.backing_units, self.supply, self.fee_factor(now))


@dataclass(frozen=True)
class Proposal:
    """A rebalance proposal (``RebalanceProposed``) and what became of it."""

    id: bytes
    index: str
    from_version: int
    proposer: str
    commitment: bytes
    activation_time: int  # {unix seconds}
    components: list[tuple[bytes, int]]
    prices: list[tuple[bytes, int]]  # {USD × 1e36 per base unit}
    turnover_bps: int
    changed: int
    max_component_change_bps: int
    status: str  # pending | cancelled | activated
    block: int
    closed_block: int | None


@dataclass(frozen=True)
class Reorg:
    """A rewind: the stored branch from ``ancestor + 1`` to ``cursor`` was replaced."""

    cursor: int
    ancestor: int

    @property
    def depth(self) -> int:
        return self.cursor - self.ancestor


@dataclass
class SyncResult:
    """What one ``Indexer.sync`` did."""

    start: int  # first block read (cursor + 1 when it began)
    cursor: int  # last block indexed now
    head: int  # the chain's head when it began
    target: int  # the block it synced to: head less confirmations (or to_block)
    pages: int = 0
    events: int = 0
    log_queries: list[tuple[int, int]] = field(default_factory=list)  # eth_getLogs ranges
    reorgs: list[Reorg] = field(default_factory=list)

    @property
    def blocks(self) -> int:
        """Blocks indexed by this sync (after any rewind)."""
        return max(self.cursor - self.start + 1, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "cursor": self.cursor,
            "head": self.head,
            "target": self.target,
            "pages": self.pages,
            "events": self.events,
            "log_queries": len(self.log_queries),
            "reorgs": [{"cursor": r.cursor, "ancestor": r.ancestor} for r in self.reorgs],
        }


@dataclass(frozen=True)
class IndexerStatus:
    chain_id: int
    database: str
    start_block: int
    cursor: int
    head: int | None
    confirmations: int
    contracts: int
    events: int
    requests: dict[str, int]  # status -> count

    @property
    def behind(self) -> int | None:
        """Blocks between the cursor and the head less confirmations (None without a node)."""
        return None if self.head is None else max(self.head - self.confirmations - self.cursor, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "database": self.database,
            "start_block": self.start_block,
            "cursor": self.cursor,
            "head": self.head,
            "confirmations": self.confirmations,
            "behind": self.behind,
            "contracts": self.contracts,
            "events": self.events,
            "requests": self.requests,
        }
