"""Composing an index: eligibility, ranking, buffers (seed §4.2), weights, announcement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ..core.errors import SsikitError
from .calendar import implementation_date, next_announcement
from .eligibility import assess, panel_of
from .panel import MarketPanel
from .sectors import ClassificationRecord
from .spec import IndexSpec, Weighting
from .weights import capped_weights, hybrid_weights, market_cap_weights


@dataclass(frozen=True)
class NotEnoughEligible(SsikitError, ValueError):
    """Fewer assets pass the eligibility rules than the index needs."""

    index: str
    reference: date
    eligible: int
    needed: int

    def __str__(self) -> str:
        return (
            f"{self.index} on {self.reference}: {self.eligible} eligible asset(s), "
            f"{self.needed} needed (is there a sector for every asset? see --sectors)"
        )


class Constituent(BaseModel):
    asset_id: str
    symbol: str
    rank: int
    weight: float
    ref_market_cap: float  # {USD} 30-day average circulating cap
    ref_volume: float  # {USD per day} 30-day average
    action: str  # add | keep
    reason: str


class Removal(BaseModel):
    asset_id: str
    rank: int | None
    reason: str
    symbol: str = ""


class Announcement(BaseModel):
    index: str
    reference_date: date
    announcement_date: date
    implementation_date: date
    constituents: list[Constituent]
    removed: list[Removal]
    excluded: dict[str, str]  # asset_id -> rule
    unverified_rules: list[str]
    eligible_count: int
    notes: list[str] = []  # what the reader must know: carried-forward data, short windows
    classification: ClassificationRecord | None = None  # the sectors' sources (committed to)


def rank(eligible: pd.DataFrame) -> list[str]:
    """By 30-day average circulating cap, ties by 30-day average volume (seed §3.1)."""
    # np.lexsort: the last key is the primary one; negated values sort descending.
    order = np.lexsort(
        (
            eligible["symbol"].to_numpy(dtype=str),
            -eligible["avg_volume"].fillna(0).to_numpy(),
            -eligible["avg_market_cap"].to_numpy(),
        )
    )
    return [str(a) for a in eligible.index.to_numpy()[order]]


def apply_buffer(
    ranked: list[str], incumbents: Iterable[str], n: int
) -> tuple[list[str], dict[str, str]]:
    """Seed §4.2 generalised: incumbents ranked within n + 2 stay, newcomers ranked within
    n - 2 enter, then the set is cut or filled to n by rank. Returns the constituents in rank
    order and the reason for each."""
    position = {a: i + 1 for i, a in enumerate(ranked)}
    previous = [a for a in incumbents]
    reasons: dict[str, str] = {}
    if not previous:
        chosen = ranked[:n]
        return chosen, {a: f"ranked {position[a]} of the top {n}" for a in chosen}
    keep = [a for a in previous if position.get(a, 10**9) <= n + 2]
    enter = [a for a in ranked if a not in previous and position[a] <= max(n - 2, 0)]
    selected = sorted(set(keep) | set(enter), key=lambda a: position[a])
    for a in keep:
        reasons[a] = f"incumbent ranked {position[a]}, within the buffer of {n + 2}"
    for a in enter:
        reasons[a] = f"ranked {position[a]}, within {max(n - 2, 0)}: enters"
    while len(selected) > n:  # more than n: the worst ranked leave
        reasons.pop(selected.pop(), None)
    for a in ranked:
        if len(selected) >= n:
            break
        if a not in selected:
            selected.append(a)
            reasons[a] = f"ranked {position[a]}: fills to {n}"
    return sorted(selected, key=lambda a: position[a]), reasons


def weigh(spec: IndexSpec, caps: dict[str, float]) -> dict[str, Fraction]:
    exact = {k: Fraction(v) for k, v in caps.items()}
    if spec.weighting is Weighting.HYBRID:
        return hybrid_weights(
            exact, Fraction(str(spec.hybrid_floor)), Fraction(str(spec.hybrid_share))
        )
    if spec.weighting is Weighting.CAPPED:
        assert spec.cap is not None
        cap = max(Fraction(str(spec.cap)), Fraction(1, len(exact)))
        return capped_weights(exact, cap)
    return market_cap_weights(exact)


def compose(
    data: pd.DataFrame | MarketPanel,
    spec: IndexSpec,
    on: date,
    previous: Iterable[str] = (),
    *,
    carry_forward: bool = False,
    shorten_at_start: bool = False,
) -> Announcement:
    """The announcement of the rebalance following ``on``: reference and announcement on the
    next third-to-last calendar day, implementation on the first of the next month.

    The 30-day window must be covered by the data (DataGap otherwise); ``carry_forward`` uses
    the latest observation before a gap instead and says so in ``notes``. ``shorten_at_start``
    (backtests): a window that begins before the data's first day is shortened to the days
    the data has, and ``notes`` says so."""
    announced = next_announcement(on)
    implemented = implementation_date(announced.year, announced.month)
    return compose_at(
        data,
        spec,
        announced,
        implemented,
        previous,
        carry_forward=carry_forward,
        shorten_at_start=shorten_at_start,
    )


def compose_initial(
    data: pd.DataFrame | MarketPanel, spec: IndexSpec, day: date, *, carry_forward: bool = False
) -> Announcement:
    """A backtest's initial composition, referenced and implemented on ``day`` (at its 00:00
    prices), so the levels start where the data starts. When the window reaches before the
    data's first day it is shortened to the days the data has, and ``notes`` says so."""
    return compose_at(data, spec, day, day, (), carry_forward=carry_forward, shorten_at_start=True)


def compose_at(
    data: pd.DataFrame | MarketPanel,
    spec: IndexSpec,
    reference: date,
    implemented: date,
    previous: Iterable[str] = (),
    *,
    carry_forward: bool = False,
    shorten_at_start: bool = False,
) -> Announcement:
    """The composition referenced (and announced) on ``reference``, effective ``implemented``."""
    panel = panel_of(data)
    window_start = reference - timedelta(days=spec.window_days - 1)
    notes: list[str] = []
    first_day = panel.dates[0].date() if len(panel.dates) else None
    if shorten_at_start and first_day is not None and window_start < first_day <= reference:
        data_first = first_day
        notes.append(
            f"{spec.ticker} on {reference}: composed from {(reference - data_first).days + 1} "
            f"day(s) of data, the {spec.window_days}-day window starting before the data's "
            f"first day, {data_first}"
        )
        window_start = data_first
    what = f"{spec.ticker} on {reference}: {spec.window_days}-day window"
    what += f" {window_start}..{reference}"
    notes += panel.require(what, window_start, reference, carry_forward)
    result = assess(panel, spec, reference)
    eligible = result.eligible
    ranked = rank(eligible)
    n = min(spec.count_for(len(ranked)), len(ranked))
    if n == 0 or (spec.weighting is Weighting.HYBRID and n < (spec.constituents or 0)):
        raise NotEnoughEligible(spec.ticker, reference, len(ranked), spec.count_for(len(ranked)))
    if spec.constituents is not None and n < spec.constituents:
        notes.append(
            f"{spec.ticker} on {reference}: {len(ranked)} eligible, so {n} constituents of the "
            f"{spec.constituents} its rules ask for"
        )
    incumbents = list(previous)
    chosen, reasons = apply_buffer(ranked, incumbents, n)
    weights = weigh(spec, {a: float(eligible.loc[a, "avg_market_cap"]) for a in chosen})
    position = {a: i + 1 for i, a in enumerate(ranked)}
    constituents = [
        Constituent(
            asset_id=a,
            symbol=str(eligible.loc[a, "symbol"]),
            rank=position[a],
            weight=float(weights[a]),
            ref_market_cap=float(eligible.loc[a, "avg_market_cap"]),
            ref_volume=float(eligible.loc[a, "avg_volume"]),
            action="keep" if a in incumbents else "add",
            reason=reasons[a],
        )
        for a in chosen
    ]
    table = result.table
    removed = []
    for a in incumbents:
        if a in chosen:
            continue
        if a in position:
            removed.append(
                Removal(
                    asset_id=a,
                    rank=position[a],
                    reason=f"ranked {position[a]}, outside the buffer",
                    symbol=str(table.loc[a, "symbol"]),
                )
            )
        else:
            rule = table.loc[a, "excluded_by"] if a in table.index else "no_data"
            symbol = str(table.loc[a, "symbol"]) if a in table.index else ""
            removed.append(
                Removal(asset_id=a, rank=None, reason=f"excluded by rule {rule}", symbol=symbol)
            )
    rules = table["excluded_by"].to_numpy()
    out = rules != None  # noqa: E711
    excluded = dict(zip(table.index.to_numpy()[out].tolist(), rules[out].tolist(), strict=True))
    return Announcement(
        index=spec.ticker,
        reference_date=reference,
        announcement_date=reference,
        implementation_date=implemented,
        constituents=constituents,
        removed=removed,
        excluded=excluded,
        unverified_rules=result.unverified,
        eligible_count=len(ranked),
        notes=notes,
        classification=panel.classification,
    )
