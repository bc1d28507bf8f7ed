"""The index compiler's thin client: plan a rebalance from the chain's current basket (at the
registry's feed prices, or prices given), propose it once the plan passes the same checks as the
chain (feed band, bounds), watch it, activate it. Proposals are found again from the token's
events in the deployment's event index, so nothing depends on the program that proposed still
running."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..builders.rebalance import RebalanceBounds, RebalancePlan, plan_rebalance, preflight
from ..core.assets import Asset, asset_for_symbol
from ..core.basket import Basket, Component
from ..core.errors import RebalanceError, SsikitError
from ..math import basket as bm
from ..methodology.compose import Announcement
from .issuance import _index
from .protocol import Deployment, Protocol


@dataclass(frozen=True)
class RegisteredAsset:
    """An asset as the registry describes it (it keeps no identity: that is in its event)."""

    symbol: str
    decimals: int
    token: str | None  # ERC-20 on this chain


def _asset(protocol: Protocol, asset_id: bytes) -> RegisteredAsset:
    a = protocol.assets.asset(asset_id)
    token = None if int(a.token, 16) == 0 else str(a.token)
    return RegisteredAsset(symbol=str(a.symbol), decimals=int(a.decimals), token=token)


class CompilerClient:
    """An index compiler's (or anyone's, for status and activation) view of rebalancing."""

    def __init__(self, protocol: Protocol, account: Any) -> None:
        self.protocol = protocol
        self.account = account

    def token(self, index: str) -> Any:
        return _index(self.protocol, index)

    def bounds(self, index: str) -> RebalanceBounds:
        return RebalanceBounds.from_abi(self.token(index).rebalanceBounds())

    def feed_usd(self, asset_ids: list[bytes]) -> dict[str, Decimal]:
        """USD per whole asset by symbol, each feed's latest answer exactly (answer /
        10^decimals): converted to USD × 1e36 per base unit by the plan (rounded down), they
        are the prices the registry's ``feedPrices`` gives."""
        from .artifacts import container

        out = {}
        for asset_id in asset_ids:
            feed, _, decimals = self.protocol.assets.priceFeed(asset_id)
            symbol = _asset(self.protocol, asset_id).symbol
            if int(str(feed), 16) == 0:
                raise RebalanceError(f"{symbol} has no price feed", "AssetPriceFeedMissing")
            answer = int(container("AggregatorV3Interface").at(feed).latestRoundData()[1])
            out[symbol] = Decimal(answer) / Decimal(10 ** int(decimals))
        return out

    def plan(
        self, index: str, announcement: Announcement, usd_prices: dict[str, Decimal] | None = None
    ) -> RebalancePlan:
        """The plan against the index's basket, backing units and version now; at
        ``usd_prices`` (USD per whole asset by ticker) or, without them, at the registry's feed
        prices now (every asset of both baskets must have a feed)."""
        token = self.token(index)
        stored, _, units, version, _ = token.basketState()
        current = Basket.of(Component(asset_id=bytes(a), amount=int(x)) for a, x in stored)
        assets = {c.asset_id: _asset(self.protocol, c.asset_id) for c in current.components}
        local = frozenset(i for i, a in assets.items() if a.token is not None)
        if usd_prices is None:
            new = [asset_for_symbol(c.symbol, c.asset_id).id for c in announcement.constituents]
            usd_prices = self.feed_usd(sorted({*assets, *new}))
        return plan_rebalance(
            announcement, usd_prices, current, int(units), int(version), assets, local
        )

    def check(self, index: str, plan: RebalancePlan) -> None:
        """Refuses, before sending, a plan the chain would refuse: its prices against the
        feeds now (the registry's own errors when a feed is missing or stale) and the index's
        bounds. Raises RebalanceError (or the registry's revert)."""
        ids = [i for i, _ in plan.price_tuples()]
        prices, local = self.protocol.assets.feedPrices(ids)
        feeds = {i: int(p) for i, p in zip(ids, prices, strict=True)}
        on_chain = frozenset(i for i, is_local in zip(ids, local, strict=True) if is_local)
        preflight(plan, self.bounds(index), feeds, on_chain)

    def prepare_assets(
        self,
        deployment: Deployment,
        index: str,
        plan: RebalancePlan,
        custodians: list[str],
        max_age: int,
        feeds: dict[str, str] | None = None,
        feed_max_age: int | None = None,
        move_local_feeds: bool = False,
    ) -> None:
        """Admin steps the new constituents need before the proposal and before custodians can
        report them: registered, with a price feed (``feeds``: symbol -> Chainlink address; on
        a local chain a TestPriceFeed at the plan's price), configured in the oracle, with
        their custodians. Each only if not already done. ``move_local_feeds`` (local chains
        only): the deployer's TestPriceFeeds of the constituents move to the plan's prices, as
        the market would have by the proposal, and so do those of the constituents the plan
        removes (the proposal declares their prices too): those must be in the table of known
        assets, else RebalanceError before anything is sent."""
        from .protocol import DEFAULT_FEED_MAX_AGE

        new = [asset_for_symbol(c["symbol"], c["source_id"]) for c in plan.document["constituents"]]
        usd = {p["symbol"]: Decimal(p["usd"]) for p in plan.document["prices"]}
        removed = self._removed_assets(plan) if move_local_feeds else []
        address = self.token(index).address
        for asset in new:
            feed = (feeds or {}).get(asset.symbol)
            deployment.asset(
                self.protocol,
                asset,
                feed=feed,
                price=None if feed is not None else usd[asset.symbol],
                feed_max_age=feed_max_age or DEFAULT_FEED_MAX_AGE,
                update_price=move_local_feeds,
                index=address,
                custodians=custodians,
                reserve_max_age=max_age,
            )
        for asset in removed:  # registered and set up already: only the market moves
            deployment.asset(
                self.protocol,
                asset,
                price=usd[asset.symbol],
                feed_max_age=feed_max_age or DEFAULT_FEED_MAX_AGE,
                update_price=True,
            )

    @staticmethod
    def _removed_assets(plan: RebalancePlan) -> list[Asset]:
        """The priced assets of ``plan`` that are not among its constituents (the ones it
        removes), each resolved through the table of known assets and checked against the
        plan's asset id; RebalanceError naming the first that cannot be."""
        kept = {c["asset_id"] for c in plan.document["constituents"]}
        found: list[Asset] = []
        for entry in plan.document["prices"]:
            if entry["asset_id"] in kept:
                continue
            try:
                asset = asset_for_symbol(entry["symbol"])
            except SsikitError:
                asset = None
            if asset is None or asset.id_hex.lower() != entry["asset_id"].lower():
                raise RebalanceError(
                    f"{entry['symbol']} (removed by the plan) is not in the table of known "
                    "assets: its feed cannot be moved here; set it to the plan's price first"
                )
            found.append(asset)
        return found

    def earliest_activation(self, index: str, slack: int = 120) -> int:
        """Now + the index's minimum delay + ``slack`` seconds for the proposal to be mined."""
        from ape import chain

        min_delay = self.bounds(index).min_delay
        return int(chain.blocks.head.timestamp) + min_delay + slack

    def propose(
        self, index: str, plan: RebalancePlan, activation_time: int | None = None
    ) -> dict[str, Any]:
        """Proposes ``plan`` (replacing a pending proposal explicitly). The activation time is the
        plan's implementation time unless that is too soon on this chain (then the earliest)."""
        token = self.token(index)
        if int(token.basketVersion()) != plan.from_version:
            raise RebalanceError(
                f"the plan is for basket version {plan.from_version}; the index is at "
                f"{token.basketVersion()}: plan again"
            )
        when = activation_time or max(plan.activation_time, self.earliest_activation(index))
        earliest = self.earliest_activation(index, slack=1)  # the next block, at the soonest
        if when < earliest:  # the token's first refusal, before the plan's
            raise RebalanceError(
                f"RebalanceTooSoon(activationTime={when}, earliest={earliest}): before now + "
                "the index's minimum delay",
                "RebalanceTooSoon",
            )
        self.check(index, plan)
        pending = bytes(token.pendingRebalance()[0])
        receipt = token.proposeRebalance(
            plan.components(),
            plan.price_tuples(),
            bytes.fromhex(plan.commitment[2:]),
            when,
            pending,
            sender=self.account,
        )
        event = receipt.decode_logs(token.RebalanceProposed)[0]
        return {
            "id": "0x" + bytes(event.id).hex(),
            "activation_time": when,
            "replaced": "0x" + pending.hex() if any(pending) else None,
            "turnover_bps": event.turnoverBps,
            "changed": event.changed,
            "max_component_change_bps": event.maxComponentChangeBps,
            "commitment": plan.commitment,
            "tx": str(receipt.txn_hash),
            "gas": receipt.gas_used,
        }

    def proposal(self, index: str) -> Any | None:
        """The pending proposal (``indexer.Proposal``, from its RebalanceProposed event in the
        deployment's event index), or None."""
        token = self.token(index)
        pending = bytes(token.pendingRebalance()[0])
        if not any(pending):
            return None
        found = self.protocol.indexed().proposal(token.address, pending)
        if found is None:
            raise RebalanceError(
                f"no RebalanceProposed event for the pending proposal 0x{pending.hex()}"
            )
        return found

    def status(self, index: str) -> dict[str, Any]:
        """The pending proposal, its time to activation, and whether the reserves cover it."""
        from ape import chain

        token = self.token(index)
        proposed = self.proposal(index)
        base = {"index": token.symbol(), "basket_version": int(token.basketVersion())}
        if proposed is None:
            return {**base, "pending": None}
        now = int(chain.blocks.head.timestamp)
        units = int(token.backingUnits())
        rows = []
        covered = True
        for asset_id, amount in proposed.components:
            reserves, as_of = self.protocol.oracle.reservesOf(token, asset_id)
            _, max_age, _, _ = self.protocol.oracle.accountConfig(token, asset_id)
            owed = bm.liability(int(amount), units)
            fresh = int(as_of) != 0 and now - int(as_of) <= int(max_age)
            covered &= fresh and int(reserves) >= owed
            rows.append(
                {
                    "asset": _asset(self.protocol, bytes(asset_id)).symbol,
                    "reserves": int(reserves),
                    "owed": owed,
                    "fresh": fresh,
                }
            )
        activation = proposed.activation_time
        deadline = activation + self.bounds(index).activation_window
        proposer = proposed.proposer
        compiler_role = self.protocol.roles.indexRole(
            self.protocol.roles.INDEX_COMPILER_ROLE(), token
        )
        return {
            **base,
            "pending": {
                "id": "0x" + proposed.id.hex(),
                "commitment": "0x" + proposed.commitment.hex(),
                "activation_time": activation,
                "seconds_to_activation": max(activation - now, 0),
                "deadline": deadline,
                "lapsed": now > deadline,
                "proposer": proposer,
                "proposer_is_compiler": bool(self.protocol.roles.hasRole(compiler_role, proposer)),
                "covered": covered,
                "coverage": rows,
                "turnover_bps": proposed.turnover_bps,
                "changed": proposed.changed,
            },
        }

    def activate(self, index: str) -> dict[str, Any]:
        """Activates the pending proposal (anyone may), from its event."""
        token = self.token(index)
        proposed = self.proposal(index)
        if proposed is None:
            raise RebalanceError(f"{token.symbol()} has no pending rebalance")
        receipt = token.activateRebalance(
            proposed.components,
            proposed.commitment,
            proposed.activation_time,
            proposed.proposer,
            sender=self.account,
        )
        event = receipt.decode_logs(token.RebalanceActivated)[0]
        return {
            "id": "0x" + bytes(event.id).hex(),
            "version": int(event.version),
            "tx": str(receipt.txn_hash),
            "gas": receipt.gas_used,
        }

    def cancel(self, index: str) -> dict[str, Any]:
        token = self.token(index)
        pending = bytes(token.pendingRebalance()[0])
        if not any(pending):
            raise RebalanceError(f"{token.symbol()} has no pending rebalance")
        receipt = token.cancelRebalance(pending, sender=self.account)
        return {"cancelled": "0x" + pending.hex(), "tx": str(receipt.txn_hash)}
