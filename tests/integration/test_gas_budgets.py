"""Gas of the key flows: within the budgets of snapshots/gas-budgets.json and equal to the
committed snapshot. A flow whose budget entry says "over: <explanation>" is recorded and
explained, not enforced; every "enforced" one fails the test when over."""

from __future__ import annotations

from pathlib import Path

from ssikit.bench.gas import load_budgets, load_snapshot, measure, measure_issuance, over_budget

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"


CALLDATA_SLACK = 16 * 12  # {gas} up to twelve clock-derived calldata bytes turning zero


def test_gas__within_enforced_budgets_and_matches_snapshot(accounts):
    gas = {**measure(accounts), **measure_issuance(accounts)}
    budgets = load_budgets(SNAPSHOTS / "gas-budgets.json")
    assert set(budgets) <= set(gas)
    for name, entry in budgets.items():
        assert entry["status"] == "enforced" or entry["status"].startswith("over: "), name
        if entry["status"] != "enforced":  # recorded as over: it must really be over
            assert gas[name] > entry["budget"], f"{name} is within budget again: enforce it"
    assert over_budget(gas, budgets, enforced_only=True) == {}
    committed = load_snapshot(SNAPSHOTS / "gas.json")
    # Figures are exact but for calldata: timestamps and fee factors read off the chain's clock
    # go into some calls' arguments, and each zero byte among them costs 4 gas instead of 16.
    # A drift of at most CALLDATA_SLACK is that; anything more is a change to review.
    drift = {
        k: (committed.get(k), v)
        for k, v in gas.items()
        if committed.get(k) is None or abs(committed[k] - v) > CALLDATA_SLACK
    }
    assert drift == {}, f"gas changed (snapshot, now): {drift}; run `make bench-gas` and commit"
