"""The custodian's reserve service: each tick it reads custody balances through an adapter,
posts a signed report when they changed or the last report nears its staleness limit, settles
pending requests of its indices, and alerts when an index is under-covered.

Settlement rules (issue 10):

- A mint is acknowledged and confirmed only on evidence that THIS request's delivery arrived
  (``CustodyAdapter.delivery`` is ``ACCEPTED`` for every off-chain component), never because
  the reserves happen to cover it; the delivery is bound to the request before acknowledging.
- A redemption is accepted first (which fixes what is owed); it is paid only if a simulation of
  its confirmation succeeds and every leg is payable (``CustodyAdapter.can_pay``: never paid in
  part, which the redeemer could keep while reclaiming its tokens after the settlement grace);
  every payout is keyed by request id and asset, so a service that restarts after paying never
  pays again.
- A report that would leave an index under-covered is not posted unless ``force`` (issue 11);
  custody that cannot be reached skips the tick with one alert: nothing on a guess.

The adapters: ``custody.evm.EvmCustody`` (real transfers on a custody chain),
``WalletFileCustody`` here (a JSON wallet file, a test double for systems with no chain here),
``custody.CompositeCustody`` routing each asset to one of them; the interface, its units and
guarantees are ``custody.adapter.CustodyAdapter``'s. On-chain components need no adapter: the
oracle reads the custody vault's ledger itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak

from ..builders.reports import Wallet, WalletFile
from ..builders.requests import Settlement
from ..chain.issuance import (
    CustodianClient,
    IssuanceError,
    TrackedRequest,
    _index,
    issuer_of,
    pending_requests,
)
from ..chain.reserve_feed import update_feed
from ..core.lifecycle import VersionKind
from ..custody.adapter import CustodyAdapter, Delivery, DeliveryStatus, totals_of
from ..custody.errors import CustodyError, CustodyUnavailableError
from ..custody.files import locked, read_json, write_atomic
from ..math import basket as bm
from .loop import run_rounds

__all__ = [
    "CustodianService",
    "CustodyAdapter",
    "CustodyError",
    "CustodyUnavailableError",
    "WalletFileCustody",
]


def _rid(request_id: bytes) -> str:
    return "0x" + bytes(request_id).hex()


@dataclass
class WalletFileCustody:
    """``CustodyAdapter`` over a wallet file: balances in ``wallets``; the ledgers of deliveries
    (by request id) and payouts (by request id) in the file's ``deliveries`` and ``payouts``
    fields, which the report's attestation does not cover. ``pay`` simulates the transfer by
    lowering a wallet of the (index, asset) that holds enough, and records it in the same write.
    Every read-modify-write holds the file's lock and writes atomically (``custody.files``).
    A named test double: a live custodian's adapter sends the transfer and returns its hash."""

    path: Path

    def read(self) -> WalletFile:
        return WalletFile.load(self.path)

    def wallets(self) -> list[Wallet]:
        return list(self.read().wallets)

    def totals(self) -> dict[tuple[str, str], int]:
        return totals_of(self.wallets())

    def delivery_for(self, request_id: bytes) -> dict[str, int]:
        """What the file's ledger says was delivered for a request: asset -> base units."""
        return dict(self.read().deliveries.get(_rid(request_id), {}))

    def delivery(
        self, request_id: bytes, index: str, requester: str, asset: str, owed: int
    ) -> Delivery:
        """Per the file's delivery ledger (kept by request id, so an entry backs one request;
        asset by symbol or 0x id); the reference is a hash of (request, asset)."""
        delivered = self.delivery_for(request_id).get(asset, 0)
        if delivered == 0:
            return Delivery(DeliveryStatus.MISSING, asset, reason="nothing delivered")
        if delivered < owed:
            reason = f"delivered {delivered}, the request owes {owed} {{base units}}"
            return Delivery(DeliveryStatus.SHORT, asset, delivered, reason=reason)
        ref = keccak(text=f"delivery:{_rid(request_id)}:{asset}")
        return Delivery(DeliveryStatus.ACCEPTED, asset, delivered, ref=ref)

    def bind(self, request_id: bytes, delivery: Delivery) -> None:
        """Nothing to record: the file's deliveries are keyed by request id already."""

    def payout_of(self, request_id: bytes, asset: str) -> bytes | None:
        ref = self.read().payouts.get(_rid(request_id), {}).get(asset)
        return None if ref is None else bytes.fromhex(ref.removeprefix("0x"))

    def _load(self) -> dict[str, Any]:
        """The file as on disk (callers that write it back hold ``locked(path)``)."""
        data: dict[str, Any] = read_json(self.path)
        data.setdefault("deliveries", {})
        data.setdefault("payouts", {})
        return data

    def _save(self, data: dict[str, Any]) -> None:
        WalletFile.model_validate(data)  # never write a file the service could not read back
        write_atomic(self.path, json.dumps(data, indent=2))

    def exclusive(self) -> AbstractContextManager[None]:
        return locked(self.path)

    def started(self, request_id: bytes) -> bool:
        return bool(self._load()["payouts"].get(_rid(request_id)))

    def refusable(self, asset: str) -> bool:
        return False  # book entries: nothing the payee can refuse

    def can_pay(self, request_id: bytes, index: str, legs: Mapping[str, int], to: str) -> list[str]:
        data = self._load()
        paid = data["payouts"].get(_rid(request_id), {})
        refused = []
        for asset, amount in legs.items():
            if asset in paid:
                continue
            if not any(
                _same_name(wallet["index"], index)
                and wallet["asset"] == asset
                and wallet["balance"] >= amount
                for wallet in data["wallets"]
            ):
                refused.append(
                    f"{asset}: custody holds too little {asset} for {index} to pay {amount}"
                )
        return refused

    def pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        with locked(self.path):  # read, check, lower and record as one step
            return self._pay(request_id, index, asset, amount, to)

    def _pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        data = self._load()
        done = data["payouts"].setdefault(_rid(request_id), {})
        if asset in done:  # paid before a restart: never twice
            return bytes.fromhex(done[asset].removeprefix("0x"))
        for wallet in data["wallets"]:
            if (
                _same_name(wallet["index"], index)
                and wallet["asset"] == asset
                and wallet["balance"] >= amount
            ):
                wallet["balance"] -= amount
                ref = keccak(text=f"payout:{_rid(request_id)}:{asset}:{amount}:{to}")
                done[asset] = "0x" + ref.hex()
                self._save(data)
                return ref
        raise CustodyError(f"custody holds too little {asset} for {index} to pay {amount}")

    def receive(self, request_id: bytes, index: str, asset: str, amount: int) -> None:
        """The WLP delivered ``amount`` of ``asset`` for the mint request ``request_id`` into
        the index's first wallet of that asset (a deposit wallet is created if none)."""
        with locked(self.path):
            self._receive(request_id, index, asset, amount)

    def _receive(self, request_id: bytes, index: str, asset: str, amount: int) -> None:
        data = self._load()
        for wallet in data["wallets"]:
            if _same_name(wallet["index"], index) and wallet["asset"] == asset:
                wallet["balance"] += amount
                break
        else:
            data["wallets"].append(
                {
                    "index": index,
                    "asset": asset,
                    "address": f"{asset.lower()}-deposit",
                    "balance": amount,
                }
            )
        delivered = data["deliveries"].setdefault(_rid(request_id), {})
        delivered[asset] = delivered.get(asset, 0) + amount
        self._save(data)

    def trade(self, index: str, asset: str, delta: int) -> None:
        """The custodian bought (``delta`` > 0) or sold an asset for the index on a market, as a
        rebalance asks (a simulation of the trade: the index's first wallet of the asset)."""
        with locked(self.path):
            self._trade(index, asset, delta)

    def _trade(self, index: str, asset: str, delta: int) -> None:
        data = self._load()
        for wallet in data["wallets"]:
            if _same_name(wallet["index"], index) and wallet["asset"] == asset:
                if wallet["balance"] + delta < 0:
                    raise CustodyError(f"custody holds too little {asset} for {index} to sell")
                wallet["balance"] += delta
                break
        else:
            if delta < 0:
                raise CustodyError(f"custody holds no {asset} for {index} to sell")
            data["wallets"].append(
                {
                    "index": index,
                    "asset": asset,
                    "address": f"{asset.lower()}-cold",
                    "balance": delta,
                }
            )
        self._save(data)


def _same_name(a: str, b: str) -> bool:
    return a.lower() == b.lower()


@dataclass
class CustodianService:
    client: CustodianClient
    custody: CustodyAdapter
    asset_ids: dict[str, bytes]  # symbol -> asset id
    indices: list[str]  # the indices served, by symbol (as the wallet file names them)
    refresh_when_left: float = 0.5  # report again when less than this share of max age remains
    feeds: list[Any] = field(default_factory=list)  # ReserveFeeds to update after each report
    force: bool = False  # post a report even if it would leave an index under-covered
    # {blocks} an acceptance must be deep (the head included) before its redemption is paid:
    # on a live network a reorg that dropped the acceptance would leave the request pending,
    # so the redeemer could cancel it and keep both the payout and its tokens. 0: at once.
    accept_depth: int = 0
    # {seconds} before a redemption's reclaim opens (deadline + SETTLEMENT_GRACE) within which
    # it is no longer paid: the payout and the confirmation must land before the reclaim can.
    reclaim_margin: int = 3_600
    # {seconds} the same for a redemption already begun (a leg recorded): it is finished up
    # to this close to the reclaim, since abandoning it would leave it paid in part.
    finish_margin: int = 300
    log: Callable[[dict[str, Any]], None] = field(default=lambda entry: print(json.dumps(entry)))
    _last_posted: dict[tuple[str, str], int] | None = None

    @property
    def _addresses(self) -> dict[str, str]:
        return {s: _index(self.client.protocol, s).address for s in self.indices}

    def _addresses_by_symbol(self) -> dict[str, str]:
        """index address -> symbol (for readable lines)."""
        return {a: s for s, a in self._addresses.items()}

    def tick(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"reported": False, "confirmed": [], "waiting": [], "alerts": []}
        try:
            self._tick(entry)
        except CustodyUnavailableError as err:  # nothing reported, acknowledged or paid
            entry["alerts"].append(str(err))
        self.log(entry)
        return entry

    def _tick(self, entry: dict[str, Any]) -> None:
        from ..chain.coverage_guard import UnderCoverageError

        if self._report_due():
            try:
                entry["reported"] = self._report(force=self.force)
            except UnderCoverageError as err:
                entry["alerts"].append(f"report refused: {err}")
        for symbol, address in self._addresses.items():
            for tracked in pending_requests(self.client.protocol, address):
                outcome = self._settle(symbol, tracked)
                (entry["confirmed"] if outcome == "confirmed" else entry["waiting"]).append(
                    {
                        "id": _rid(tracked.id),
                        "kind": "mint" if tracked.is_mint else "redeem",
                        "outcome": outcome,
                    }
                )
            token = _index(self.client.protocol, address)
            if not self.client.protocol.oracle_for(token).isCovered(address):
                entry["alerts"].append(f"{symbol} is under-covered")

    # ------------------------------------------------------------------ reports
    def _oracles(self) -> dict[str, tuple[Any, list[str]]]:
        """oracle address -> (oracle, the served indices it gates): each index's oracle now,
        and the target of a signalled oracle move, which the custodian reports to during the
        overlap so coverage is there on the day the move executes."""
        from ..chain.artifacts import container

        protocol = self.client.protocol
        found: dict[str, tuple[Any, list[str]]] = {}
        for address in self._addresses.values():
            token = _index(protocol, address)
            targets = [protocol.oracle_for(token)]
            pending, _ = token.pendingMove(int(VersionKind.ORACLE))
            if int(pending, 16) != 0:
                targets.append(container("ReserveOracle").at(pending))
            for oracle in targets:
                found.setdefault(oracle.address, (oracle, []))[1].append(address)
        return found

    def _report_due(self) -> bool:
        from ape import chain

        if self.custody.totals() != self._last_posted:
            return True
        now = int(chain.blocks.head.timestamp)
        for oracle, served in self._oracles().values():
            _, as_of = oracle.lastReport(self.client.account)
            ages = []
            for address in served:
                for asset_id in self.asset_ids.values():
                    opened, max_age, _, local = oracle.accountConfig(address, asset_id)
                    if opened and not local:
                        ages.append(int(max_age))
            if not ages:
                continue
            if int(as_of) == 0 or now - int(as_of) >= min(ages) * (1 - self.refresh_when_left):
                return True
        return False

    def _report(self, force: bool) -> bool:
        """Posts the custody balances (one holding per (index, asset)) to every oracle a served
        index uses or is moving to, and refreshes coverage; False when this block's time is
        that of the last report (an as-of time must increase: the next tick reports instead).
        Unless ``force``, UnderCoverageError (nothing posted) when a report would leave an
        index under-covered."""
        from ape import chain

        from ..chain.coverage_guard import guard

        now = int(chain.blocks.head.timestamp)
        oracles = self._oracles()
        if any(now <= int(o.lastReport(self.client.account)[1]) for o, _ in oracles.values()):
            return False
        wallets = self.custody.wallets()
        book = WalletFile(custodian=self.client.account.address, wallets=wallets)
        reports = []
        for oracle, served in oracles.values():
            indices = {s: a for s, a in self._addresses.items() if a in served}
            report = self.client.build_report(book, self.asset_ids, indices, oracle=oracle)
            if not force:
                names = {i: s for s, i in self.asset_ids.items()}
                guard(self.client.protocol, report, oracle, names, self._addresses_by_symbol())
            reports.append((oracle, served, report))
        totals = totals_of(wallets)
        for oracle, served, report in reports:
            self.client.post(report, oracle=oracle)
            for address in served:
                oracle.refreshCoverage(address, sender=self.client.account)
        self._last_posted = totals
        for feed in self.feeds:  # a new round for each feed whose reserves changed
            update_feed(feed, self.client.account)
        return True

    # ------------------------------------------------------------------ requests
    def _symbol(self, asset_id: bytes) -> str:
        for symbol, known in self.asset_ids.items():
            if known == asset_id:
                return symbol
        raise CustodyError(f"asset 0x{asset_id.hex()} has no symbol in the registry")

    def _settle(self, symbol: str, tracked: TrackedRequest) -> str:
        from ape.exceptions import ContractLogicError

        from ..chain.reverts import describe

        try:
            if tracked.is_mint:
                return self._settle_mint(symbol, tracked)
            return self._settle_redeem(symbol, tracked)
        except ContractLogicError as err:
            return f"refused: {describe(err)}"
        except CustodyUnavailableError:
            raise  # the whole tick stops: nothing on a guess
        except CustodyError as err:
            return f"custody refused: {err}"

    def _settle_mint(self, symbol: str, tracked: TrackedRequest) -> str:
        from ..chain.coverage_guard import UnderCoverageError

        issuer, me = issuer_of(self.client.protocol, tracked), self.client.account
        request = tracked.request.as_abi()
        if tracked.status == "mint pending":
            token = _index(self.client.protocol, tracked.request.index)
            deliveries = [
                self.custody.delivery(
                    tracked.id,
                    symbol,
                    tracked.request.requester,
                    self._symbol(a),
                    bm.deposit_for(x, tracked.request.factor, tracked.request.amount),
                )
                for a, x in self.client.offchain_components(token)
            ]
            waiting = [d for d in deliveries if not d.accepted]
            if waiting:  # never on coverage: this request's own delivery, verified
                if all(d.status is DeliveryStatus.MISSING for d in waiting):
                    return "awaiting delivery"
                shown = [d for d in waiting if d.status is not DeliveryStatus.MISSING]
                return "awaiting delivery: " + "; ".join(d.line() for d in shown)
            for delivery in deliveries:  # bound before acknowledging: never backs another
                self.custody.bind(tracked.id, delivery)
            refs = [d.ref for d in deliveries if d.ref is not None]
            issuer.acknowledgeMint(request, refs, sender=me)
            try:  # the delivery is in the reserves
                self._report(force=self.force)
            except UnderCoverageError as err:
                return f"acknowledged; report refused: {err}"
        try:  # acknowledged: confirm with no refs (they are in MintAcknowledged)
            issuer.confirmMint.call(request, [], sender=me)
        except Exception:
            return "acknowledged, awaiting coverage"
        issuer.confirmMint(request, [], sender=me)
        return "confirmed"

    def _settle_redeem(self, symbol: str, tracked: TrackedRequest) -> str:
        issuer, me = issuer_of(self.client.protocol, tracked), self.client.account
        request = tracked.request.as_abi()
        if tracked.status == "redeem pending":
            receipt = issuer.acceptRedeem(request, sender=me)
            log = receipt.decode_logs(issuer.RedeemAccepted)[0]
            settlement = Settlement(fee_bps=log.feeBps, factor=log.factor)
            paid_for = int(log.paidFor)
            accepted_at: int | None = int(receipt.block_number)
        else:  # accepted by an earlier run: resume from its RedeemAccepted, as indexed
            if tracked.settlement is None or tracked.paid_for is None:
                raise IssuanceError(f"redemption {_rid(tracked.id)} has no indexed acceptance")
            settlement, paid_for = tracked.settlement, tracked.paid_for
            accepted_at = tracked.updated_block
        if self.accept_depth > 0:
            from ape import chain

            if accepted_at is None:  # fail closed: no depth known, no payout
                return "accepted; the acceptance's block is not known: not paid"
            depth = int(chain.blocks.head.number) - accepted_at + 1
            if depth < self.accept_depth:
                return f"accepted; paid once {self.accept_depth} blocks deep (now {depth})"
        token = _index(self.client.protocol, tracked.request.index)
        offchain = self.client.offchain_components(token)
        placeholders = [b"\0" * 32] * len(offchain)
        try:  # pay nothing unless the confirmation that follows the payout will succeed
            issuer.confirmRedeem.call(request, settlement.as_abi(), placeholders, sender=me)
        except Exception:
            return "confirmation would fail: not paid"
        legs = [
            (self._symbol(asset_id), bm.payout_for(stored, settlement.factor, paid_for))
            for asset_id, stored in offchain
        ]
        requester = tracked.request.requester
        with self.custody.exclusive():  # the check and every leg: no other payer in between
            started = self.custody.started(tracked.id)
            # Not begun: not within reclaim_margin of the reclaim. Begun (a leg recorded, in
            # any state): finished while the confirmation can still land before the reclaim.
            alert = "ALERT: paid in part, " if started else ""
            margin = self.finish_margin if started else self.reclaim_margin
            if (late := self._too_late(issuer, tracked, margin)) is not None:
                return alert + late
            # Every leg payable, together (what paying one costs, its gas, counted against
            # the others), before any is paid: never a redemption paid in part.
            refused = self.custody.can_pay(tracked.id, symbol, dict(legs), requester)
            if refused:
                return alert + "not paid: " + "; ".join(refused)
            # Legs the payee could refuse first: once they are paid, nothing can stop the rest.
            order = sorted(legs, key=lambda leg: not self.custody.refusable(leg[0]))
            paid = {
                asset: self.custody.pay(tracked.id, symbol, asset, amount, requester)
                for asset, amount in order
            }
            refs = [paid[asset] for asset, _ in legs]  # in the basket's order
        # The reserves went down by the payout; forced: the confirmation below burns the
        # redeemed tokens, whose liability the payout settled (simulated to succeed above).
        self._report(force=True)
        self._confirm_redeem(issuer, request, settlement, refs)
        return "confirmed"

    def _too_late(self, issuer: Any, tracked: TrackedRequest, margin: int) -> str | None:
        """Why a redemption must not be paid (further) now: its redeemer may reclaim its
        tokens from ``deadline + SETTLEMENT_GRACE`` on, and a payout plus a reclaim landing
        before the confirmation would hand it both sides; so paying stops ``margin`` seconds
        before that. None when there is time."""
        from ape import chain

        reclaim_at = int(tracked.request.deadline) + int(issuer.SETTLEMENT_GRACE())
        now = int(chain.blocks.head.timestamp)
        if now + margin < reclaim_at:
            return None
        return (
            f"not paid: the redeemer may reclaim from {reclaim_at} (now {now}, margin {margin} s)"
        )

    def _confirm_redeem(
        self, issuer: Any, request: Any, settlement: Settlement, refs: list[bytes]
    ) -> None:
        issuer.confirmRedeem(request, settlement.as_abi(), refs, sender=self.client.account)

    def run(self, ticks: int, interval: float = 0.0) -> list[dict[str, Any]]:
        """Up to ``ticks`` ticks (stop early with Ctrl-C)."""
        return run_rounds(self.tick, ticks, interval, self.log)
