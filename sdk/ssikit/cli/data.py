"""``ssikit data``: market data in the canonical table."""

from __future__ import annotations

from pathlib import Path

import click

from .context import emit


@click.group()
def data() -> None:
    """Import and check market data."""


@data.command("import")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["coingecko-2021", "coingecko-48", "cmc-monthly"]),
)
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help=".parquet, .csv or .csv.gz",
)
@click.option("--json", "as_json", is_flag=True)
def import_command(fmt: str, src: Path, output: Path, as_json: bool) -> None:
    """Convert the real data set at SRC to the canonical table (validated) at OUTPUT."""
    from ..methodology.data import MarketDataError, save_market_data
    from ..methodology.importers import IMPORTERS

    try:
        frame = IMPORTERS[fmt](src)
    except MarketDataError as err:
        raise click.ClickException(str(err)) from err
    save_market_data(frame, output)
    summary = {
        "format": fmt,
        "output": str(output),
        "rows": len(frame),
        "assets": int(frame["asset_id"].nunique()),
        "first_date": frame["date"].min().date().isoformat(),
        "last_date": frame["date"].max().date().isoformat(),
        "stablecoins": int(frame.loc[frame["is_stablecoin"], "asset_id"].nunique()),
        "derivatives": int(frame.loc[frame["is_derivative"], "asset_id"].nunique()),
        "vendor_values_cleaned": int(frame.attrs.get("cleaned", 0)),
    }
    emit(as_json, summary)


@data.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def check(path: Path, as_json: bool) -> None:
    """Validate a canonical table; exits 1 naming the file, row and column of the first error."""
    from ..methodology.data import MarketDataError, load_market_data

    try:
        frame = load_market_data(path)
    except MarketDataError as err:
        raise click.ClickException(str(err)) from err
    emit(
        as_json, {"path": str(path), "rows": len(frame), "assets": int(frame["asset_id"].nunique())}
    )
