"""``ssikit indexer run|status``: the event indexer over the recorded deployment."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..core.errors import SsikitError
from .context import NETWORK_OPTION, REGISTRY_OPTION, connected, emit


def _options(function: Any) -> Any:
    options = [
        NETWORK_OPTION,
        REGISTRY_OPTION,
        click.option(
            "--db",
            "url",
            envvar="SSIKIT_DB",
            default=None,
            help="SQLAlchemy URL, e.g. postgresql+psycopg://... [default: the embedded "
            "SQLite file the services read, $SSIKIT_HOME/index-<chain id>-<issuer>.sqlite]",
        ),
        click.option(
            "--confirmations",
            type=click.IntRange(min=0),
            default=None,
            help="blocks to stay behind the head [default: 0 on a local chain, else 12]",
        ),
        click.option("--json", "as_json", is_flag=True, help="machine-readable output"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _open(network: str, registry: Path, url: str | None, **options: Any) -> Any:
    from ape import chain

    from ..chain.indexed import open_indexer

    try:
        return open_indexer(chain.provider.web3, registry, url, **options)
    except SsikitError as err:
        raise click.ClickException(str(err)) from err


@click.group()
def indexer() -> None:
    """Index the protocol's events into SQLite or PostgreSQL."""


@indexer.command()
@_options
@click.option("--page-size", type=click.IntRange(min=1), default=2_000, show_default=True)
@click.option(
    "--reorg-window",
    type=click.IntRange(min=1),
    default=1_000,
    show_default=True,
    help="blocks below the cursor whose hashes are kept to rewind a reorg",
)
@click.option("--follow/--once", default=False, help="keep following new blocks, or stop at head")
@click.option("--interval", type=float, default=2.0, show_default=True, help="seconds (--follow)")
def run(
    network: str,
    registry: Path,
    url: str | None,
    confirmations: int | None,
    as_json: bool,
    page_size: int,
    reorg_window: int,
    follow: bool,
    interval: float,
) -> None:
    """Catch up from the cursor to the head (less confirmations); with --follow, keep going."""
    with connected(network, quiet=as_json):
        idx = _open(
            network,
            registry,
            url,
            page_size=page_size,
            confirmations=confirmations,
            reorg_window=reorg_window,
        )
        try:
            while True:
                result = _sync(idx, as_json)
                if as_json:
                    emit(True, result.as_dict())
                else:
                    Console().print(
                        f"indexed to block {result.cursor} (head {result.head}): "
                        f"{result.events} events in {result.pages} pages"
                        + "".join(
                            f"; reorg: rewound {r.depth} blocks to {r.ancestor}"
                            for r in result.reorgs
                        )
                    )
                if not follow:
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
        finally:
            idx.close()


def _sync(idx: Any, as_json: bool) -> Any:
    """One sync, with a progress bar on stderr during catch-up (not with --json)."""
    if as_json:
        return _one_line(lambda: idx.sync())
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]indexing[/] blocks"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("sync", total=None)

        def on_page(page: Any) -> None:
            progress.update(
                task,
                total=max(page.target - page.start + 1, 1),
                completed=page.to_block - page.start + 1,
            )

        return _one_line(lambda: idx.sync(on_page=on_page))


def _one_line(call: Any) -> Any:
    try:
        return call()
    except SsikitError as err:
        raise click.ClickException(str(err)) from err


@indexer.command()
@_options
def status(
    network: str, registry: Path, url: str | None, confirmations: int | None, as_json: bool
) -> None:
    """Where the index stands: its cursor, the head, the events and requests it holds."""
    with connected(network, quiet=as_json):
        idx = _open(network, registry, url, confirmations=confirmations)
        try:
            data = idx.status().as_dict()
        finally:
            idx.close()
        emit(as_json, data, rows=[{k: v for k, v in data.items() if k != "requests"}])
