"""``ssikit lifecycle``: an index's issuer and oracle versions, their two-step moves, and
deprecation (the admin's commands; `status` is for anyone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..core.lifecycle import VersionKind
from .context import chain_options, connected, emit, one_line, signer

KIND = click.Choice([k.name.lower() for k in VersionKind])


def _client(registry: Path, alias: str | None, test_account: int, db: str | None) -> Any:
    from ..chain.lifecycle import LifecycleClient
    from ..chain.protocol import load_protocol

    return LifecycleClient(load_protocol(registry, db), signer(alias, test_account))


def _act(network: str, as_json: bool, act: Any, title: str, *client_args: Any) -> None:
    with connected(network, quiet=as_json):
        result = one_line(lambda: act(_client(*client_args)))
        emit(as_json, result, title=title, rows=[{k: str(v) for k, v in result.items()}])


@click.group()
def lifecycle() -> None:
    """Which issuer and oracle an index uses, moves to new versions, deprecation."""


@lifecycle.command()
@click.argument("index")
@chain_options(default_test_account=0)
def status(index, network, alias, test_account, registry, db, as_json):
    """INDEX's issuer and oracle (with their registry labels), pending moves, deprecation."""
    _act(
        network, as_json, lambda c: c.status(index), "lifecycle", registry, alias, test_account, db
    )


@lifecycle.command()
@click.argument("index")
@click.argument("kind", type=KIND)
@click.argument("target")
@chain_options(default_test_account=0)
def signal(index, kind, target, network, alias, test_account, registry, db, as_json):
    """Signal that INDEX's KIND (issuer or oracle) moves to TARGET, a listed version; it can be
    executed MOVE_DELAY (31 days) later. Admin only."""
    k = VersionKind.parse(kind)
    _act(network, as_json, lambda c: c.signal(index, k, target), "signalled", registry, alias,
         test_account, db)  # fmt: skip


@lifecycle.command()
@click.argument("index")
@click.argument("kind", type=KIND)
@chain_options(default_test_account=0)
def execute(index, kind, network, alias, test_account, registry, db, as_json):
    """Execute INDEX's pending move of KIND once its delay is over (anyone)."""
    k = VersionKind.parse(kind)
    _act(network, as_json, lambda c: c.execute(index, k), "executed", registry, alias,
         test_account, db)  # fmt: skip


@lifecycle.command()
@click.argument("index")
@click.argument("kind", type=KIND)
@chain_options(default_test_account=0)
def cancel(index, kind, network, alias, test_account, registry, db, as_json):
    """Cancel INDEX's pending move of KIND. Admin only."""
    k = VersionKind.parse(kind)
    _act(network, as_json, lambda c: c.cancel(index, k), "cancelled", registry, alias,
         test_account, db)  # fmt: skip


@lifecycle.command()
@click.argument("index")
@click.option("--yes", is_flag=True, help="confirm: deprecation stops minting for good")
@chain_options(default_test_account=0)
def deprecate(index, yes, network, alias, test_account, registry, db, as_json):
    """Stop minting INDEX for good (redemption stays open). Admin only; needs --yes."""
    if not yes:
        raise click.UsageError("deprecation cannot be undone: add --yes")
    _act(network, as_json, lambda c: c.deprecate(index), "deprecated", registry, alias,
         test_account, db)  # fmt: skip
