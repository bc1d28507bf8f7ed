"""The demo: the whole protocol doing its job on a local chain, with custody on a second one.

deploy -> compose MAG7 from market data (the SYNTHETIC market by default) -> create MAG7.ssi and
a second index over the same assets -> start the custody chain (a second Anvil: ETH and an
ERC-20 held there; the other assets on the wallet-file test double) -> custodian reports -> the
WLP requests mints, delivers (real transfers on the custody chain, checked there by the
custodian) and gets them confirmed -> a Uniswap V2 pool is seeded -> the market price moves and
the WLP's arbitrage bot closes the gap -> a month passes with fee accrual -> the compiler
rebalances, the custodian trades and reports -> a WLP redeems and is paid on the custody chain.

The steps are the named functions of ``steps.STEPS`` over one ``DemoState``; each records its
transactions (hash, gas), the NAV, the pool price and the reserves' coverage, and its checks.
``run_demo`` runs them in order, stops at the first step whose check fails (naming it), and
returns the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from ...methodology.eligibility import panel_of
from .report import build_report, render
from .state import USDC, DemoSettings, DemoState, Recorder, Step
from .steps import STEPS, StepFunction, nav, pool_price

__all__ = ["STEPS", "DemoSettings", "DemoState", "Recorder", "Step", "run_demo", "run_steps"]


class DemoStepFailed(Exception):
    """A step's check did not hold (the report names the step and its failed checks)."""


def measure(state: DemoState, step: Step) -> None:
    """The step's transactions; NAV, pool price and the reserves' lowest coverage after it."""
    state.rec.collect(step)
    if state.token is None:
        return
    step.nav = float(nav(state)) / USDC
    if state.pair is not None:
        step.pool_price = float(pool_price(state)) / USDC
    ratios = [
        r.ratio / 10**18
        for t in (state.token, state.second)
        if t is not None and t.totalSupply() > 0
        for r in state.system.oracle.coverage(t)
        if r.ratio != 2**256 - 1
    ]
    step.coverage = min(ratios) if ratios else None
    if step.coverage is not None:
        step.checks["reserves cover the supply"] = step.coverage >= 1


def run_steps(
    state: DemoState, steps: list[tuple[str, StepFunction]] = STEPS
) -> tuple[bool, str | None]:
    """Runs ``steps`` in order over ``state``, measuring each; stops at the first whose checks
    do not all hold. Returns (every step held, the first failed step's line or None)."""
    for name, function in steps:
        step = state.rec.step(name)
        function(state, step)
        measure(state, step)
        if not step.ok:
            return False, f"step '{name}' failed: {', '.join(step.failed())}"
    return True, None


def run_demo(
    accounts: Any,
    registry_path: Path,
    out: Path,
    data: Any = None,
    settings: DemoSettings | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """The whole demo on the connected local chain (and a custody chain it starts and stops).
    ``data``: a market table (default: the synthetic market). Returns the report (also written
    to ``out/demo-report.json``)."""
    from ...presets.synthetic import SYNTHETIC_LABEL, synthetic_market

    frame = synthetic_market() if data is None else data
    state = DemoState(
        accounts=accounts,
        registry_path=registry_path,
        out=out,
        settings=settings or DemoSettings(),
        panel=panel_of(frame),
        source=SYNTHETIC_LABEL if frame.attrs.get("source") == "synthetic" else "market data file",
    )
    out.mkdir(parents=True, exist_ok=True)
    try:
        ok, failure = run_steps(state)
        report = build_report(state, ok, failure)
    finally:
        if state.custody_chain is not None:
            state.custody_chain.stop()
    render(state, report, console or Console())
    return report
