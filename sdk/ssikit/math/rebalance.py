"""Rebalance arithmetic, mirroring ``contracts/libraries/RebalanceMath.sol`` exactly.

Units: basket amounts {base units × 1e18 per token at fee factor 1: stored amounts}; prices
{USD × 1e36 per base unit}; values {USD × 1e18 per token}, each component's rounded down;
turnover and component changes {bps of the old value}, rounded up; feed answers {USD ×
10^feed_decimals per whole asset}.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.errors import RebalanceError
from ..core.units import BPS, PRICE_SCALE
from .rounding import Rounding, mul_div


@dataclass(frozen=True)
class Assessment:
    old_value: int  # {USD × 1e18 per token}
    new_value: int  # {USD × 1e18 per token}
    turnover_bps: int  # Σ|Δvalue_i| / (2 × old_value), rounded up
    changed: int  # max(assets added, assets removed)
    max_change_bps: int = 0  # max_i |Δvalue_i| / old_value, rounded up
    max_change_asset: bytes = b"\x00" * 32  # the first asset with the largest |Δvalue_i|


def component_value(amount: int, price: int) -> int:
    """{USD × 1e18 per token} floor(amount × price / 1e36)."""
    return mul_div(amount, price, PRICE_SCALE, Rounding.FLOOR)


def feed_price(answer: int, feed_decimals: int, asset_decimals: int) -> int:
    """RebalanceMath.feedPrice: {USD × 1e36 per base unit} from a feed's answer {USD ×
    10^feed_decimals per whole asset}, rounded down."""
    return mul_div(answer, PRICE_SCALE, 10 ** (feed_decimals + asset_decimals), Rounding.FLOOR)


def check_band(asset: bytes, declared: int, feed: int, band_bps: int) -> None:
    """RebalanceMath.checkBand: |declared - feed| <= floor(feed × band / 1e4), else
    RebalanceError("RebalancePriceOutsideBand")."""
    allowed = mul_div(feed, band_bps, BPS, Rounding.FLOOR)
    if abs(declared - feed) > allowed:
        raise RebalanceError(
            f"declared price {declared} of 0x{asset.hex()} is more than {band_bps} bps from "
            f"its feed's {feed}",
            "RebalancePriceOutsideBand",
        )


def assess(
    old: Sequence[tuple[bytes, int]],
    new: Sequence[tuple[bytes, int]],
    prices: Sequence[tuple[bytes, int]],
    local: Sequence[bool] | None = None,
    feeds: Sequence[int] | None = None,
    band_bps: int = BPS,
    tolerance: int = 0,
) -> Assessment:
    """RebalanceMath.assess: baskets and prices as (asset id, value) sorted by id; ``prices``
    must list exactly the union of both baskets' assets, and ``feeds`` (default: the declared
    prices themselves) each one's feed price. ``tolerance`` {USD × 1e18 per token}: how much
    less the new basket may be worth (plus one unit per asset). Raises RebalanceError naming
    the contract's error."""
    local = local if local is not None else [False] * len(prices)
    feeds = feeds if feeds is not None else [p for _, p in prices]
    i = j = added = removed = moved = max_moved = old_value = new_value = 0
    max_asset = b"\x00" * 32
    for k, (asset, price) in enumerate(prices):
        if price == 0 or (k > 0 and asset <= prices[k - 1][0]):
            raise RebalanceError(f"price {k} is zero or out of order", "RebalancePricesInvalid")
        check_band(asset, price, feeds[k], band_bps)
        old_amount = new_amount = 0
        if i < len(old) and old[i][0] == asset:
            old_amount, i = old[i][1], i + 1
        if j < len(new) and new[j][0] == asset:
            new_amount, j = new[j][1], j + 1
        if old_amount == 0 and new_amount == 0:
            raise RebalanceError(
                f"price {k} is for an asset in neither basket", "RebalancePricesInvalid"
            )
        if local[k] and old_amount != new_amount:
            raise RebalanceError(
                f"on-chain component 0x{asset.hex()} cannot change",
                "RebalanceLocalComponentChanged",
            )
        added += old_amount == 0
        removed += new_amount == 0
        before, after = component_value(old_amount, price), component_value(new_amount, price)
        old_value += before
        new_value += after
        delta = abs(before - after)
        moved += delta
        if delta > max_moved:
            max_moved, max_asset = delta, asset
    if i != len(old) or j != len(new):
        raise RebalanceError("some asset of a basket has no price", "RebalancePricesInvalid")
    n = len(prices)
    if (
        old_value == 0  # worth nothing at these prices: cannot be compared
        or new_value > old_value + n
        or new_value + n + tolerance < old_value
    ):
        raise RebalanceError(
            f"value per token changes from {old_value} to {new_value}", "RebalanceValueChanged"
        )
    return Assessment(
        old_value=old_value,
        new_value=new_value,
        turnover_bps=mul_div(moved, BPS, 2 * old_value, Rounding.CEIL),
        changed=max(added, removed),
        max_change_bps=mul_div(max_moved, BPS, old_value, Rounding.CEIL),
        max_change_asset=max_asset,
    )
