"""Index levels (seed §3.3): within a period, I_t = I_0 × Σ W_i0 × P_it / P_i0; chain-linked at
each rebalance so the level is continuous (the new period starts from the old period's level on
the implementation day, at that day's 00:00 UTC prices)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from .eligibility import panel_of
from .panel import MarketPanel


def price_matrix(
    data: pd.DataFrame | MarketPanel, assets: Sequence[str], days: pd.DatetimeIndex
) -> pd.DataFrame:
    """Prices {USD} of ``assets`` on ``days``, each the latest observation at or before the day
    (so sparse data, such as monthly snapshots, is carried forward)."""
    panel = panel_of(data)
    return pd.DataFrame(panel.prices_at(days, list(assets)), index=days, columns=list(assets))


def index_levels(
    data: pd.DataFrame | MarketPanel,
    rebalances: Sequence[tuple[date, Mapping[str, float]]],
    end: date,
    base_value: float = 10.0,
) -> pd.Series:
    """Daily levels from the first implementation date to ``end``.

    ``rebalances``: (implementation date, weights) in date order; weights sum to 1. The level is
    ``base_value`` on the first implementation date.
    """
    if not rebalances:
        raise ValueError("no rebalance to start from")
    panel = panel_of(data)
    start = pd.Timestamp(rebalances[0][0], tz="UTC")
    days = pd.date_range(start, pd.Timestamp(end, tz="UTC"), freq="D")
    levels = np.full(len(days), np.nan)
    level = base_value
    for k, (implemented, weights) in enumerate(rebalances):
        t0 = pd.Timestamp(implemented, tz="UTC")
        t1 = pd.Timestamp(rebalances[k + 1][0], tz="UTC") if k + 1 < len(rebalances) else days[-1]
        first, last = days.searchsorted(t0, "left"), days.searchsorted(t1, "right")
        if first >= last:
            continue
        assets = list(weights)
        prices = panel.prices_at(days[first:last], assets)
        if np.isnan(prices[0]).any():
            missing = [a for a, p in zip(assets, prices[0], strict=True) if np.isnan(p)]
            raise ValueError(f"no price on {implemented} for {missing}")
        w = np.array([weights[a] for a in assets])
        relative = prices / prices[0]  # P_it / P_i0
        path = level * (relative @ w)  # I_t = I_0 × Σ W_i0 × P_it / P_i0
        levels[first:last] = path
        level = float(path[-1])  # chain-link: the next period starts here
    return pd.Series(levels, index=days, name="level")
