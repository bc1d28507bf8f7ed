"""The demo's report (JSON), its tables and its chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ...chain.solvency import solvency
from ...core.assets import MAG7_ASSETS
from .state import USDC, DemoState, Step
from .steps import nav, pool_price


def build_report(state: DemoState, ok: bool, failure: str | None) -> dict[str, Any]:
    """The report of what ran (written to ``out/demo-report.json``); ``ok`` only when every step
    held and every asset's reserves cover what all indices owe."""
    from ...chain.lifecycle import LifecycleClient

    steps = state.rec.steps
    tokens = [t for t in (state.token, state.second) if t is not None]
    sums = solvency(state.system, tokens) if tokens else []
    symbol_of = {a.id: a.symbol for a in (*MAG7_ASSETS, *state.weights)} | state.symbols
    solvency_rows = [row.as_dict(symbol_of.get(row.asset_id)) for row in sums]
    versions = {t.symbol(): LifecycleClient(state.system, None).status(t.address) for t in tokens}
    coverage_ok = all(s.coverage is None or s.coverage >= 1 for s in steps)
    final: dict[str, Any] = {}
    if state.token is not None:
        final = {
            "nav_usd": float(nav(state)) / USDC,
            "pool_price_usd": None if state.pair is None else float(pool_price(state)) / USDC,
            "coverage_min": steps[-1].coverage,
            "supply": str(state.token.totalSupply()),
            "basket_version": int(state.token.basketVersion()),
        }
    custody: dict[str, Any] = {}
    if state.custody_config is not None:
        custody = {
            "chain_id": state.custody_config.chain_id,
            "assets": {k: v or "native" for k, v in state.custody_config.assets.items()},
            "accounts": dict(state.custody_config.accounts),
            "deliveries": state.deliveries,
        }
    report = {
        "data": state.source,
        "index": None if state.token is None else state.token.address,
        "indices": {str(t.symbol()): t.address for t in tokens},
        "steps": [
            {
                "name": s.name,
                "ok": s.ok,
                "checks": s.checks,
                "transactions": s.txs,
                "nav_usd": s.nav,
                "pool_price_usd": s.pool_price,
                "coverage_min": s.coverage,
                "notes": s.notes,
            }
            for s in steps
        ],
        "failure": failure,
        "final": final,
        "solvency": solvency_rows,
        "lifecycle": versions,
        "custody_chain": custody,
        "ok": ok and coverage_ok and all(r.covered for r in sums),
    }
    (state.out / "demo-report.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(steps, state.out / "demo.png", state.source)
    return report


def render(state: DemoState, report: dict[str, Any], console: Console) -> None:
    """The steps, every asset's reserves against what all indices owe, and the versions."""
    table = Table(title=f"ssikit demo ({state.source})")
    for column in ("step", "ok", "txs", "gas", "notes"):
        table.add_column(column)
    for s in state.rec.steps:
        table.add_row(
            s.name,
            "yes" if s.ok else "NO",
            str(len(s.txs)),
            f"{sum(t['gas'] for t in s.txs):,}",
            "; ".join(s.notes)[:90],
        )
    console.print(table)
    if report["failure"]:
        console.print(f"[red]{report['failure']}[/red]")
    sums_table = Table(title="every asset: reserves against what all indices owe")
    for column in ("asset", "indices", "reserves", "liabilities", "ratio"):
        sums_table.add_column(column)
    for row in report["solvency"]:
        sums_table.add_row(
            str(row["symbol"]),
            " ".join(row["indices"]),
            row["reserves"],
            row["liabilities"],
            "-" if row["ratio"] is None else f"{row['ratio']:.6f}",
        )
    console.print(sums_table)
    versions_table = Table(title="each index: the issuer and oracle versions it uses")
    for column in ("index", "issuer", "version", "oracle", "deprecated", "pending moves"):
        versions_table.add_column(column)
    for symbol, v in report["lifecycle"].items():
        pending = [k for k, move in v["pending_moves"].items() if move is not None]
        versions_table.add_row(
            symbol,
            v["issuer"],
            v["issuer_version"],
            v["oracle_version"],
            "yes" if v["deprecated"] else "no",
            ", ".join(pending) or "none",
        )
    console.print(versions_table)


def plot(steps: list[Step], path: Path, source: str) -> None:
    """NAV against the pool price, step by step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    xs = list(range(len(steps)))
    ax.plot(xs, [s.nav for s in steps], marker="o", label="NAV per token")
    pool = [(x, s.pool_price) for x, s in zip(xs, steps, strict=True) if s.pool_price is not None]
    ax.plot([x for x, _ in pool], [p for _, p in pool], marker="s", label="Uniswap pool price")
    ax.set_xticks(xs, [s.name for s in steps], rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("USD per token")
    ax.set_title(f"ssikit demo: NAV vs pool price ({source})")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
