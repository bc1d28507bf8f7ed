"""Backtests: every monthly rebalance of an index over a date range (buffers applied from one
announcement to the next), its daily levels, and statistics against a benchmark (BTC)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ..core.errors import SsikitError
from .calendar import schedule
from .compose import Announcement, NotEnoughEligible, compose, compose_initial
from .eligibility import panel_of
from .levels import index_levels
from .panel import MarketPanel
from .spec import IndexSpec

DAYS_PER_YEAR = 365  # crypto trades every day


@dataclass(frozen=True)
class NoRebalance(SsikitError, ValueError):
    """No announcement in the range could be composed and take effect before its end."""

    index: str
    start: date
    end: date
    skipped: list[str]

    def __str__(self) -> str:
        why = f" ({'; '.join(self.skipped)})" if self.skipped else ""
        return f"{self.index}: no rebalance takes effect between {self.start} and {self.end}{why}"


class Stats(BaseModel):
    """Performance over the backtest; returns and drawdown are fractions (0.1 = 10%)."""

    start: date
    end: date
    total_return: float
    annualised_return: float
    volatility: float  # annualised standard deviation of daily log returns
    max_drawdown: float  # <= 0


def statistics(levels: pd.Series) -> Stats:
    """Total and annualised return, annualised volatility, maximum drawdown of a daily series."""
    series = levels.dropna()
    if len(series) < 2:
        raise ValueError("statistics need at least two days of levels")
    first, last = float(series.iloc[0]), float(series.iloc[-1])
    total = last / first - 1
    years = (len(series) - 1) / DAYS_PER_YEAR
    daily = np.diff(np.log(series.to_numpy()))
    drawdown = series / series.cummax() - 1
    return Stats(
        start=series.index[0].date(),
        end=series.index[-1].date(),
        total_return=total,
        annualised_return=(1 + total) ** (1 / years) - 1,
        volatility=float(np.std(daily, ddof=1) * np.sqrt(DAYS_PER_YEAR)) if len(daily) > 1 else 0,
        max_drawdown=float(drawdown.min()),
    )


@dataclass
class Backtest:
    spec: IndexSpec
    announcements: list[Announcement]
    levels: pd.Series  # daily, from the first implementation date
    benchmark: pd.Series | None  # the benchmark's price rebased to the index's first level
    benchmark_id: str | None
    stats: Stats
    benchmark_stats: Stats | None
    sparse: bool  # prices carried forward from the latest observation at or before each day
    source: str = ""  # "synthetic" when run on the generated market
    skipped: list[str] = field(default_factory=list)  # announcements without enough assets
    coverage: list[str] = field(default_factory=list)  # carried-forward gaps, short windows

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.source == "synthetic":
            notes.append("data: SYNTHETIC market (generated, not real data)")
        if self.sparse:
            notes.append(
                "sparse data: each day uses the latest observation at or before it "
                "(prices carried forward between snapshots)"
            )
        notes += [f"skipped {s}" for s in self.skipped]
        notes += self.coverage
        unverified = sorted({r for a in self.announcements for r in a.unverified_rules})
        if unverified:
            notes.append(f"rules checked by proxy (unverified): {', '.join(unverified)}")
        return notes

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.spec.ticker,
            "announcements": [a.model_dump(mode="json") for a in self.announcements],
            "levels": {d.date().isoformat(): float(v) for d, v in self.levels.dropna().items()},
            "benchmark": self.benchmark_id,
            "stats": self.stats.model_dump(mode="json"),
            "benchmark_stats": (
                self.benchmark_stats.model_dump(mode="json") if self.benchmark_stats else None
            ),
            "notes": self.notes,
            "carried_forward": any(n.startswith("carried forward") for n in self.coverage),
        }


def backtest(
    data: pd.DataFrame | MarketPanel,
    spec: IndexSpec,
    start: date,
    end: date,
    *,
    benchmark: str = "BTC",
    on_rebalance: Callable[[Announcement], None] | None = None,
    carry_forward: bool = False,
) -> Backtest:
    """An initial composition on ``start`` (implemented that day, so the levels start there),
    then every announcement in [start, end] (each with the previous constituents as
    incumbents, so the buffers apply); levels from the first implementation to ``end``,
    starting at ``spec.base_value`` and chain-linked at each implementation.

    Every day of [start, end] and every 30-day window must be covered by the data (DataGap
    names the gap); ``carry_forward`` uses the latest observation before a gap instead and
    every output says so. ``benchmark``: the ticker to compare with (the largest such asset).
    """
    panel = panel_of(data)
    coverage = panel.require(f"{spec.ticker} backtest {start} to {end}", start, end, carry_forward)
    announcements: list[Announcement] = []
    previous: list[str] = []
    skipped: list[str] = []
    dates = [start] + [announced for announced, _ in schedule(start, end)]
    for k, announced in enumerate(dates):
        try:
            if k == 0:
                announcement = compose_initial(panel, spec, start, carry_forward=carry_forward)
            else:
                announcement = compose(
                    panel,
                    spec,
                    announced,
                    previous,
                    carry_forward=carry_forward,
                    shorten_at_start=True,
                )
        except NotEnoughEligible as err:
            # Before launch the index waits; after, the current basket stays in force.
            skipped.append(f"{announced}: {err.eligible} eligible of {err.needed} needed")
            continue
        announcements.append(announcement)
        coverage += [n for n in announcement.notes if n not in coverage]
        previous = [c.asset_id for c in announcement.constituents]
        if on_rebalance is not None:
            on_rebalance(announcement)
    rebalances = [
        (a.implementation_date, {c.asset_id: c.weight for c in a.constituents})
        for a in announcements
        if a.implementation_date <= end
    ]
    if not rebalances:
        raise NoRebalance(spec.ticker, start, end, skipped)
    levels = index_levels(panel, rebalances, end, spec.base_value)
    # Seed §3.3: the level is base_value on the base date when the backtest covers it (chain-
    # linking makes this a rescaling); otherwise on the first implementation day.
    base = pd.Timestamp(spec.base_date, tz="UTC")
    if base in levels.index:
        levels = levels * (spec.base_value / levels[base])
    benchmark_id = panel.asset_with_symbol(benchmark)
    rebased = None
    if benchmark_id is not None:
        prices = panel.prices_at(pd.DatetimeIndex(levels.index), [benchmark_id])[:, 0]
        if not np.isnan(prices[0]):
            rebased = pd.Series(prices / prices[0] * float(levels.iloc[0]), index=levels.index)
    return Backtest(
        spec=spec,
        announcements=announcements,
        levels=levels,
        benchmark=rebased,
        benchmark_id=benchmark_id if rebased is not None else None,
        stats=statistics(levels),
        benchmark_stats=statistics(rebased) if rebased is not None else None,
        sparse=panel.sparse,
        source=panel.source,
        skipped=skipped,
        coverage=coverage,
    )


def backtest_all(
    data: pd.DataFrame | MarketPanel,
    specs: Sequence[IndexSpec],
    start: date,
    end: date,
    **options: object,
) -> dict[str, Backtest]:
    """Several indices over the same data; the arrays are built once."""
    panel = panel_of(data)
    return {s.ticker: backtest(panel, s, start, end, **options) for s in specs}  # type: ignore[arg-type]


def plot(result: Backtest, path: str) -> None:
    """A PNG of the index level against the rebased benchmark."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    ax.plot(result.levels.index, result.levels.to_numpy(), label=result.spec.ticker, lw=1.6)
    if result.benchmark is not None:
        label = f"{result.benchmark_id} (rebased)"
        ax.plot(result.benchmark.index, result.benchmark.to_numpy(), label=label, lw=1.0)
    for a in result.announcements:
        ax.axvline(pd.Timestamp(a.implementation_date, tz="UTC"), color="0.85", lw=0.6, zorder=0)
    title = f"{result.spec.name}: level vs benchmark (rebalances in grey)"
    if result.source == "synthetic":
        title += "\nSYNTHETIC market data (not real)"
    ax.set_title(title)
    ax.set_ylabel("level")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
