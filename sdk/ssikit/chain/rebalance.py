"""The index compiler's thin client: plan a rebalance from the chain's current basket, propose it,
watch it, activate it. Proposals are found again from the token's events, so nothing depends on
the program that proposed still running."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..builders.rebalance import RebalancePlan, plan_rebalance
from ..core.basket import Basket, Component
from ..core.errors import RebalanceError
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

    def plan(
        self, index: str, announcement: Announcement, usd_prices: dict[str, Decimal]
    ) -> RebalancePlan:
        """The plan against the index's basket, backing units and version now."""
        token = self.token(index)
        stored, _, units, version, _ = token.basketState()
        current = Basket.of(Component(asset_id=bytes(a), amount=int(x)) for a, x in stored)
        assets = {c.asset_id: _asset(self.protocol, c.asset_id) for c in current.components}
        local = frozenset(i for i, a in assets.items() if a.token is not None)
        return plan_rebalance(
            announcement, usd_prices, current, int(units), int(version), assets, local
        )

    def prepare_assets(
        self,
        deployment: Deployment,
        index: str,
        plan: RebalancePlan,
        custodians: list[str],
        max_age: int,
    ) -> None:
        """Admin steps the new constituents need before custodians can report them: registered,
        configured in the oracle, with their custodians. Each only if not already done."""
        from ..core.assets import asset_for_symbol

        from .protocol import set_up_account

        new = [asset_for_symbol(c["symbol"], c["source_id"]) for c in plan.document["constituents"]]
        deployment.assets(self.protocol, new)
        address = self.token(index).address
        for asset in new:
            set_up_account(
                self.protocol.oracle, address, asset.id, max_age, custodians, deployment.sender
            )

    def earliest_activation(self, index: str, slack: int = 120) -> int:
        """Now + the index's minimum delay + ``slack`` seconds for the proposal to be mined."""
        from ape import chain

        min_delay = int(self.token(index).rebalanceBounds()[0])
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
            "commitment": plan.commitment,
            "tx": str(receipt.txn_hash),
            "gas": receipt.gas_used,
        }

    def proposal(self, index: str) -> Any | None:
        """The RebalanceProposed event of the pending proposal, or None."""
        token = self.token(index)
        pending = bytes(token.pendingRebalance()[0])
        if not any(pending):
            return None
        for log in token.RebalanceProposed.range(0, None, search_topics={"id": pending}):
            return log.event_arguments
        raise RebalanceError(
            f"no RebalanceProposed event for the pending proposal 0x{pending.hex()}"
        )

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
        for asset_id, amount in proposed["components"]:
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
        activation = int(proposed["activationTime"])
        return {
            **base,
            "pending": {
                "id": "0x" + bytes(proposed["id"]).hex(),
                "commitment": "0x" + bytes(proposed["commitment"]).hex(),
                "activation_time": activation,
                "seconds_to_activation": max(activation - now, 0),
                "covered": covered,
                "coverage": rows,
                "turnover_bps": int(proposed["turnoverBps"]),
                "changed": int(proposed["changed"]),
            },
        }

    def activate(self, index: str) -> dict[str, Any]:
        """Activates the pending proposal (anyone may), from its event."""
        token = self.token(index)
        proposed = self.proposal(index)
        if proposed is None:
            raise RebalanceError(f"{token.symbol()} has no pending rebalance")
        components = [(bytes(a), int(x)) for a, x in proposed["components"]]
        receipt = token.activateRebalance(
            components,
            bytes(proposed["commitment"]),
            int(proposed["activationTime"]),
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
