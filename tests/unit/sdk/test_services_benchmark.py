"""The committed services benchmark (`make bench-services`, benchmarks/services.json) meets issue
11's goal: the custodian service's steady-state tick and `wlp status` with at least 50,000 blocks
of history cost at most 1.3 times what they cost with about 100, measured in one run. The figures
are wall-clock and are only read here, never measured in a test."""

from __future__ import annotations

from pathlib import Path

from ssikit.bench.services import RATIO_GOAL, load

COMMITTED = Path(__file__).resolve().parents[3] / "benchmarks" / "services.json"


def test_services_benchmark__committed__history_ratio_within_goal():
    result = load(COMMITTED)
    history = result["history"]
    assert history["short_blocks"] <= 200 and history["long_blocks"] >= 50_000
    for name in ("tick", "wlp_status"):
        short = history[f"{name}_short"]["seconds_median"]
        long = history[f"{name}_long"]["seconds_median"]
        assert abs(history[f"{name}_ratio"] - long / short) < 0.01, name  # the file adds up
        assert history[f"{name}_ratio"] <= RATIO_GOAL, name
    assert history["meets_goal"]


def test_services_benchmark__committed__every_pending_request_settled_and_indexed():
    result = load(COMMITTED)
    settlement = result["settlement"]
    assert settlement["settled"] == settlement["pending"] == 100
    assert settlement["per_minute"] > 0
    catch_up = result["indexer_catch_up"]
    assert catch_up["blocks"] >= 50_000 and catch_up["blocks_per_second"] > 0
