"""``ssikit index``: the index compiler's commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .context import emit

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _spec(value: str) -> Any:
    from ..methodology.spec import IndexSpec, preset

    path = Path(value)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return IndexSpec.load(path)
    return preset(value)


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def market_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--spec, --data (default: the synthetic market), --sectors, --taxonomy, --carry-forward,
    --json."""
    options = [
        click.option(
            "--spec",
            "spec_name",
            required=True,
            help="preset (MAG7, DEFI, MEME, ssiLayer1...) or YAML file",
        ),
        click.option(
            "--data",
            "data_path",
            type=click.Path(exists=True, path_type=Path),
            help="canonical market table (.csv, .csv.gz, .parquet); "
            "default: the SYNTHETIC market (generated, not real data)",
        ),
        click.option(
            "--sectors",
            "sectors_path",
            type=click.Path(exists=True, path_type=Path),
            help="sector mapping (YAML or CSV) for data without a sector column",
        ),
        click.option(
            "--taxonomy",
            "taxonomy_ref",
            help="sectors from a vendor taxonomy snapshot (a file, an id in the store, or "
            "'latest'; see `ssikit data sectors`), the project's overrides on top",
        ),
        click.option(
            "--carry-forward",
            is_flag=True,
            help="where the data has a gap, use the latest observation before it (said in "
            "every output); default: a gap is an error naming it",
        ),
        click.option("--json", "as_json", is_flag=True, help="machine-readable output"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def load_inputs(
    spec_name: str,
    data_path: Path | None,
    sectors_path: Path | None,
    taxonomy_ref: str | None = None,
) -> Any:
    """(spec, market table) or a ClickException naming what is wrong. Sectors: the data's own
    column, else the project's overrides on the curated baseline; ``--taxonomy`` puts a vendor
    snapshot between the two; ``--sectors FILE`` replaces them all."""
    from ..core.errors import SsikitError
    from ..methodology.data import load_market_data
    from ..methodology.sectors import attach_sectors, load_sector_map
    from ..methodology.taxonomy import Classifier, TaxonomyStore
    from ..presets.synthetic import synthetic_market

    if sectors_path is not None and taxonomy_ref is not None:
        raise click.UsageError("give --sectors or --taxonomy, not both")
    try:
        spec = _spec(spec_name)
        frame = synthetic_market() if data_path is None else load_market_data(data_path)
        source = frame.attrs.get("source", "")
        if sectors_path is not None:
            frame = attach_sectors(frame, load_sector_map(sectors_path), override=True)
        elif taxonomy_ref is not None:
            snapshot = TaxonomyStore().load(taxonomy_ref)
            frame = attach_sectors(frame, Classifier(snapshot=snapshot), override=True)
        else:
            frame = attach_sectors(frame)
        frame.attrs["source"] = source
    except (KeyError, SsikitError) as err:
        raise click.ClickException(str(err)) from err
    return spec, frame


@click.group()
def index() -> None:
    """Compose indices from the methodology and backtest them."""


@index.command()
@market_options
@click.option("--date", "on", required=True, type=DATE, help="compose the rebalance after this")
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    help="the previous announcement (JSON), for the buffers",
)
def compose(
    spec_name: str,
    data_path: Path | None,
    sectors_path: Path | None,
    taxonomy_ref: str | None,
    carry_forward: bool,
    as_json: bool,
    on: datetime,
    previous: Path | None,
) -> None:
    """The announcement for the rebalance that follows DATE."""
    from ..core.errors import SsikitError
    from ..methodology.compose import compose as run

    spec, frame = load_inputs(spec_name, data_path, sectors_path, taxonomy_ref)
    incumbents = []
    if previous is not None:
        incumbents = [c["asset_id"] for c in json.loads(previous.read_text())["constituents"]]
    try:
        announcement = run(frame, spec, _day(on), incumbents, carry_forward=carry_forward)
    except SsikitError as err:
        raise click.ClickException(str(err)) from err
    data = announcement.model_dump(mode="json")
    data["data"] = _source_label(frame, data_path)
    if as_json:
        emit(True, data)
        return
    rows = [
        {
            "symbol": c.symbol,
            "rank": c.rank,
            "weight": f"{c.weight:.4%}",
            "cap $M": f"{c.ref_market_cap / 1e6:,.0f}",
            "volume $M/day": f"{c.ref_volume / 1e6:,.1f}",
            "action": c.action,
            "reason": c.reason,
        }
        for c in announcement.constituents
    ]
    rows += [
        {
            "symbol": r.symbol or r.asset_id,
            "rank": r.rank or "-",
            "weight": "-",
            "cap $M": "-",
            "volume $M/day": "-",
            "action": "remove",
            "reason": r.reason,
        }
        for r in announcement.removed
    ]
    title = (
        f"{spec.ticker}: reference {announcement.reference_date}, announced "
        f"{announcement.announcement_date}, effective {announcement.implementation_date} "
        f"({announcement.eligible_count} eligible; data: {data['data']})"
    )
    emit(False, data, title=title, rows=rows)
    counts: dict[str, int] = {}
    for rule in announcement.excluded.values():
        counts[rule] = counts.get(rule, 0) + 1
    console = Console()
    console.print("excluded by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for note in announcement.notes:
        console.print(f"note: {note}")


def _source_label(frame: Any, data_path: Path | None) -> str:
    from ..presets.synthetic import SYNTHETIC_LABEL

    return SYNTHETIC_LABEL if frame.attrs.get("source") == "synthetic" else str(data_path)


@index.command()
@market_options
@click.option("--start", required=True, type=DATE, help="first announcement on or after this")
@click.option("--end", required=True, type=DATE, help="last day of levels")
@click.option("--plot", type=click.Path(path_type=Path), help="write a PNG of index vs BTC")
@click.option("--benchmark", default="BTC", show_default=True, help="ticker to compare with")
def backtest(
    spec_name: str,
    data_path: Path | None,
    sectors_path: Path | None,
    taxonomy_ref: str | None,
    carry_forward: bool,
    as_json: bool,
    start: datetime,
    end: datetime,
    plot: Path | None,
    benchmark: str,
) -> None:
    """Every rebalance from START to END, the daily levels and statistics against BTC."""
    from ..core.errors import SsikitError
    from ..methodology.backtest import backtest as run
    from ..methodology.backtest import plot as draw
    from ..methodology.calendar import schedule
    from ..methodology.eligibility import panel_of

    spec, frame = load_inputs(spec_name, data_path, sectors_path, taxonomy_ref)
    first, last = _day(start), _day(end)
    steps = len(schedule(first, last)) + 1  # the initial composition and every month
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=as_json,
    ) as progress:
        task = progress.add_task(f"{spec.ticker}: rebalances", total=steps)
        try:
            result = run(
                panel_of(frame),
                spec,
                first,
                last,
                benchmark=benchmark,
                on_rebalance=lambda _: progress.advance(task),
                carry_forward=carry_forward,
            )
        except SsikitError as err:
            raise click.ClickException(str(err)) from err
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        draw(result, str(plot))
    data = result.to_json()
    data["data"] = _source_label(frame, data_path)
    data["plot"] = str(plot) if plot else None
    if as_json:
        emit(True, data)
        return
    console = Console()
    rows = [
        {
            "announced": a.announcement_date,
            "effective": a.implementation_date,
            "constituents": " ".join(c.symbol for c in a.constituents),
            "added": " ".join(c.symbol for c in a.constituents if c.action == "add") or "-",
            "removed": " ".join(r.symbol or r.asset_id for r in a.removed) or "-",
        }
        for a in result.announcements
    ]
    emit(False, data, title=f"{spec.name}: rebalances ({data['data']})", rows=rows)
    stats = [("index", result.stats)]
    if result.benchmark_stats is not None:
        stats.append((f"{result.benchmark_id}", result.benchmark_stats))
    emit(
        False,
        data,
        title=f"{result.stats.start} to {result.stats.end}",
        rows=[
            {
                "series": name,
                "total return": f"{s.total_return:+.2%}",
                "annualised": f"{s.annualised_return:+.2%}",
                "volatility": f"{s.volatility:.2%}",
                "max drawdown": f"{s.max_drawdown:.2%}",
            }
            for name, s in stats
        ],
    )
    level = result.levels.dropna()
    console.print(f"level: {level.iloc[0]:.4f} on {level.index[0].date()} -> {level.iloc[-1]:.4f}")
    for note in result.notes:
        console.print(f"note: {note}")
    if plot is not None:
        console.print(f"plot: {plot}")


@index.command()
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="canonical market tables, tried in this order for each window",
)
@click.option("--json", "as_json", is_flag=True)
def published(data_paths: tuple[Path, ...], as_json: bool) -> None:
    """The seed's published MAG7 prototype figures next to this project's backtests on the same
    windows (the article gives no dates: calendar years are used)."""
    from ..core.errors import SsikitError
    from ..methodology.data import load_market_data
    from ..methodology.published import compare

    try:
        sets = [(str(p), load_market_data(p)) for p in data_paths]
    except SsikitError as err:
        raise click.ClickException(str(err)) from err
    results = compare(sets)
    data = [r.model_dump(mode="json") for r in results]

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:+.1%}"

    rows = [
        {
            "figure": r.figure.label,
            "window used": f"{r.figure.start} to {r.figure.end}",
            "published MAG7": pct(r.figure.index_return),
            "ours": pct(r.index_return),
            "published BTC": pct(r.figure.btc_return),
            "ours BTC": pct(r.btc_return),
            "data": (r.data or "none covers it") + (" (monthly)" if r.sparse else ""),
        }
        for r in results
    ]
    emit(as_json, data, title="MAG7.ssi prototype: published vs this project", rows=rows)
    if not as_json:
        for r in results:
            if r.reason:
                Console().print(f"note: {r.figure.label}: {r.reason}")
