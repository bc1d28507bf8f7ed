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
    from rich.console import Console

    from ..methodology.data import MarketDataError, save_market_data
    from ..methodology.importers import IMPORTERS

    try:
        if as_json:
            frame = IMPORTERS[fmt](src)
        else:
            with Console(stderr=True).status(f"importing {src} ({fmt})"):
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


@data.command("fetch")
@click.option("--coins", required=True, help="CoinGecko ids, comma-separated")
@click.option("--start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--end", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help=".parquet, .csv or .csv.gz",
)
@click.option("--base-url", default=None, help="API root (default: public or Pro API)")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="response cache (default ~/.cache/ssikit/coingecko)",
)
@click.option("--min-interval", type=float, default=2.5, show_default=True, help="seconds")
@click.option("--json", "as_json", is_flag=True)
def fetch(
    coins: str,
    start,
    end,
    output: Path,
    base_url: str | None,
    cache_dir: Path | None,
    min_interval: float,
    as_json: bool,
) -> None:
    """Daily price, market cap and volume of COINS from CoinGecko into a canonical table.
    A Pro API key is read from $COINGECKO_API_KEY (never from the command line)."""
    from rich.console import Console
    from rich.progress import Progress

    from ..clients.coingecko import DEFAULT_CACHE, CoinGeckoClient, CoinGeckoError
    from ..methodology.data import MarketDataError, save_market_data
    from ..methodology.sectors import attach_sectors

    ids = [c.strip() for c in coins.split(",") if c.strip()]
    client = CoinGeckoClient(
        base_url, cache_dir=cache_dir or DEFAULT_CACHE, min_interval=min_interval
    )
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as progress:
        task = progress.add_task("CoinGecko", total=len(ids))
        try:
            frame = client.fetch(
                ids, start.date(), end.date(), on_coin=lambda _: progress.advance(task)
            )
        except (CoinGeckoError, MarketDataError) as err:
            raise click.ClickException(str(err)) from err
    frame = attach_sectors(frame)
    save_market_data(frame, output)
    emit(
        as_json,
        {
            "output": str(output),
            "rows": len(frame),
            "assets": int(frame["asset_id"].nunique()),
            "requests_sent": client.requests_sent,
        },
    )
