"""``ssikit index``: the index compiler's commands."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from .context import emit


def _spec(value: str):
    from ..methodology.spec import IndexSpec, preset

    path = Path(value)
    return (
        IndexSpec.load(path)
        if path.suffix in (".yaml", ".yml") and path.exists()
        else preset(value)
    )


@click.group()
def index() -> None:
    """Compose indices from the methodology."""


@index.command()
@click.option(
    "--spec",
    "spec_name",
    required=True,
    help="preset (MAG7, DEFI, MEME, ssiLayer1...) or YAML file",
)
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="canonical market table (.csv, .csv.gz, .parquet)",
)
@click.option("--date", "on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    help="the previous announcement (JSON), for the buffers",
)
@click.option("--json", "as_json", is_flag=True)
def compose(spec_name: str, data_path: Path, on, previous: Path | None, as_json: bool) -> None:
    """The announcement for the rebalance that follows DATE."""
    from ..methodology.compose import compose as run
    from ..methodology.data import MarketDataError, load_market_data

    try:
        spec = _spec(spec_name)
        frame = load_market_data(data_path)
    except (KeyError, MarketDataError) as err:
        raise click.ClickException(str(err)) from err
    incumbents = []
    if previous is not None:
        incumbents = [c["asset_id"] for c in json.loads(previous.read_text())["constituents"]]
    announcement = run(
        frame, spec, on.date() if hasattr(on, "date") else date.fromisoformat(on), incumbents
    )
    data = announcement.model_dump(mode="json")
    rows = [
        {
            "symbol": c.symbol,
            "rank": c.rank,
            "weight": f"{c.weight:.4%}",
            "action": c.action,
            "reason": c.reason,
        }
        for c in announcement.constituents
    ]
    if as_json:
        emit(True, data)
    else:
        title = (
            f"{spec.ticker}: announced {announcement.announcement_date}, "
            f"effective {announcement.implementation_date} ({announcement.eligible_count} eligible)"
        )
        emit(False, data, title=title, rows=rows)
