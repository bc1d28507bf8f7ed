"""Eligibility (seed §2.1), computed over the 30-day window that ends on the reference date.

Rules, in order; an asset is excluded by the first it fails, and the rule is reported:
``stablecoin`` (curated list or the peg detector: price within ``peg_band`` of 1 USD on at least
``peg_fraction`` of the window's days), ``derivative`` (wrapped, bridged, staked), ``usd_pair``
(a USD or USD-stablecoin pair), ``listing`` (listed at least 90 days; the first observation in
the data stands in when the data has no listing date, and the rule is then marked unverified),
``exchange`` (a qualified exchange, unverified when the data has no exchange list),
``no_data`` (no market cap in the window), ``liquidity`` (bottom 40% by average daily volume of
those still eligible), ``market_cap`` (average circulating cap below the minimum), and ``sector``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .panel import MarketPanel
from .spec import IndexSpec


@dataclass
class Eligibility:
    table: pd.DataFrame  # one row per asset: averages, first_seen, excluded_by
    unverified: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> pd.DataFrame:
        return self.table[self.table["excluded_by"].isna()]


def _as_timestamp(day: date) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


def panel_of(data: pd.DataFrame | MarketPanel) -> MarketPanel:
    return data if isinstance(data, MarketPanel) else MarketPanel.from_frame(data)


def assess(data: pd.DataFrame | MarketPanel, spec: IndexSpec, reference: date) -> Eligibility:
    """The eligibility of every asset with data in the window ending on ``reference``."""
    panel = panel_of(data)
    table = panel.window_stats(reference, spec.window_days, spec.peg_band)
    unverified: list[str] = []
    if "first_listed" in panel.columns:
        listed = pd.to_datetime(table["first_listed"], utc=True)
        table["first_seen"] = listed.fillna(table["first_seen"])
    else:
        unverified.append("listing")
    if "quote_currencies" not in panel.columns:
        unverified.append("usd_pair")
    if "exchanges" not in panel.columns:
        unverified.append("exchange")

    # The first rule each asset fails, as an index into `rules` (0: none yet); integer codes
    # rather than an object array keep each step a plain numpy operation.
    rules: list[str | None] = [None]
    code = np.zeros(len(table), dtype=np.int8)

    def exclude(mask: pd.Series | np.ndarray, rule: str) -> None:
        rules.append(rule)
        code[np.asarray(mask, dtype=bool) & (code == 0)] = len(rules) - 1

    column = {c: table[c].to_numpy() for c in ("is_stablecoin", "is_derivative", "peg_share")}
    avg_cap = table["avg_market_cap"].to_numpy()
    exclude(column["is_stablecoin"] | (column["peg_share"] >= spec.peg_fraction), "stablecoin")
    exclude(column["is_derivative"], "derivative")
    if "quote_currencies" in panel.columns:
        quotes = table["quote_currencies"].fillna("")
        allowed = set(spec.quote_currencies)
        exclude(~quotes.map(lambda q: bool(allowed & set(str(q).upper().split("|")))), "usd_pair")
    cutoff = _as_timestamp(reference - timedelta(days=spec.min_listing_days)).value
    # An asset seen on the data's first day may have been listed long before: the data cannot
    # tell, so it passes (the rule is unverified whenever listing dates are missing anyway).
    first_seen = pd.DatetimeIndex(table["first_seen"]).asi8
    exclude((first_seen > cutoff) & (first_seen > panel.dates[0].value), "listing")
    if "exchanges" in panel.columns:
        venues = table["exchanges"].fillna("")
        qualified = set(spec.qualified_exchanges)
        exclude(~venues.map(lambda v: bool(qualified & set(str(v).lower().split("|")))), "exchange")
    exclude(np.isnan(avg_cap), "no_data")

    still = np.flatnonzero(code == 0)
    if len(still):
        # Bottom fraction by 30-day average volume among those still eligible (seed §2.1).
        volumes = np.nan_to_num(table["avg_volume"].to_numpy()[still], nan=0.0)
        n_drop = int(np.floor(len(volumes) * spec.volume_drop_fraction))
        drop = still[np.argsort(volumes, kind="stable")[:n_drop]]
        exclude(np.isin(np.arange(len(table)), drop), "liquidity")
    exclude(avg_cap < spec.min_avg_market_cap, "market_cap")
    if spec.sector is not None:
        sector = table["sector"].to_numpy() if "sector" in table else np.full(len(table), None)
        exclude(sector != spec.sector, "sector")
    table["excluded_by"] = np.array(rules, dtype=object)[code]
    return Eligibility(table=table, unverified=unverified)
