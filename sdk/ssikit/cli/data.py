"""``ssikit data``: market data in the canonical table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    identity = frame.attrs.get("identity")
    if identity is not None:  # the counts here; every listing with --json
        summary["identity"] = (
            identity.model_dump()
            if as_json
            else {k: getattr(identity, k) for k in ("resolved",)}
            | {"unknown": len(identity.unknown), "ambiguous": len(identity.ambiguous)}
        )
    emit(as_json, summary)
    if identity is not None and not as_json:
        for listing, candidates in identity.ambiguous.items():
            click.echo(f"ambiguous: {listing} could be {' or '.join(candidates)}; kept apart")


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


# ---------------------------------------------------------------- sectors from a taxonomy


def _store_option(function: Any) -> Any:
    return click.option(
        "--store",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="snapshot folder (default $SSIKIT_TAXONOMY_DIR or ~/.local/share/ssikit/taxonomy)",
    )(function)


def _store(folder: Path | None) -> Any:
    from ..methodology.taxonomy import TaxonomyStore

    return TaxonomyStore(folder) if folder is not None else TaxonomyStore()


@data.group()
def sectors() -> None:
    """Sectors from the vendor's taxonomy: fetch a snapshot, show it, diff two."""


def _print_changes(changes: list[Any], title: str, as_json: bool, extra: dict[str, Any]) -> None:
    from rich.console import Console

    payload = {**extra, "changes": [c.model_dump() for c in changes]}
    if as_json:
        emit(True, payload)
        return
    rows = [
        {
            "asset": c.asset_id,
            "symbol": c.symbol,
            "before": c.before or "-",
            "after": c.after or "-",
            "decided by": c.source,
            "why": c.why,
        }
        for c in changes
    ]
    if rows:
        emit(False, payload, title=title, rows=rows)
    else:
        Console().print(f"{title}: no sector changes")


@sectors.command("fetch")
@_store_option
@click.option("--base-url", default=None, help="API root (default: public or Pro API)")
@click.option("--max-pages", type=int, default=4, show_default=True, help="250 coins a page")
@click.option("--min-interval", type=float, default=2.5, show_default=True, help="seconds")
@click.option("--json", "as_json", is_flag=True)
def sectors_fetch(
    store: Path | None, base_url: str | None, max_pages: int, min_interval: float, as_json: bool
) -> None:
    """Fetch the mapped categories and their members into a new snapshot; show what changed
    since the last one."""
    from rich.console import Console
    from rich.progress import Progress

    from ..clients.coingecko import CoinGeckoClient, CoinGeckoError
    from ..core.errors import SsikitError
    from ..methodology.taxonomy import Classifier, diff, fetch_taxonomy, load_mapping

    folder = _store(store)
    try:
        mapping = load_mapping()
        known = folder.snapshots()
        client = CoinGeckoClient(base_url, cache_dir=None, min_interval=min_interval)
        wanted = len(mapping.sector_of_category)
        with Progress(console=Console(stderr=True), transient=True, disable=as_json) as progress:
            task = progress.add_task("CoinGecko categories", total=wanted)
            snapshot = fetch_taxonomy(
                client, mapping, max_pages=max_pages, on_category=lambda _: progress.advance(task)
            )
    except (CoinGeckoError, SsikitError) as err:
        raise click.ClickException(str(err)) from err
    path = folder.save(snapshot)
    summary = {
        "snapshot": snapshot.id,
        "file": str(path),
        "mapping_version": snapshot.mapping_version,
        "categories": len(snapshot.categories),
        "assets": len(snapshot.categories_by_asset),
        "not_offered": snapshot.not_offered,
        "requests_sent": client.requests_sent,
        "previous": known[-1].id if known else None,
    }
    changes = diff(Classifier(snapshot=known[-1]), Classifier(snapshot=snapshot)) if known else []
    if not as_json:
        console = Console()
        console.print(
            f"snapshot {snapshot.id}: {summary['categories']} categories, {summary['assets']} "
            f"assets (mapping {snapshot.mapping_version}); saved to {path}"
        )
        if snapshot.not_offered:
            console.print(
                f"note: mapped but not offered by the vendor: {', '.join(snapshot.not_offered)}"
            )
        if known:
            _print_changes(changes, f"sector changes since {known[-1].id}", False, {})
        return
    _print_changes(changes, "", True, summary)


def _snapshot(store: Path | None, ref: str) -> Any:
    from ..core.errors import SsikitError

    try:
        return _store(store).load(ref)
    except SsikitError as err:
        raise click.ClickException(str(err)) from err


@sectors.command("show")
@click.argument("snapshot", default="latest")
@_store_option
@click.option("--sector", "only", default=None, help="list this sector's assets")
@click.option("--json", "as_json", is_flag=True)
def sectors_show(snapshot: str, store: Path | None, only: str | None, as_json: bool) -> None:
    """The classification a SNAPSHOT (file, id or 'latest') gives, sector by sector."""
    from ..methodology.spec import SECTORS
    from ..methodology.taxonomy import Classifier

    if only is not None and only not in SECTORS:
        raise click.BadParameter(
            f"{only!r}; the 12 are {', '.join(SECTORS)}", param_hint="--sector"
        )
    classifier = Classifier(snapshot=_snapshot(store, snapshot))
    decisions = {a: classifier.decide(a, classifier.symbol_of(a)) for a in classifier.assets()}
    record = classifier.record.model_dump()
    if only is None:
        counts = {s: sum(d.sector == s for d in decisions.values()) for s in SECTORS}
        by_source = {
            s: sum(d.source == s for d in decisions.values())
            for s in ("override", "taxonomy", "baseline", "none")
        }
        rows = [{"sector": s, "assets": n} for s, n in counts.items()]
        payload = {**record, "sectors": counts, "decided_by": by_source}
        emit(as_json, payload, title=str(record["taxonomy_snapshot"]), rows=rows)
        return
    members = [
        {"asset": a, "symbol": classifier.symbol_of(a), "decided by": d.source, "why": d.detail}
        for a, d in decisions.items()
        if d.sector == only
    ]
    emit(as_json, {**record, "sector": only, "assets": members}, title=f"{only}", rows=members)


@sectors.command("diff")
@click.argument("old", default="previous")
@click.argument("new", default="latest")
@_store_option
@click.option("--json", "as_json", is_flag=True)
def sectors_diff(old: str, new: str, store: Path | None, as_json: bool) -> None:
    """The assets whose sector changes from snapshot OLD to NEW (default: the last two), and why;
    review them before an announcement."""
    from ..methodology.taxonomy import Classifier, diff

    before, after = _snapshot(store, old), _snapshot(store, new)
    changes = diff(Classifier(snapshot=before), Classifier(snapshot=after))
    _print_changes(
        changes, f"{before.id} -> {after.id}", as_json, {"old": before.id, "new": after.id}
    )
