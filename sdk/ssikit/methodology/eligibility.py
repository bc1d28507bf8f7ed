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


def window(frame: pd.DataFrame, reference: date, days: int) -> pd.DataFrame:
    end = _as_timestamp(reference)
    start = end - pd.Timedelta(days=days - 1)
    return frame[(frame["date"] >= start) & (frame["date"] <= end)]


def assess(frame: pd.DataFrame, spec: IndexSpec, reference: date) -> Eligibility:
    """The eligibility of every asset with data in the window ending on ``reference``."""
    recent = window(frame, reference, spec.window_days)
    grouped = recent.groupby("asset_id", sort=True)
    table = pd.DataFrame(
        {
            "symbol": grouped["symbol"].last(),
            "avg_market_cap": grouped["market_cap"].mean(),
            "avg_volume": grouped["volume"].mean(),
            "ref_market_cap": grouped["market_cap"].last(),
            "ref_price": grouped["price"].last(),
        }
    )
    pegged = (recent["price"] - 1).abs() <= spec.peg_band
    table["peg_share"] = pegged.groupby(recent["asset_id"]).mean()
    for flag in ("is_stablecoin", "is_derivative"):
        table[flag] = grouped[flag].max().astype(bool) if flag in recent else False
    first_seen = frame[frame["date"] <= _as_timestamp(reference)].groupby("asset_id")["date"].min()
    table["first_seen"] = first_seen.reindex(table.index)
    unverified: list[str] = []
    if "first_listed" in frame:
        listed = pd.to_datetime(frame.groupby("asset_id")["first_listed"].min(), utc=True)
        table["first_seen"] = listed.reindex(table.index).fillna(table["first_seen"])
    else:
        unverified.append("listing")
    if "quote_currencies" not in frame:
        unverified.append("usd_pair")
    if "exchanges" not in frame:
        unverified.append("exchange")
    if "sector" in frame:
        table["sector"] = grouped["sector"].last()

    excluded = pd.Series(None, index=table.index, dtype=object)

    def exclude(mask: pd.Series, rule: str) -> None:
        hit = mask & excluded.isna()
        excluded[hit] = rule

    exclude(table["is_stablecoin"] | (table["peg_share"] >= spec.peg_fraction), "stablecoin")
    exclude(table["is_derivative"], "derivative")
    if "quote_currencies" in frame:
        quotes = (
            frame.groupby("asset_id")["quote_currencies"].last().reindex(table.index).fillna("")
        )
        allowed = set(spec.quote_currencies)
        exclude(~quotes.map(lambda q: bool(allowed & set(str(q).upper().split("|")))), "usd_pair")
    cutoff = _as_timestamp(reference - timedelta(days=spec.min_listing_days))
    exclude(table["first_seen"] > cutoff, "listing")
    if "exchanges" in frame:
        venues = frame.groupby("asset_id")["exchanges"].last().reindex(table.index).fillna("")
        qualified = set(spec.qualified_exchanges)
        exclude(~venues.map(lambda v: bool(qualified & set(str(v).lower().split("|")))), "exchange")
    exclude(table["avg_market_cap"].isna(), "no_data")

    still = excluded.isna()
    if still.any():
        # Bottom fraction by 30-day average volume among those still eligible (seed §2.1).
        volumes = table.loc[still, "avg_volume"].fillna(0)
        n_drop = int(np.floor(len(volumes) * spec.volume_drop_fraction))
        drop = volumes.sort_values(kind="stable").index[:n_drop]
        exclude(table.index.isin(drop), "liquidity")
    exclude(table["avg_market_cap"] < spec.min_avg_market_cap, "market_cap")
    if spec.sector is not None:
        sector = table["sector"] if "sector" in table else pd.Series(None, index=table.index)
        exclude(sector.fillna("") != spec.sector, "sector")
    table["excluded_by"] = excluded
    return Eligibility(table=table, unverified=unverified)
