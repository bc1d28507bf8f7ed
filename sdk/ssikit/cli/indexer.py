"""``ssikit indexer run|status``: the event indexer over the recorded deployment."""

from __future__ import annotations

import time
from typing import Any

import click
from rich.console import Console

from .context import ChainContext, chain_command

DB_OPTION = click.option(
    "--db",
    "db",
    envvar="SSIKIT_DB",
    default=None,
    help="SQLAlchemy URL, e.g. postgresql+psycopg://... [default: the embedded "
    "SQLite file the services read, $SSIKIT_HOME/index-<chain id>-<issuer>.sqlite]",
)
CONFIRMATIONS_OPTION = click.option(
    "--confirmations",
    type=click.IntRange(min=0),
    default=None,
    help="blocks to stay behind the head [default: 0 on a local chain, else 12]",
)


def _open(cli_ctx: ChainContext, **options: Any) -> Any:
    from ape import chain

    from ..chain.indexed import open_indexer

    return open_indexer(chain.provider.web3, cli_ctx.registry, cli_ctx.db, **options)


@click.group()
def indexer() -> None:
    """Index the protocol's events into SQLite or PostgreSQL."""


@chain_command(indexer, db_option=DB_OPTION)
@CONFIRMATIONS_OPTION
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
    cli_ctx: ChainContext,
    confirmations: int | None,
    page_size: int,
    reorg_window: int,
    follow: bool,
    interval: float,
) -> None:
    """Catch up from the cursor to the head (less confirmations), a progress bar on stderr
    while a long catch-up runs; with --follow, keep going."""
    idx = _open(
        cli_ctx, page_size=page_size, confirmations=confirmations, reorg_window=reorg_window
    )
    on_page = cli_ctx.progress.on_page if cli_ctx.progress is not None else None
    try:
        while True:
            result = idx.sync(on_page=on_page)
            if cli_ctx.as_json:
                cli_ctx.emit(result.as_dict())
            else:
                Console().print(
                    f"indexed to block {result.cursor} (head {result.head}): "
                    f"{result.events} events in {result.pages} pages"
                    + "".join(
                        f"; reorg: rewound {r.depth} blocks to {r.ancestor}" for r in result.reorgs
                    )
                )
            if not follow:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        idx.close()


@chain_command(indexer, db_option=DB_OPTION)
@CONFIRMATIONS_OPTION
def status(cli_ctx: ChainContext, confirmations: int | None) -> None:
    """Where the index stands: its cursor, the head, the events and requests it holds."""
    idx = _open(cli_ctx, confirmations=confirmations)
    try:
        data = idx.status().as_dict()
    finally:
        idx.close()
    cli_ctx.emit(data, rows=[{k: v for k, v in data.items() if k != "requests"}])
