"""``ssikit dev``: helpers for a local chain only (never on a live network)."""

from __future__ import annotations

import click

from .context import chain_command


@click.group()
def dev() -> None:
    """Local-chain helpers for demos and walkthroughs."""


@chain_command(dev, deployment=False)
@click.argument("seconds", type=click.IntRange(min=1))
def advance(cli_ctx, seconds: int) -> None:
    """Mine a block SECONDS later than the latest (e.g. to reach a rebalance's activation)."""
    from ape import chain

    from ..chain.accounts import is_local_network

    if not is_local_network():
        raise click.UsageError("`ssikit dev advance` only runs on a local chain")
    chain.mine(1, timestamp=chain.blocks.head.timestamp + seconds)
    cli_ctx.emit({"timestamp": chain.blocks.head.timestamp, "block": chain.blocks.head.number})
