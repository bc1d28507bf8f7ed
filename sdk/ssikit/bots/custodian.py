"""The custodian's reserve service: each tick it reads custody balances through an adapter,
posts a signed report when they changed or the last report nears its staleness limit, settles
pending requests of its indices, and alerts when an index is under-covered.

The adapter here is a JSON wallet file (the custodian's back-office export). A live custodian
plugs its own: a delivery is a balance that went up, a payout one that went down. On-chain
components need no adapter: the oracle reads the custody vault's balances itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak

from ..builders.reports import WalletFile
from ..chain.issuance import CustodianClient, TrackedRequest, _index, pending_requests
from ..chain.reserve_feed import update_feed
from ..math import basket as bm
from .loop import run_rounds


@dataclass
class WalletFileCustody:
    """Custody balances kept in a wallet file. ``pay`` records a payout by lowering the first
    wallet of the asset that holds enough (a simulation of the transfer on the asset's chain,
    used by the demo; a live custodian's adapter sends the transfer and returns its hash)."""

    path: Path

    def read(self) -> WalletFile:
        return WalletFile.load(self.path)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for wallet in self.read().wallets:
            out[wallet.asset] = out.get(wallet.asset, 0) + wallet.balance
        return out

    def pay(self, asset: str, amount: int, to: str) -> bytes:
        data = json.loads(self.path.read_text())
        for wallet in data["wallets"]:
            if wallet["asset"] == asset and wallet["balance"] >= amount:
                wallet["balance"] -= amount
                self.path.write_text(json.dumps(data, indent=2))
                return keccak(text=f"payout:{asset}:{amount}:{to}:{wallet['address']}")
        raise RuntimeError(f"custody holds too little {asset} to pay {amount}")

    def receive(self, asset: str, amount: int, wallet: str | None = None) -> None:
        """A delivery arrived (the demo's WLP delivers by calling this)."""
        data = json.loads(self.path.read_text())
        for w in data["wallets"]:
            if w["asset"] == asset and (wallet is None or w["address"] == wallet):
                w["balance"] += amount
                break
        else:
            data["wallets"].append(
                {"asset": asset, "address": wallet or f"{asset.lower()}-deposit", "balance": amount}
            )
        self.path.write_text(json.dumps(data, indent=2))


@dataclass
class CustodianService:
    client: CustodianClient
    custody: WalletFileCustody
    asset_ids: dict[str, bytes]  # symbol -> asset id
    indices: list[str]
    refresh_when_left: float = 0.5  # report again when less than this share of max age remains
    feeds: list[Any] = field(default_factory=list)  # ReserveFeeds to update after each report
    log: Callable[[dict[str, Any]], None] = field(default=lambda entry: print(json.dumps(entry)))
    _last_posted: dict[str, int] = field(default_factory=dict)

    def tick(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"reported": False, "confirmed": [], "waiting": [], "alerts": []}
        if self._report_due():
            entry["reported"] = self._report()
        for index in self.indices:
            for tracked in pending_requests(
                self.client.protocol, _index(self.client.protocol, index).address
            ):
                outcome = self._settle(tracked)
                (entry["confirmed"] if outcome == "confirmed" else entry["waiting"]).append(
                    {
                        "id": "0x" + tracked.id.hex(),
                        "kind": "mint" if tracked.is_mint else "redeem",
                        "outcome": outcome,
                    }
                )
            if not self.client.protocol.oracle.isCovered(_index(self.client.protocol, index)):
                entry["alerts"].append(f"{index} is under-covered")
        self.log(entry)
        return entry

    # ------------------------------------------------------------------ reports
    def _report_due(self) -> bool:
        from ape import chain

        totals = self.custody.totals()
        if totals != self._last_posted:
            return True
        _, as_of = self.client.protocol.oracle.lastReport(self.client.account)
        ages = []
        for asset_id in self.asset_ids.values():
            configured, max_age, _, _ = self.client.protocol.oracle.assetConfig(asset_id)
            if configured:
                ages.append(int(max_age))
        if not ages or int(as_of) == 0:
            return True
        age = int(chain.blocks.head.timestamp) - int(as_of)
        return age >= min(ages) * (1 - self.refresh_when_left)

    def _report(self) -> bool:
        """Posts the custody balances; False when this block's time is that of the last report
        (an as-of time must increase: the next tick reports instead)."""
        from ape import chain

        _, last = self.client.protocol.oracle.lastReport(self.client.account)
        if int(chain.blocks.head.timestamp) <= int(last):
            return False
        report = self.client.build_report(self.custody.read(), self.asset_ids)
        self.client.post(report)
        self._last_posted = self.custody.totals()
        for index in self.indices:
            self.client.refresh(index)
        for feed in self.feeds:  # a new round for each feed whose reserves changed
            update_feed(feed, self.client.account)
        return True

    # ------------------------------------------------------------------ requests
    def _settle(self, tracked: TrackedRequest) -> str:
        protocol = self.client.protocol
        issuer = protocol.issuer
        token = _index(protocol, tracked.request.index)
        stored, factor, *_ = token.basketState()
        offchain = [(bytes(a), int(x)) for a, x in stored if not protocol.oracle.assetConfig(a)[3]]
        if tracked.is_mint:
            refs = [keccak(b"delivery:" + tracked.id + a) for a, _ in offchain]
            try:  # fresh reserves must cover the mint: the deliveries have arrived
                issuer.confirmMint.call(tracked.request.as_abi(), refs, sender=self.client.account)
            except Exception:
                return "awaiting delivery"
            issuer.confirmMint(tracked.request.as_abi(), refs, sender=self.client.account)
            return "confirmed"
        _, redeem_bps = issuer.fees(token)
        fee = -(-tracked.request.amount * int(redeem_bps) // 10_000)
        symbols = {v: k for k, v in self.asset_ids.items()}
        refs = []
        for asset_id, amount in offchain:
            owed = bm.payout_for(amount, int(factor), tracked.request.amount - fee)
            refs.append(self.custody.pay(symbols[asset_id], owed, tracked.request.requester))
        self._report()  # the reserves went down by the payout
        issuer.confirmRedeem(tracked.request.as_abi(), refs, sender=self.client.account)
        return "confirmed"

    def run(self, ticks: int, interval: float = 0.0) -> list[dict[str, Any]]:
        """Up to ``ticks`` ticks (stop early with Ctrl-C)."""
        return run_rounds(self.tick, ticks, interval, self.log)
