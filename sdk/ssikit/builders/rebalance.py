"""A monthly rebalance, planned without the chain: from the methodology's announcement, the prices
at the implementation time and the current basket, the new basket, the custodians' trades and the
commitment that goes on chain with the proposal.

Units and rounding (mirrored by the contracts where the chain recomputes anything):

- Basket amounts are stored amounts {base units × 1e18 per token at fee factor 1}; the fee factor
  multiplies old and new alike, so a rebalance never needs it.
- Prices on chain are USD × 1e36 per base unit, rounded down from the USD price per whole asset:
  ``price36 = floor(usd × 1e36 / 10**decimals)``.
- The old basket's value is V = Σ old_i × price36_i (exact). Each new amount is
  ``floor(w_j × V / price36_j)``, so at the declared prices one token of the new basket is worth
  at most what the old one is, and less by under one precise unit of each new component:
  ``0 <= V_old - V_new < Σ_j price36_j`` (in USD × 1e54 per token), i.e. below
  ``Σ_j usd_j × 1e-18 / 10**decimals_j`` dollars per token. The chain accepts a proposal whose
  values (each component's rounded down) agree within the index's absolute tolerance plus one
  unit {USD × 1e18 per token} per asset (RebalanceMath).
- Declared prices must be within the index's band of the registry's feeds at the proposal
  (``preflight`` checks a plan against the feeds and bounds read from the chain before sending).
- Trades are the change in what the reserves must hold for the current backing units L:
  ``liability(new_i, L) - liability(old_i, L)`` base units (BasketMath.liability, rounded up).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from eth_utils import keccak
from pydantic import BaseModel

from ..core.assets import Asset, asset_for_symbol
from ..core.basket import Basket, Component
from ..core.errors import RebalanceError
from ..core.units import PRICE_SCALE
from ..math import basket as bm
from ..math.rebalance import Assessment, assess
from ..methodology.compose import Announcement


class RebalanceBounds(BaseModel):
    """IIndexToken.RebalanceBounds: the index's bounds on its rebalances."""

    min_delay: int  # {seconds} from proposal to activation time
    activation_window: int  # {seconds} after the activation time
    max_changed: int  # max(assets added, assets removed)
    max_turnover_bps: int  # {bps of the old value}
    max_component_change_bps: int  # {bps of the old value}
    price_band_bps: int  # {bps of the feed price}
    value_tolerance: int  # {USD × 1e18 per token}

    @classmethod
    def from_abi(cls, raw: Any) -> RebalanceBounds:
        return cls(**dict(zip(cls.model_fields, (int(v) for v in raw), strict=True)))

    def as_abi(self) -> tuple[int, ...]:
        return tuple(getattr(self, k) for k in type(self).model_fields)


class AssetInfo(Protocol):
    """What the plan needs of an asset (an ``Asset``, or what the registry returns)."""

    @property
    def symbol(self) -> str: ...

    @property
    def decimals(self) -> int: ...


class Trade(BaseModel):
    asset_id: str
    symbol: str
    side: str  # buy | sell | hold
    quantity: int  # {base units} for the whole supply
    amount: str  # the same in whole assets (decimal string)
    usd: float  # at the declared price


class RebalancePlan(BaseModel):
    index: str
    from_version: int
    activation_time: int  # {unix seconds} the implementation date at 00:00 UTC
    commitment: str  # 0x keccak256 of `document` (canonical JSON)
    document: dict[str, Any]  # what the commitment commits to
    old_basket: list[tuple[str, int]]
    new_basket: list[tuple[str, int]]
    prices: list[tuple[str, int]]  # (asset id, USD × 1e36 per base unit), sorted by id
    old_value: int  # {USD × 1e18 per token}, as the chain computes it
    new_value: int
    turnover_bps: int
    changed: int
    trades: list[Trade]
    max_change_bps: int = 0  # the largest component's |Δvalue| {bps of the old value}
    backing_units: int

    def components(self) -> list[tuple[bytes, int]]:
        """The new basket as ABI tuples for ``proposeRebalance``/``activateRebalance``."""
        return [(bytes.fromhex(a[2:]), amount) for a, amount in self.new_basket]

    def price_tuples(self) -> list[tuple[bytes, int]]:
        return [(bytes.fromhex(a[2:]), p) for a, p in self.prices]


def preflight(
    plan: RebalancePlan,
    bounds: RebalanceBounds,
    feeds: Mapping[bytes, int],
    local: frozenset[bytes] = frozenset(),
) -> Assessment:
    """What ``proposeRebalance`` would refuse, before sending: the plan's prices against the
    feed prices {USD × 1e36 per base unit} and the index's bounds, in the contract's order.
    Raises RebalanceError naming the contract's error."""
    old = [(bytes.fromhex(a[2:]), x) for a, x in plan.old_basket]
    prices = plan.price_tuples()
    missing = [i for i, _ in prices if i not in feeds]
    if missing:
        raise RebalanceError(f"no feed price for 0x{missing[0].hex()}", "AssetPriceFeedMissing")
    result = assess(
        old,
        plan.components(),
        prices,
        [i in local for i, _ in prices],
        [feeds[i] for i, _ in prices],
        bounds.price_band_bps,
        bounds.value_tolerance,
    )
    if result.changed > bounds.max_changed:
        raise RebalanceError(
            f"{result.changed} assets changed, the bound is {bounds.max_changed}",
            "RebalanceTooManyChanges",
        )
    if result.turnover_bps > bounds.max_turnover_bps:
        raise RebalanceError(
            f"turnover {result.turnover_bps} bps, the bound is {bounds.max_turnover_bps}",
            "RebalanceTurnoverTooHigh",
        )
    if result.max_change_bps > bounds.max_component_change_bps:
        raise RebalanceError(
            f"0x{result.max_change_asset.hex()} changes by {result.max_change_bps} bps of the "
            f"basket, the bound is {bounds.max_component_change_bps}",
            "RebalanceComponentChangeTooHigh",
        )
    return result


def price36(usd: Decimal | Fraction, decimals: int) -> int:
    """{USD × 1e36 per base unit} from USD per whole asset, rounded down (never zero)."""
    value = Fraction(usd) * PRICE_SCALE / 10**decimals
    result = int(value.numerator // value.denominator)
    if result <= 0:
        raise RebalanceError(f"price {usd} is zero at 1e36 per base unit", "RebalancePricesInvalid")
    return result


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes the commitment hashes (reproducible anywhere)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment_of(document: Mapping[str, Any]) -> str:
    return "0x" + keccak(canonical_json(document)).hex()


def _hex(asset_id: bytes) -> str:
    return "0x" + asset_id.hex()


def plan_rebalance(
    announcement: Announcement,
    usd_prices: Mapping[str, Decimal],
    current: Basket,
    backing_units: int,
    from_version: int,
    assets: Mapping[bytes, AssetInfo],
    local: frozenset[bytes] = frozenset(),
) -> RebalancePlan:
    """The plan for ``announcement`` on an index whose basket is ``current`` (stored amounts) at
    ``from_version`` with ``backing_units`` L.

    ``usd_prices``: USD per whole asset by ticker (exact decimals), at the implementation time,
    for every asset of the old and new baskets. ``assets``: what is known of the current
    basket's assets (symbol, decimals) by id; constituents are mapped to on-chain assets by
    ticker (``asset_for_symbol``). ``local``: ids of ERC-20 components on this chain.
    """
    if not announcement.constituents:
        raise RebalanceError("the announcement has no constituents")
    targets: dict[bytes, tuple[Asset, Fraction, Any]] = {}
    total = sum((Fraction(c.weight) for c in announcement.constituents), Fraction(0))
    for c in announcement.constituents:
        asset = asset_for_symbol(c.symbol, c.asset_id)
        targets[asset.id] = (asset, Fraction(c.weight) / total, c)
    known: dict[bytes, AssetInfo] = {**assets, **{i: a for i, (a, _, _) in targets.items()}}
    union = sorted({*targets, *(c.asset_id for c in current.components)})
    prices: dict[bytes, int] = {}
    for asset_id in union:
        found = known.get(asset_id)
        if found is None:
            raise RebalanceError(f"no symbol or decimals known for asset {_hex(asset_id)}")
        if found.symbol not in usd_prices:
            raise RebalanceError(f"no price for {found.symbol} at the implementation time")
        prices[asset_id] = price36(Decimal(usd_prices[found.symbol]), found.decimals)

    value = sum(c.amount * prices[c.asset_id] for c in current.components)  # USD × 1e54
    new_components = []
    for asset_id, (asset, weight, _) in targets.items():
        exact = weight * value / prices[asset_id]
        amount = exact.numerator // exact.denominator
        if amount == 0:
            raise RebalanceError(f"{asset.symbol}'s new amount rounds to zero")
        new_components.append(Component(asset_id=asset_id, amount=amount))
    new = Basket.of(new_components)
    old_pairs = [(c.asset_id, c.amount) for c in current.components]
    new_pairs = [(c.asset_id, c.amount) for c in new.components]
    price_pairs = [(i, prices[i]) for i in union]
    result: Assessment = assess(old_pairs, new_pairs, price_pairs, [i in local for i in union])

    trades = []
    old_amounts, new_amounts = dict(old_pairs), dict(new_pairs)
    for asset_id in union:
        info = known[asset_id]
        before = bm.liability(old_amounts.get(asset_id, 0), backing_units)
        after = bm.liability(new_amounts.get(asset_id, 0), backing_units)
        delta = after - before
        whole = Decimal(abs(delta)) / Decimal(10**info.decimals)
        trades.append(
            Trade(
                asset_id=_hex(asset_id),
                symbol=info.symbol,
                side="buy" if delta > 0 else "sell" if delta < 0 else "hold",
                quantity=abs(delta),
                amount=format(whole, "f"),
                usd=float(whole * Decimal(usd_prices[info.symbol])),
            )
        )
    implementation = datetime(
        announcement.implementation_date.year,
        announcement.implementation_date.month,
        announcement.implementation_date.day,
        tzinfo=UTC,
    )
    document = {
        "index": announcement.index,
        "from_version": from_version,
        "reference_date": announcement.reference_date.isoformat(),
        "announcement_date": announcement.announcement_date.isoformat(),
        "implementation_date": announcement.implementation_date.isoformat(),
        "constituents": [
            {
                "asset_id": _hex(asset_id),
                "source_id": c.asset_id,
                "symbol": asset.symbol,
                "weight": str(c.weight),
                "rank": c.rank,
                "ref_market_cap": round(c.ref_market_cap),
                "ref_volume": round(c.ref_volume),
            }
            for asset_id, (asset, _, c) in sorted(targets.items())
        ],
        "prices": [
            {
                "asset_id": _hex(i),
                "symbol": known[i].symbol,
                "usd": str(Decimal(usd_prices[known[i].symbol])),
                "price36": prices[i],
            }
            for i in union
        ],
        "basket": [{"asset_id": _hex(i), "amount": a} for i, a in new_pairs],
    }
    if announcement.classification is not None:
        # Which taxonomy snapshot, mapping and overrides decided the sectors: committed to, so
        # a reclassification cannot hide behind the same commitment.
        document["classification"] = announcement.classification.model_dump(mode="json")
    return RebalancePlan(
        index=announcement.index,
        from_version=from_version,
        activation_time=int(implementation.timestamp()),
        commitment=commitment_of(document),
        document=document,
        old_basket=[(_hex(i), a) for i, a in old_pairs],
        new_basket=[(_hex(i), a) for i, a in new_pairs],
        prices=[(_hex(i), p) for i, p in price_pairs],
        old_value=result.old_value,
        new_value=result.new_value,
        turnover_bps=result.turnover_bps,
        changed=result.changed,
        max_change_bps=result.max_change_bps,
        trades=trades,
        backing_units=backing_units,
    )
