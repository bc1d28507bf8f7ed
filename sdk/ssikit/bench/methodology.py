"""``make bench-methodology``: the index compiler's speed on the real 2021 CoinGecko set.

1. The whole pipeline for every preset: import (2,496 coins × 365 days) → eligibility → 12
   monthly rebalances → daily levels. Goal: under 2 s wall time for all presets together.
2. One index with its constituents given (MAG7's rebalances from step 1): our levels against the
   same backtest run through the `bt` library. Goal: at least 10× faster; the two level series
   must agree (their largest relative difference is recorded and checked).

3. Full-history scale: a SYNTHETIC universe of 10,000 assets × 3,650 days (36.5 million rows,
   ``presets.synthetic.synthetic_universe``) written to Parquet, then import (load and
   validate) → panel → eligibility → the initial composition and 119 monthly rebalances → daily
   levels for every preset. Goal: under 60 s and under 8 GiB peak memory; the same at a tenth
   and a half of the assets, so the growth is visible. Each size runs in a fresh child process
   whose peak resident memory (``ru_maxrss``, all of numpy's and Arrow's buffers included) is
   what is reported; generating and writing the file is measured in another child.

Writes ``benchmarks/methodology.json``. Wall-clock figures of 1 and 2 are medians of several
runs; those of 3 are single runs (a run takes tens of seconds).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
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
SCALE_ASSETS = (1_000, 5_000, 10_000)  # a tenth, a half and the whole of the goal's universe
SCALE_DAYS = 3_650
SCALE_START = date(2015, 1, 1)
SCALE_GOAL_SECONDS = 60.0
SCALE_GOAL_BYTES = 8 * 2**30


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
            # the machine is shared: the 1-minute load average before the runs, for context
            "load_average_1min": round(os.getloadavg()[0], 2),
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


def _peak_bytes() -> int:
    """This process's peak resident memory (Linux reports kibibytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _scale_generate(assets: int, days: int, path: Path) -> dict[str, Any]:
    """Child process: the synthetic universe, generated and written to ``path``."""
    from ..methodology.data import save_market_data
    from ..presets.synthetic import synthetic_universe

    started = time.perf_counter()
    frame = synthetic_universe(assets, days, SCALE_START)
    generated = time.perf_counter()
    save_market_data(frame, path)
    return {
        "rows": len(frame),
        "generate_seconds": round(generated - started, 3),
        "write_parquet_seconds": round(time.perf_counter() - generated, 3),
        "parquet_bytes": path.stat().st_size,
        "peak_bytes": _peak_bytes(),
    }


def _scale_pipeline(path: Path) -> dict[str, Any]:
    """Child process: import → panel → every preset's backtest over the whole file."""
    from ..methodology.data import load_market_data

    stages: dict[str, float] = {}
    started = time.perf_counter()
    frame = load_market_data(path)
    stages["import_seconds"] = time.perf_counter() - started
    mark = time.perf_counter()
    panel = MarketPanel.from_frame(frame)
    del frame
    stages["panel_seconds"] = time.perf_counter() - mark
    mark = time.perf_counter()
    end = panel.dates[-1].date()
    results = backtest_all(panel, list(PRESETS.values()), SCALE_START, end)
    stages["backtests_seconds"] = time.perf_counter() - mark
    total = time.perf_counter() - started
    return {
        "assets": len(panel.assets),
        "days": len(panel.dates),
        "presets": len(results),
        "compositions_per_preset": max(len(r.announcements) for r in results.values()),
        "compositions": sum(len(r.announcements) for r in results.values()),
        **{k: round(v, 3) for k, v in stages.items()},
        "seconds": round(total, 3),
        "peak_bytes": _peak_bytes(),
    }


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "ssikit.bench.methodology", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def scale(sizes: tuple[int, ...] = SCALE_ASSETS, days: int = SCALE_DAYS) -> dict[str, Any]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="ssikit-bench-") as folder:
        for assets in sizes:
            path = Path(folder) / f"universe-{assets}.parquet"
            generated = _child("generate", str(assets), str(days), str(path))
            pipeline = _child("pipeline", str(path))
            path.unlink()
            runs.append(
                {
                    **pipeline,
                    "rows": generated["rows"],
                    "peak_gib": round(pipeline["peak_bytes"] / 2**30, 3),
                    "generator": generated,
                }
            )
    largest = runs[-1]
    return {
        "what": "SYNTHETIC universe (generated, not real data) -> Parquet; then import (load + "
        "validate) -> panel -> eligibility -> initial composition and monthly rebalances -> "
        "daily levels, every preset; one fresh process per size, peak = its ru_maxrss",
        "days": days,
        "start": SCALE_START.isoformat(),
        "runs": runs,
        "goal_seconds": SCALE_GOAL_SECONDS,
        "goal_peak_gib": SCALE_GOAL_BYTES / 2**30,
        "meets_goal": largest["seconds"] < SCALE_GOAL_SECONDS
        and largest["peak_bytes"] < SCALE_GOAL_BYTES,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["generate"]:
        print(json.dumps(_scale_generate(int(args[1]), int(args[2]), Path(args[3]))))
        return 0
    if args[:1] == ["pipeline"]:
        print(json.dumps(_scale_pipeline(Path(args[1]))))
        return 0
    source = Path(os.environ.get("SHARED_DATA", "../shared/data")) / "hathix_coingecko_2021"
    if not source.exists():
        print(f"bench-methodology: {source} is absent; nothing measured", file=sys.stderr)
        return 2
    report = run(source)
    report["full_history_scale"] = scale()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    ok = (
        report["pipeline"]["meets_goal"]
        and report["one_index_vs_bt"]["meets_goal"]
        and report["one_index_vs_bt"]["agree"]
        and report["full_history_scale"]["meets_goal"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
