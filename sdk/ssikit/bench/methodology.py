"""``make bench-methodology``: the index compiler's speed on the real 2021 CoinGecko set.

1. The whole pipeline for every preset: import (2,496 coins × 365 days) → eligibility → 12
   monthly rebalances → daily levels. Goal: under 2 s wall time for all presets together.
2. One index with its constituents given (MAG7's rebalances from step 1): our levels against the
   same backtest run through the `bt` library. Goal: at least 10× faster; the two level series
   must agree (their largest relative difference is recorded and checked).

Writes ``benchmarks/methodology.json``. Wall-clock figures are medians of several runs.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..methodology.backtest import backtest_all
from ..methodology.importers import import_coingecko_2021
from ..methodology.levels import index_levels
from ..methodology.panel import MarketPanel
from ..methodology.spec import PRESETS

START, END = date(2021, 1, 1), date(2021, 12, 31)
PIPELINE_GOAL_SECONDS = 2.0
SPEEDUP_GOAL = 10.0
AGREEMENT_TOLERANCE = 1e-9  # relative
OUTPUT = Path("benchmarks/methodology.json")


def _timed(function: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def pipeline(source: Path) -> dict[str, Any]:
    frame = import_coingecko_2021(source)
    return backtest_all(MarketPanel.from_frame(frame), list(PRESETS.values()), START, END)


def bt_levels(prices: pd.DataFrame, rebalances: list[tuple[date, dict[str, float]]]) -> pd.Series:
    """The same index through `bt`: target weights on each implementation date, no costs."""
    import bt

    weights = pd.DataFrame(
        [{a: w.get(a, 0.0) for a in prices.columns} for _, w in rebalances],
        index=pd.DatetimeIndex([pd.Timestamp(d) for d, _ in rebalances]),
    )
    strategy = bt.Strategy("index", [bt.algos.WeighTarget(weights), bt.algos.Rebalance()])
    result = bt.run(bt.Backtest(strategy, prices, integer_positions=False, progress_bar=False))
    return result.prices["index"]


def run(source: Path, repeats: int = 5) -> dict[str, Any]:
    times, results = _timed(lambda: pipeline(source), repeats)
    rebalances = [
        (a.implementation_date, {c.asset_id: c.weight for c in a.constituents})
        for a in results["MAG7"].announcements
        if a.implementation_date <= END
    ]
    panel = MarketPanel.from_frame(import_coingecko_2021(source))
    ours_times, ours = _timed(lambda: index_levels(panel, rebalances, END), repeats)

    assets = sorted({a for _, w in rebalances for a in w})
    days = pd.date_range(pd.Timestamp(rebalances[0][0]), pd.Timestamp(END), freq="D")
    prices = pd.DataFrame(
        panel.prices_at(days.tz_localize("UTC"), assets), index=days, columns=assets
    )
    bt_times, theirs = _timed(lambda: bt_levels(prices, rebalances), repeats)
    ours_rebased = ours.to_numpy() / ours.iloc[0]
    theirs_rebased = theirs.reindex(days).to_numpy() / theirs.loc[days[0]]
    difference = float(np.max(np.abs(ours_rebased / theirs_rebased - 1)))

    pipeline_median = statistics.median(times)
    speedup = statistics.median(bt_times) / statistics.median(ours_times)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "data": "hathix_coingecko_2021 (CoinGecko daily 2021, 2,496 coins)",
        "pipeline": {
            "what": "import -> eligibility -> 12 monthly rebalances -> daily levels, every preset",
            "presets": len(results),
            "rebalances": sum(len(r.announcements) for r in results.values()),
            "seconds_median": round(pipeline_median, 4),
            "seconds_runs": [round(t, 4) for t in times],
            "goal_seconds": PIPELINE_GOAL_SECONDS,
            "meets_goal": pipeline_median < PIPELINE_GOAL_SECONDS,
        },
        "one_index_vs_bt": {
            "what": "MAG7 levels over 2021 with its 11 rebalances given",
            "ssikit_seconds_median": round(statistics.median(ours_times), 6),
            "bt_seconds_median": round(statistics.median(bt_times), 6),
            "bt_version": __import__("bt").__version__,
            "speedup": round(speedup, 1),
            "goal_speedup": SPEEDUP_GOAL,
            "meets_goal": speedup >= SPEEDUP_GOAL,
            "max_relative_difference": difference,
            "agree": difference <= AGREEMENT_TOLERANCE,
        },
    }


def main() -> int:
    source = Path(os.environ.get("SHARED_DATA", "../shared/data")) / "hathix_coingecko_2021"
    if not source.exists():
        print(f"bench-methodology: {source} is absent; nothing measured", file=sys.stderr)
        return 2
    report = run(source)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    ok = (
        report["pipeline"]["meets_goal"]
        and report["one_index_vs_bt"]["meets_goal"]
        and report["one_index_vs_bt"]["agree"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
