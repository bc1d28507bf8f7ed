"""``ssikit lifecycle``: an index's issuer and oracle versions, their two-step moves, and
deprecation (the admin's commands; `status` is for anyone)."""

from __future__ import annotations

from typing import Any

import click

from ..chain.accounts import LocalRole
from ..core.lifecycle import VersionKind
from .context import ChainContext, chain_command

KIND = click.Choice([k.name.lower() for k in VersionKind])


def _client(cli_ctx: ChainContext) -> Any:
    from ..chain.lifecycle import LifecycleClient

    return LifecycleClient(cli_ctx.protocol(), cli_ctx.sender)


def _show(cli_ctx: ChainContext, result: dict[str, Any], title: str) -> None:
    cli_ctx.emit(result, title=title, rows=[{k: str(v) for k, v in result.items()}])


@click.group()
def lifecycle() -> None:
    """Which issuer and oracle an index uses, moves to new versions, deprecation."""


def _admin_command(name: str | None = None) -> Any:
    """A lifecycle command (the deployer, test account 0, on a local chain by default)."""
    return chain_command(lifecycle, name, role=LocalRole.DEPLOYER)


@_admin_command()
@click.argument("index")
def status(cli_ctx, index):
    """INDEX's issuer and oracle (with their registry labels), pending moves, deprecation."""
    _show(cli_ctx, _client(cli_ctx).status(index), "lifecycle")


@_admin_command()
@click.argument("index")
@click.argument("kind", type=KIND)
@click.argument("target")
def signal(cli_ctx, index, kind, target):
    """Signal that INDEX's KIND (issuer or oracle) moves to TARGET, a listed version; it can be
    executed MOVE_DELAY (31 days) later. Admin only."""
    kind = VersionKind.parse(kind)
    _show(cli_ctx, _client(cli_ctx).signal(index, kind, target), "signalled")


@_admin_command()
@click.argument("index")
@click.argument("kind", type=KIND)
def execute(cli_ctx, index, kind):
    """Execute INDEX's pending move of KIND once its delay is over (anyone)."""
    _show(cli_ctx, _client(cli_ctx).execute(index, VersionKind.parse(kind)), "executed")


@_admin_command()
@click.argument("index")
@click.argument("kind", type=KIND)
def cancel(cli_ctx, index, kind):
    """Cancel INDEX's pending move of KIND. Admin only."""
    _show(cli_ctx, _client(cli_ctx).cancel(index, VersionKind.parse(kind)), "cancelled")


@_admin_command()
@click.argument("index")
@click.option("--yes", is_flag=True, help="confirm: deprecation stops minting for good")
def deprecate(cli_ctx, index, yes):
    """Stop minting INDEX for good (redemption stays open). Admin only; needs --yes."""
    if not yes:
        raise click.UsageError("deprecation cannot be undone: add --yes")
    _show(cli_ctx, _client(cli_ctx).deprecate(index), "deprecated")
