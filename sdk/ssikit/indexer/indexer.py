"""The event indexer: follows the protocol's contracts page by page and keeps their events and
read models in a database.

- **Pages.** From the cursor (the last block indexed) to the head less ``confirmations``, in
  ranges of at most ``page_size`` blocks. A range the RPC refuses is halved and retried (and the
  smaller size kept for the rest of the run); a single block refused is a RangeRefusedError.
- **Reorgs.** Every page's last block and every block with a log has its hash stored (pruned
  beyond ``reorg_window`` blocks). Before each page the cursor block's hash is checked against
  the chain; if it differs, the last stored block the chain still has is found (binary search:
  a block that matches has every ancestor matching), the store rewinds to it (events deleted,
  read models rebuilt from the events kept) and the pages are read again. No such block within
  the window is a ReorgTooDeepError.
- **Resume.** Each page commits in one transaction with the cursor, so a new Indexer on the
  same database goes on from there.

Only ``eth_chainId``, ``eth_blockNumber``, ``eth_getBlockByNumber`` and ``eth_getLogs`` are
called: never a call against a historical block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..builders.requests import Request, Settlement
from ..chain.artifacts import abis as shipped_abis
from .abi import Abi, EventType, event_types
from .chain import BlockHeader, ChainReader, Web3Chain
from .contracts import DISCOVERIES, LOCAL_CHAIN_IDS, Followed, deployment_roots
from .errors import (
    IndexerError,
    NodeUnreachableError,
    RangeRefusedError,
    ReorgTooDeepError,
)
from .models import (
    Coverage,
    IndexedRequest,
    IndexerStatus,
    IndexState,
    Proposal,
    Reorg,
    ReserveAccount,
    SyncResult,
    coverage_of,
)
from .projections import LogEvent, apply
from .store import (
    AccountRow,
    BlockRow,
    ContractRow,
    EventRow,
    IndexRow,
    PositionRow,
    ProposalRow,
    RequestRow,
    Store,
    VaultRow,
)

DEFAULT_PAGE_SIZE = 2_000  # blocks per eth_getLogs: within common RPC limits
LIVE_CONFIRMATIONS = 12
DEFAULT_REORG_WINDOW = 1_000  # {blocks} block hashes kept below the cursor
UINT128_MAX = 2**128 - 1
PAGE_RETRIES = 5


def default_confirmations(chain_id: int) -> int:
    """0 on a local chain (blocks are final when mined), 12 elsewhere."""
    return 0 if chain_id in LOCAL_CHAIN_IDS else LIVE_CONFIRMATIONS


@dataclass(frozen=True)
class PageProgress:
    """Reported after each committed page."""

    from_block: int
    to_block: int
    target: int
    start: int
    events: int


class _BranchChanged(Exception):
    """A log's block hash is not the header's: the chain moved while the page was read."""


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


class Indexer:
    """Follows ``roots`` (and the contracts they create) on ``chain`` into ``store``."""

    def __init__(
        self,
        chain: ChainReader,
        store: Store,
        roots: list[Followed],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        confirmations: int | None = None,
        reorg_window: int = DEFAULT_REORG_WINDOW,
        abis: dict[str, Abi] | None = None,
    ) -> None:
        if page_size < 1:
            raise IndexerError(f"page size must be at least 1 block, not {page_size}")
        if reorg_window < 1:
            raise IndexerError(f"reorg window must be at least 1 block, not {reorg_window}")
        self.chain = chain
        self.store = store
        self.page_size = page_size
        self.reorg_window = reorg_window
        self.chain_id = chain.chain_id()
        self.confirmations = (
            default_confirmations(self.chain_id) if confirmations is None else confirmations
        )
        if self.confirmations < 0:
            raise IndexerError(f"confirmations must be 0 or more, not {self.confirmations}")
        abis = abis if abis is not None else shipped_abis()
        self._events: dict[str, dict[bytes, EventType]] = {}
        for name in {r.contract for r in roots} | {d.follows for d in DISCOVERIES}:
            if name not in abis:
                raise IndexerError(f"no ABI for {name}: compile the project (make compile)")
            self._events[name] = event_types(name, abis[name])
        issuer = next((r.address for r in roots if r.contract == "Issuer"), None)
        if issuer is None:
            raise IndexerError("the followed contracts have no Issuer")
        self.start_block = min(r.from_block for r in roots)
        self.store.bind(self.chain_id, issuer)
        with self.store.session() as session:
            meta = self.store.meta(session)
            if "cursor" not in meta:
                for root in roots:
                    session.merge(
                        ContractRow(
                            address=root.address,
                            contract=root.contract,
                            label=root.label,
                            from_block=root.from_block,
                            discovered=False,
                        )
                    )
                self.store.set_meta(session, cursor=self.start_block - 1, start=self.start_block)
            else:
                self.start_block = int(meta["start"])
        self._span = page_size

    @classmethod
    def for_deployment(
        cls,
        web3: Any,
        registry: Path,
        url: str | None = None,
        **options: Any,
    ) -> Indexer:
        """An indexer of the deployment recorded for ``web3``'s chain in ``registry``, in the
        database at ``url`` (default: the chain's SQLite file under ~/.ssikit)."""
        from .store import default_url

        chain = Web3Chain(web3)
        chain_id = chain.chain_id()
        roots = deployment_roots(registry, chain_id)
        return cls(chain, Store(url or default_url(chain_id)), roots, **options)

    # ------------------------------------------------------------------ sync
    @property
    def cursor(self) -> int:
        with self.store.session() as session:
            return int(self.store.meta(session)["cursor"])

    def _followed(self, session: Session) -> dict[str, ContractRow]:
        return {row.address: row for row in session.scalars(select(ContractRow))}

    def sync(
        self,
        to_block: int | None = None,
        on_page: Callable[[PageProgress], None] | None = None,
    ) -> SyncResult:
        """Indexes from the cursor to ``to_block`` (default: the head less confirmations)."""
        head = self.chain.head()
        target = head - self.confirmations
        if to_block is not None:
            target = min(target, to_block)
        cursor = self.cursor
        result = SyncResult(start=cursor + 1, cursor=cursor, head=head, target=target)
        retries = 0
        while True:
            cursor = self.cursor
            if cursor >= self.start_block:
                reorg = self._check_reorg(cursor)
                if reorg is not None:
                    result.reorgs.append(reorg)
                    result.start = min(result.start, reorg.ancestor + 1)
                    continue
            if cursor >= target:
                break
            end = min(cursor + self.page_size, target)
            try:
                events = self._page(cursor + 1, end, result)
            except _BranchChanged:
                retries += 1
                if retries > PAGE_RETRIES:
                    raise IndexerError(
                        f"blocks {cursor + 1}-{end} changed {PAGE_RETRIES} times while read"
                    ) from None
                continue
            result.pages += 1
            result.events += events
            result.cursor = end
            if on_page is not None:
                on_page(PageProgress(cursor + 1, end, target, result.start, events))
        result.cursor = self.cursor
        return result

    def _fetch(
        self, from_block: int, to_block: int, addresses: list[str], result: SyncResult
    ) -> list[dict[str, Any]]:
        """eth_getLogs over [from_block, to_block], halving any range the RPC refuses."""
        found: list[dict[str, Any]] = []
        pending = [(from_block, to_block)]
        while pending:
            lo, hi = pending.pop(0)
            if hi - lo + 1 > self._span:
                pending[0:0] = [(lo, lo + self._span - 1), (lo + self._span, hi)]
                continue
            try:
                logs = self.chain.logs(lo, hi, addresses)
            except NodeUnreachableError:
                raise
            except Exception as err:
                if lo == hi:
                    message = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
                    raise RangeRefusedError(
                        f"the RPC refuses eth_getLogs even for the single block {lo}: {message}"
                    ) from err
                mid = (lo + hi) // 2
                self._span = min(self._span, mid - lo + 1)
                pending[0:0] = [(lo, mid), (mid + 1, hi)]
                continue
            result.log_queries.append((lo, hi))
            found.extend(log for log in logs if not log.get("removed"))
        return found

    def _page(self, start: int, end: int, result: SyncResult) -> int:
        """Reads, decodes and commits blocks [start, end]; returns the number of events."""
        with self.store.session() as session:
            followed = self._followed(session)
        raw = self._fetch(start, end, sorted(followed), result)
        new: dict[str, Followed] = {}
        seen: set[tuple[int, int]] = set()
        decoded: list[tuple[dict[str, Any], EventType | None, dict[str, Any]]] = []
        batch = raw
        while batch:
            discovered: dict[str, Followed] = {}
            for log in batch:
                key = (int(log["blockNumber"]), int(log["logIndex"]))
                if key in seen:
                    continue
                seen.add(key)
                address = to_checksum_address(log["address"])
                row = followed.get(address)
                contract = row.contract if row is not None else new[address].contract
                event, args = self._decode(contract, log)
                decoded.append((log, event, args))
                for found in self._discoveries(contract, event, args, key[0]):
                    if found.address not in followed and found.address not in new:
                        discovered[found.address] = found
            new.update(discovered)
            if not discovered:
                break
            first = min(f.from_block for f in discovered.values())
            batch = self._fetch(first, end, sorted(discovered), result)
        decoded.sort(key=lambda item: (int(item[0]["blockNumber"]), int(item[0]["logIndex"])))

        headers: dict[int, BlockHeader] = {}
        for log, _, _ in decoded:
            number = int(log["blockNumber"])
            if number not in headers:
                headers[number] = self._header(number)
            if headers[number].hash != _hex(log["blockHash"]):
                raise _BranchChanged
        # The page's last block, and an anchor a window below it: a rewind always finds a
        # stored block within the window even when no log fell in it.
        for number in {end, max(end - self.reorg_window, self.start_block)}:
            if number not in headers:
                headers[number] = self._header(number)

        with self.store.session() as session:
            for found in new.values():
                session.add(
                    ContractRow(
                        address=found.address,
                        contract=found.contract,
                        label=found.label,
                        from_block=found.from_block,
                        discovered=True,
                    )
                )
            for log, event, args in decoded:
                number = int(log["blockNumber"])
                contract = event.contract if event is not None else ""
                stored = EventRow(
                    block_number=number,
                    log_index=int(log["logIndex"]),
                    block_hash=headers[number].hash,
                    timestamp=headers[number].timestamp,
                    tx_hash=_hex(log["transactionHash"]),
                    address=to_checksum_address(log["address"]),
                    contract=contract,
                    name=event.name if event is not None else "",
                    args=args,
                )
                session.add(stored)
                if event is not None:
                    apply(session, _log_event(stored))
            for number, header in headers.items():
                session.merge(BlockRow(number=number, hash=header.hash))
            floor = end - self.reorg_window
            session.execute(delete(BlockRow).where(BlockRow.number < floor))
            meta = self.store.meta(session)
            pruned = max(int(meta.get("pruned_below", self.start_block)), floor)
            self.store.set_meta(session, cursor=end, pruned_below=pruned)
        return len(decoded)

    def _decode(
        self, contract: str, log: dict[str, Any]
    ) -> tuple[EventType | None, dict[str, Any]]:
        topics = [bytes(t) if not isinstance(t, str) else _bytes(t) for t in log["topics"]]
        data = log["data"]
        data = bytes(data) if not isinstance(data, str) else _bytes(data)
        event = self._events.get(contract, {}).get(topics[0]) if topics else None
        if event is None:  # not in the compiled ABI: kept raw
            return None, {"topics": [_hex(t) for t in topics], "data": _hex(data)}
        return event, event.decode(topics, data)

    @staticmethod
    def _discoveries(
        contract: str, event: EventType | None, args: dict[str, Any], block: int
    ) -> Iterable[Followed]:
        if event is None:
            return
        for d in DISCOVERIES:
            if d.emitter == contract and d.event == event.name:
                if d.only_if is not None and int(args[d.only_if[0]]) != d.only_if[1]:
                    continue
                address = to_checksum_address(args[d.address_arg])
                label = str(args[d.label_arg]) if d.label_arg else address
                yield Followed(address, d.follows, label, block)

    # ------------------------------------------------------------------ reorgs
    def _header(self, number: int) -> BlockHeader:
        header = self.chain.header(number)
        if header is None:  # the chain got shorter while the page was read
            raise _BranchChanged
        return header

    def _hash_at(self, number: int) -> str | None:
        header = self.chain.header(number)
        return None if header is None else header.hash

    def _check_reorg(self, cursor: int) -> Reorg | None:
        with self.store.session() as session:
            stored = session.get(BlockRow, cursor)
            numbers = list(
                session.scalars(
                    select(BlockRow.number)
                    .where(BlockRow.number <= cursor)
                    .order_by(BlockRow.number)
                )
            )
            hashes = {
                row.number: row.hash
                for row in session.scalars(select(BlockRow).where(BlockRow.number <= cursor))
            }
            pruned_below = int(self.store.meta(session).get("pruned_below", self.start_block))
        if stored is None or self._hash_at(cursor) == stored.hash:
            return None
        lo, hi, ancestor = 0, len(numbers) - 1, None
        while lo <= hi:  # the highest stored block the chain still has
            mid = (lo + hi) // 2
            if self._hash_at(numbers[mid]) == hashes[numbers[mid]]:
                ancestor, lo = numbers[mid], mid + 1
            else:
                hi = mid - 1
        if ancestor is None:
            if pruned_below > self.start_block:
                raise ReorgTooDeepError(
                    f"chain {self.chain_id} no longer has any of the blocks "
                    f"{numbers[0]}-{cursor} as indexed: the fork is deeper than the "
                    f"{self.reorg_window}-block reorg window; index into a new database"
                )
            ancestor = self.start_block - 1  # nothing was pruned: read everything again
        self._rewind(ancestor)
        return Reorg(cursor=cursor, ancestor=ancestor)

    def _rewind(self, ancestor: int) -> None:
        """Drops everything after ``ancestor`` and rebuilds the read models from the events
        kept, in one transaction."""
        with self.store.session() as session:
            session.execute(delete(EventRow).where(EventRow.block_number > ancestor))
            session.execute(delete(BlockRow).where(BlockRow.number > ancestor))
            session.execute(
                delete(ContractRow).where(
                    ContractRow.discovered.is_(True), ContractRow.from_block > ancestor
                )
            )
            self.store.clear_read_models(session)
            kept = session.scalars(
                select(EventRow).order_by(EventRow.block_number, EventRow.log_index)
            )
            for row in list(kept):
                if row.contract:
                    apply(session, _log_event(row))
            self.store.set_meta(session, cursor=ancestor)

    # ------------------------------------------------------------------ queries
    def status(self) -> IndexerStatus:
        try:
            head: int | None = self.chain.head()
        except NodeUnreachableError:
            head = None
        with self.store.session() as session:
            meta = self.store.meta(session)
            counts = session.execute(
                select(RequestRow.status, func.count()).group_by(RequestRow.status)
            ).all()
            return IndexerStatus(
                chain_id=self.chain_id,
                database=self.store.safe_url,
                start_block=int(meta["start"]),
                cursor=int(meta["cursor"]),
                head=head,
                confirmations=self.confirmations,
                contracts=int(session.scalar(select(func.count()).select_from(ContractRow)) or 0),
                events=int(session.scalar(select(func.count()).select_from(EventRow)) or 0),
                requests={str(s): int(n) for s, n in counts},
            )

    def _index_address(self, session: Session, index: str) -> str:
        if index.startswith("0x") and len(index) == 42:
            return to_checksum_address(index)
        address = session.scalar(select(IndexRow.address).where(IndexRow.symbol == index))
        if address is None:
            raise IndexerError(f"no index {index!r} in the indexed events")
        return address

    def requests(
        self,
        index: str | None = None,
        status: str | Iterable[str] | None = None,
        requester: str | None = None,
        is_mint: bool | None = None,
        issuer: str | None = None,
    ) -> list[IndexedRequest]:
        """Requests in (block, nonce) order, filtered by index (symbol or address), status
        (one name or several), requester, kind and the Issuer they were made on."""
        with self.store.session() as session:
            query = select(RequestRow)
            if index is not None:
                query = query.where(RequestRow.index == self._index_address(session, index))
            if status is not None:
                wanted = [status] if isinstance(status, str) else list(status)
                query = query.where(RequestRow.status.in_(wanted))
            if requester is not None:
                query = query.where(RequestRow.requester == to_checksum_address(requester))
            if is_mint is not None:
                query = query.where(RequestRow.is_mint.is_(is_mint))
            if issuer is not None:
                query = query.where(RequestRow.issuer == to_checksum_address(issuer))
            rows = list(session.scalars(query))
        return [_request(r) for r in sorted(rows, key=lambda r: (r.block, r.nonce))]

    def request(self, request_id: bytes | str) -> IndexedRequest | None:
        key = request_id if isinstance(request_id, str) else "0x" + request_id.hex()
        with self.store.session() as session:
            row = session.get(RequestRow, key.lower())
        return None if row is None else _request(row)

    def indices(self) -> list[IndexState]:
        with self.store.session() as session:
            rows = list(session.scalars(select(IndexRow).order_by(IndexRow.created_block)))
        return [_index_state(r) for r in rows]

    def index_state(self, index: str) -> IndexState:
        with self.store.session() as session:
            row = session.get(IndexRow, self._index_address(session, index))
            if row is None:
                raise IndexerError(f"no index {index!r} in the indexed events")
            return _index_state(row)

    def supply(self, index: str) -> int:
        """Total supply {index wei}: mints less burns from the index's Transfer events."""
        return self.index_state(index).supply

    def reserves(self, index: str, asset_id: bytes | str) -> ReserveAccount:
        """The account (index, asset) as ``IReserveOracle.reservesOf`` counts it: the sum of
        its custodians' latest balances (saturating at uint128) and the oldest of their as-of
        times, or the vault's ledger for an on-chain asset."""
        asset = (asset_id if isinstance(asset_id, str) else "0x" + asset_id.hex()).lower()
        with self.store.session() as session:
            address = self._index_address(session, index)
            account = session.get(AccountRow, (address, asset))
            custodians = {
                p.custodian: (p.balance, p.as_of)
                for p in session.scalars(
                    select(PositionRow).where(
                        PositionRow.index == address, PositionRow.asset_id == asset
                    )
                )
            }
            held = 0
            if account is not None and account.token is not None:
                vault = session.get(VaultRow, (address, account.token))
                held = vault.held if vault is not None else 0
        if account is not None and account.token is not None:
            reserves, as_of = held, 0
        else:
            reserves = min(sum(b for b, _ in custodians.values()), UINT128_MAX)
            as_of = min((t for _, t in custodians.values()), default=0)
        return ReserveAccount(
            index=address,
            asset_id=_bytes(asset),
            opened=account is not None,
            max_age=account.max_age if account is not None else 0,
            token=account.token if account is not None else None,
            reserves=reserves,
            as_of=as_of,
            custodians=custodians,
        )

    def coverage(self, index: str, now: int | None = None) -> list[Coverage]:
        """``IReserveOracle.coverage(index)`` at ``now`` {unix seconds} (default: the head's
        time), component by component of the current basket."""
        state = self.index_state(index)
        if now is None:
            now = self._header(self.chain.head()).timestamp
        return [
            coverage_of(self.reserves(state.address, asset), stored, state.backing_units, now)
            for asset, stored in state.basket
        ]

    def proposals(self, index: str, status: str | None = None) -> list[Proposal]:
        with self.store.session() as session:
            query = select(ProposalRow).where(
                ProposalRow.index == self._index_address(session, index)
            )
            if status is not None:
                query = query.where(ProposalRow.status == status)
            rows = list(session.scalars(query.order_by(ProposalRow.block)))
        return [_proposal(r) for r in rows]

    def events(
        self, name: str | None = None, address: str | None = None, from_block: int = 0
    ) -> list[LogEvent]:
        """Stored events in (block, log index) order."""
        with self.store.session() as session:
            query = select(EventRow).where(EventRow.block_number >= from_block)
            if name is not None:
                query = query.where(EventRow.name == name)
            if address is not None:
                query = query.where(EventRow.address == to_checksum_address(address))
            rows = list(session.scalars(query.order_by(EventRow.block_number, EventRow.log_index)))
        return [_log_event(r) for r in rows]

    def close(self) -> None:
        self.store.dispose()


# ------------------------------------------------------------------ row -> model
def _log_event(row: EventRow) -> LogEvent:
    return LogEvent(
        block=row.block_number,
        log_index=row.log_index,
        timestamp=row.timestamp,
        block_hash=row.block_hash,
        tx_hash=row.tx_hash,
        address=row.address,
        contract=row.contract,
        name=row.name,
        args=row.args,
    )


def _request(row: RequestRow) -> IndexedRequest:
    settlement = (
        Settlement(fee_bps=row.settlement_fee_bps, factor=row.settlement_factor)
        if row.settlement_fee_bps is not None and row.settlement_factor is not None
        else None
    )
    return IndexedRequest(
        id=_bytes(row.id),
        is_mint=row.is_mint,
        status=row.status,
        request=Request(
            requester=row.requester,
            index=row.index,
            amount=row.amount,
            basket_version=row.basket_version,
            max_fee_bps=row.max_fee_bps,
            nonce=row.nonce,
            deadline=row.deadline,
            factor=row.factor,
        ),
        block=row.block,
        requested_at=row.requested_at,
        updated_block=row.updated_block,
        custodian=row.custodian,
        fee=row.fee,
        minted=row.minted,
        paid_for=row.paid_for,
        settlement=settlement,
        reject_reason=row.reject_reason,
        escrow=[(str(t), int(x)) for t, x in row.escrow],
        refs=[_bytes(r) for r in row.refs],
        paid_on_chain=[(str(t), int(x)) for t, x in row.paid_on_chain],
        history=[(str(s), int(b), int(i)) for s, b, i in row.history],
        issuer=row.issuer,
    )


def _index_state(row: IndexRow) -> IndexState:
    return IndexState(
        address=row.address,
        symbol=row.symbol,
        name=row.name,
        created_block=row.created_block,
        basket_version=row.basket_version,
        basket=[(_bytes(a), int(x)) for a, x in row.basket],
        backing_units=row.backing_units,
        supply=row.supply,
        fee_rate=row.fee_rate,
        max_fee_rate=row.max_fee_rate,
        fee_factor_checkpoint=row.fee_factor,
        fee_checkpoint=row.fee_checkpoint,
        fees_collected=row.fees_collected,
        mint_fee_bps=row.mint_fee_bps,
        redeem_fee_bps=row.redeem_fee_bps,
        mint_paused=row.mint_paused,
        breaker_tripped=row.breaker_tripped,
        redeem_paused_until=row.redeem_paused_until,
        limits=row.limits,
        pending_proposal=None if row.pending_proposal is None else _bytes(row.pending_proposal),
        issuer=row.issuer,
        oracle=row.oracle,
        former_issuers=list(row.former_issuers or []),
        pending_moves=dict(row.pending_moves or {}),
        deprecated=row.deprecated,
    )


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        id=_bytes(row.id),
        index=row.index,
        from_version=row.from_version,
        proposer=row.proposer,
        commitment=_bytes(row.commitment),
        activation_time=row.activation_time,
        components=[(_bytes(a), int(x)) for a, x in row.components],
        prices=[(_bytes(a), int(p)) for a, p in row.prices],
        turnover_bps=row.turnover_bps,
        changed=row.changed,
        max_component_change_bps=row.max_component_change_bps,
        status=row.status,
        block=row.block,
        closed_block=row.closed_block,
    )
