"""Gas of the key flows: within the issues' budgets and equal to the committed snapshot."""

from __future__ import annotations

from pathlib import Path

from ssikit.bench.gas import GAS_BUDGETS, load_snapshot, measure, measure_issuance, over_budget

SNAPSHOT = Path(__file__).resolve().parents[2] / "snapshots" / "gas.json"


def test_gas__within_budgets_and_matches_snapshot(accounts):
    gas = {**measure(accounts), **measure_issuance(accounts)}
    assert set(GAS_BUDGETS) <= set(gas)
    assert over_budget(gas) == {}
    committed = load_snapshot(SNAPSHOT)
    drift = {k: (committed.get(k), v) for k, v in gas.items() if committed.get(k) != v}
    assert drift == {}, f"gas changed (snapshot, now): {drift}; run `make bench-gas` and commit"
