"""``ssikit dev``: helpers for a local chain only (never on a live network)."""

from __future__ import annotations

import click

from .context import LOCAL_NETWORK, connected, emit


@click.group()
def dev() -> None:
    """Local-chain helpers for demos and walkthroughs."""


@dev.command()
@click.argument("seconds", type=click.IntRange(min=1))
@click.option("--network", default=LOCAL_NETWORK, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def advance(seconds: int, network: str, as_json: bool) -> None:
    """Mine a block SECONDS later than the latest (e.g. to reach a rebalance's activation)."""
    from ..chain.accounts import is_local_network

    with connected(network, quiet=as_json):
        from ape import chain

        if not is_local_network():
            raise click.UsageError("`ssikit dev advance` only runs on a local chain")
        chain.mine(1, timestamp=chain.blocks.head.timestamp + seconds)
        emit(as_json, {"timestamp": chain.blocks.head.timestamp, "block": chain.blocks.head.number})
