"""``ssikit``: the toolkit's command line. Every command takes ``--json`` for machine output."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console

from .. import __version__
from ..core.assets import MAG7_ASSETS, asset_id
from ..core.errors import SsikitError
from ..math.fees import annual_rate, per_second_rate
from .custodian import custodian
from .custody import custody
from .data import data
from .dev import dev
from .index import index
from .indexer import indexer
from .lifecycle import lifecycle
from .rebalance import rebalance
from .wlp import wlp


def _emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        Console().print(text)


@click.group()
@click.version_option(__version__, prog_name="ssikit")
def cli() -> None:
    """ssikit: on-chain crypto index tokens (contracts + SDK)."""


@cli.command("fee-rate")
@click.argument("annual")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def fee_rate(annual: str, as_json: bool) -> None:
    """Per-second fee rate {RAY} for an ANNUAL fee fraction (e.g. 0.0095 for 0.95%)."""
    try:
        rate = per_second_rate(annual)
    except SsikitError as err:
        raise click.BadParameter(str(err), param_hint="ANNUAL") from err
    effective = annual_rate(rate)
    _emit(
        as_json,
        {"annual": annual, "rate_per_second_ray": rate, "effective_annual": str(effective)},
        f"{rate} RAY per second (effective {float(effective) * 100:.6f}% a year)",
    )


@cli.command("asset-id")
@click.argument("chain")
@click.argument("identity")
@click.option("--json", "as_json", is_flag=True)
def asset_id_command(chain: str, identity: str, as_json: bool) -> None:
    """The bytes32 id of the asset IDENTITY on CHAIN: keccak256(abi.encode(chain, identity))."""
    try:
        value = "0x" + asset_id(chain, identity).hex()
    except SsikitError as err:
        raise click.BadParameter(str(err)) from err
    _emit(as_json, {"chain": chain, "identity": identity, "asset_id": value}, value)


@cli.command("assets")
@click.option("--json", "as_json", is_flag=True)
def assets(as_json: bool) -> None:
    """The built-in MAG7 assets and their ids."""
    rows = [{**a.model_dump(), "asset_id": a.id_hex} for a in MAG7_ASSETS]
    text = "\n".join(
        f"{r['symbol']:5} {r['chain']:10} {r['decimals']:3} {r['asset_id']}" for r in rows
    )
    _emit(as_json, {"assets": rows}, text)


cli.add_command(wlp)
cli.add_command(custodian)
cli.add_command(custody)
cli.add_command(data)
cli.add_command(index)
cli.add_command(rebalance)
cli.add_command(lifecycle)
cli.add_command(dev)
cli.add_command(indexer)
