"""The interface between the custodian service and a custodian's own systems.

A custodian plugs in its systems by implementing ``CustodyAdapter`` (a ``typing.Protocol``: no
base class needed). The service never moves or counts coins itself; it asks the adapter.

Names and units, everywhere in the interface:

- an **index** is named as the custodian's books name it: its symbol (``"MAG7.ssi"``) or its
  address on the protocol chain;
- an **asset** by its symbol (``"ETH"``), as in the deployment's asset registry;
- amounts are integers in the asset's **base units** (wei, satoshi, lamport...);
- a **request id** is the issuer's 32-byte id (``bytes``); a **reference** is 32 bytes (a
  transaction hash, or the custodian's own id for a transfer), written on the protocol chain
  as ``deliveryRefs`` / ``payoutRefs``.

What an adapter must guarantee (the service relies on each of these):

1. ``wallets`` reports only coins the custodian holds for that index (a wallet backs one index:
   the same coins are never reported for two), and never more than it could pay out now.
2. ``delivery`` says ``ACCEPTED`` only on evidence, never on a guess: the transfer happened,
   to the custodian, of that asset, of at least the amount owed, is final enough (the
   adapter's confirmations), and is bound to this request (not another request's transfer).
   One transfer backs at most one request, ever, across restarts: once ``bind`` recorded it,
   ``delivery`` refuses it for every other request.
3. ``pay`` pays at most once per (request id, asset), across crashes and restarts, and returns
   the same reference when asked again; ``payout_of`` tells what was paid. ``can_pay`` says,
   without paying, why ``pay`` would refuse a payout now: the service asks it for every leg of
   a redemption before paying any, so a redemption is not paid in part (an accepted redemption
   nobody confirms becomes reclaimable by the redeemer after the settlement grace: a redeemer
   paid in part could then keep both the paid legs and its index tokens).
4. A system that cannot be reached raises ``CustodyUnavailableError`` (nothing is then reported,
   acknowledged or paid in that tick); any other refusal raises ``CustodyError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from ..builders.reports import Wallet
from .errors import CustodyError


class DeliveryStatus(Enum):
    ACCEPTED = "accepted"  # verified: the service may acknowledge the mint with ``ref``
    MISSING = "missing"  # nothing delivered for this request (yet)
    UNCONFIRMED = "unconfirmed"  # seen, with fewer confirmations than required: wait
    SHORT = "short"  # delivered, but less than owed
    REFUSED = "refused"  # the evidence does not hold (wrong recipient, token, binding, reused)


@dataclass(frozen=True)
class Delivery:
    """What the adapter found for one (request, asset)."""

    status: DeliveryStatus
    asset: str
    amount: int = 0  # {asset base units} delivered (as verified)
    ref: bytes | None = None  # 32-byte reference (the transfer's hash); set when ACCEPTED
    reason: str = ""  # one line, for the log, when not ACCEPTED

    @property
    def accepted(self) -> bool:
        return self.status is DeliveryStatus.ACCEPTED

    def line(self) -> str:
        return f"{self.asset}: {self.status.value}" + (f" ({self.reason})" if self.reason else "")


class CustodyAdapter(Protocol):
    """What the custodian service needs from a custodian's systems (see the module's doc for
    names, units and guarantees)."""

    def wallets(self) -> list[Wallet]:
        """Every wallet with its balance now {base units}, one row per (index, asset, address):
        what the reserve report is built from (and its attestation hashes)."""
        ...

    def totals(self) -> dict[tuple[str, str], int]:
        """Balance per (index, asset) {base units}: the sums of ``wallets``."""
        ...

    def delivery(
        self, request_id: bytes, index: str, requester: str, asset: str, owed: int
    ) -> Delivery:
        """Whether the delivery of ``owed`` {base units} of ``asset`` for the mint request
        ``request_id`` on ``index``, made by ``requester`` (its address on the protocol chain),
        arrived. Read-only."""
        ...

    def bind(self, request_id: bytes, delivery: Delivery) -> None:
        """Records, durably, that the ``ACCEPTED`` ``delivery`` backs ``request_id`` (called
        just before the mint is acknowledged): it can never back another request."""
        ...

    def payout_of(self, request_id: bytes, asset: str) -> bytes | None:
        """The reference of the payout already made for this redemption and asset, if any."""
        ...

    def exclusive(self) -> AbstractContextManager[None]:
        """A block in which no other process records or sends a payout from these books
        (re-entrant: ``pay`` inside it takes it again). A redemption's check of every leg
        (``can_pay``) and its payouts run in one such block, so two processes cannot both
        pass the check on the same coins."""
        ...

    def refusable(self, asset: str) -> bool:
        """Whether the payee could make a transfer of ``asset`` fail once the redemption's
        other legs are paid (the native coin to an address that gains code, say); such legs
        are paid first, so a redemption cannot be stopped half paid."""
        ...

    def started(self, request_id: bytes) -> bool:
        """Whether any payout leg of the request was recorded here, in any state (signed,
        sent or paid): a redemption begun must be finished, never abandoned half paid."""
        ...

    def can_pay(self, request_id: bytes, index: str, legs: Mapping[str, int], to: str) -> list[str]:
        """Why paying every leg of ``legs`` (asset -> {base units}, the assets this adapter
        holds) to ``to`` would be refused now, one line each (``"ASSET: why"``); empty when
        every leg would be paid, what paying one costs the others (gas, say) counted. A leg
        already recorded for the request is never refused (``pay`` resumes it). Read-only."""
        ...

    def pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        """Pays ``amount`` {base units} of ``asset`` from the index's wallets to the redeemer
        ``to`` (its address on the protocol chain; the adapter knows where it receives);
        returns the payout reference. Idempotent per (request id, asset)."""
        ...


def totals_of(wallets: list[Wallet]) -> dict[tuple[str, str], int]:
    """Balance per (index, asset) {base units} of wallet rows."""
    out: dict[tuple[str, str], int] = {}
    for wallet in wallets:
        key = (wallet.index, wallet.asset)
        out[key] = out.get(key, 0) + wallet.balance
    return out


@dataclass
class CompositeCustody:
    """Routes each asset to the adapter that holds it (``routes``: symbol -> adapter), the rest
    to ``default``: e.g. ETH and an ERC-20 to the custody chain's ``EvmCustody``, BTC, SOL,
    XRP... to a ``WalletFileCustody``. A wallet of ``default`` for a routed asset is not
    reported (the routed adapter is the source of truth for it)."""

    default: CustodyAdapter
    routes: Mapping[str, CustodyAdapter]

    def _for(self, asset: str) -> CustodyAdapter:
        return self.routes.get(asset, self.default)

    def _adapters(self) -> list[CustodyAdapter]:
        found: list[CustodyAdapter] = [self.default]
        for adapter in self.routes.values():
            if all(adapter is not known for known in found):
                found.append(adapter)
        return found

    def wallets(self) -> list[Wallet]:
        out: list[Wallet] = []
        for adapter in self._adapters():
            out += [w for w in adapter.wallets() if self._for(w.asset) is adapter]
        if not out:
            raise CustodyError("no custody wallets at all")
        return out

    def totals(self) -> dict[tuple[str, str], int]:
        return totals_of(self.wallets())

    def delivery(
        self, request_id: bytes, index: str, requester: str, asset: str, owed: int
    ) -> Delivery:
        return self._for(asset).delivery(request_id, index, requester, asset, owed)

    def bind(self, request_id: bytes, delivery: Delivery) -> None:
        self._for(delivery.asset).bind(request_id, delivery)

    def payout_of(self, request_id: bytes, asset: str) -> bytes | None:
        return self._for(asset).payout_of(request_id, asset)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Every adapter's lock, always in the order of ``_adapters`` (no two processes can
        hold them in opposite orders)."""
        with ExitStack() as stack:
            for adapter in self._adapters():
                stack.enter_context(adapter.exclusive())
            yield

    def started(self, request_id: bytes) -> bool:
        return any(adapter.started(request_id) for adapter in self._adapters())

    def refusable(self, asset: str) -> bool:
        return self._for(asset).refusable(asset)

    def can_pay(self, request_id: bytes, index: str, legs: Mapping[str, int], to: str) -> list[str]:
        grouped: dict[int, tuple[CustodyAdapter, dict[str, int]]] = {}
        for asset, amount in legs.items():
            adapter = self._for(asset)
            grouped.setdefault(id(adapter), (adapter, {}))[1][asset] = amount
        return [
            line
            for adapter, mine in grouped.values()
            for line in adapter.can_pay(request_id, index, mine, to)
        ]

    def pay(self, request_id: bytes, index: str, asset: str, amount: int, to: str) -> bytes:
        return self._for(asset).pay(request_id, index, asset, amount, to)
