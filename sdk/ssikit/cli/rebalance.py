"""``ssikit rebalance`` (and ``ape run rebalance``): the index compiler's monthly rebalance."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..chain.accounts import LocalRole
from .context import ChainContext, chain_command


def _client(cli_ctx: ChainContext) -> Any:
    from ..chain.rebalance import CompilerClient

    return CompilerClient(cli_ctx.protocol(), cli_ctx.sender)


@click.group()
def rebalance() -> None:
    """Plan, propose, watch and activate an index's rebalance."""


def _compiler_command(name: str | None = None) -> Any:
    """The index compiler's command (test account 1 on a local chain by default)."""
    return chain_command(rebalance, name, role=LocalRole.INDEX_COMPILER)


@_compiler_command()
@click.argument("index")
@click.option(
    "--announcement",
    "announcement_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="announcement JSON from `ssikit index compose --json` (default: compose it now)",
)
@click.option("--spec", "spec_name", default="MAG7", show_default=True, help="to compose with")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="to compose for")
@click.option(
    "--data",
    "data_path",
    type=click.Path(exists=True, path_type=Path),
    help="market table for composing and prices (default: the SYNTHETIC market)",
)
@click.option(
    "--prices",
    "prices_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON {"BTC": "43000", ...} USD per whole asset (default: from the market data)',
)
@click.option(
    "--feeds",
    "from_feeds",
    is_flag=True,
    help="declare the registry's price feeds now (what the proposal is checked against)",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="write the plan (JSON)")
def plan(
    cli_ctx,
    index,
    announcement_path,
    spec_name,
    on,
    data_path,
    prices_path,
    from_feeds,
    output,
):
    """The new amounts, the custodians' trades and the commitment for INDEX's next rebalance."""
    from ..methodology.compose import Announcement, compose
    from ..methodology.eligibility import panel_of
    from .index import load_inputs

    spec, frame = load_inputs(spec_name, data_path, None)
    panel = panel_of(frame)

    def announced() -> Announcement:
        if announcement_path is not None:
            return Announcement.model_validate_json(announcement_path.read_text())
        if on is not None:
            return compose(panel, spec, on.date())
        raise click.UsageError("give --announcement FILE or --date D (to compose)")

    def planned(announcement: Announcement) -> Any:
        client = _client(cli_ctx)
        token = client.token(index)
        symbols = [c.symbol for c in announcement.constituents]
        stored = token.basketState()[0]
        from ..chain.rebalance import _asset

        symbols += [_asset(client.protocol, bytes(a)).symbol for a, _ in stored]
        prices: dict[str, Decimal] | None
        if from_feeds:
            prices = None
        elif prices_path is not None:
            raw = json.loads(prices_path.read_text())
            prices = {k: Decimal(str(v)) for k, v in raw.items()}
        else:
            found = panel.usd_prices(announcement.implementation_date, sorted(set(symbols)))
            prices = {k: Decimal(str(v)) for k, v in found.items()}
        return client.plan(index, announcement, prices)

    result = planned(announced())
    data = result.model_dump(mode="json")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(data, indent=2))
    if cli_ctx.as_json:
        cli_ctx.emit(data)
        return
    cli_ctx.emit(
        data,
        title=(
            f"{result.index} v{result.from_version} -> v{result.from_version + 1}: turnover "
            f"{result.turnover_bps / 100:.2f}%, {result.changed} replaced, commitment "
            f"{result.commitment[:18]}..."
        ),
        rows=[
            {
                "asset": t.symbol,
                "trade": t.side,
                "amount (whole supply)": t.amount,
                "USD": f"{t.usd:,.2f}",
            }
            for t in result.trades
        ],
    )
    click.echo(
        f"value per token: {result.old_value / 1e18:.6f} -> {result.new_value / 1e18:.6f} USD "
        f"(at the implementation prices); activation "
        f"{datetime.utcfromtimestamp(result.activation_time):%Y-%m-%d %H:%M} UTC"
    )
    if output is not None:
        click.echo(f"plan: {output}")


@chain_command(rebalance, role=LocalRole.DEPLOYER)
@click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="from `ssikit rebalance plan -o`",
)
@click.option("--index", required=True, help="index symbol or address the plan is for")
@click.option("--custodian", "custodians", multiple=True, help="custodian of the new assets")
@click.option("--max-age", default=86_400, show_default=True, help="reserve staleness {s}")
@click.option(
    "--feed",
    "feed_specs",
    multiple=True,
    metavar="SYMBOL=ADDRESS",
    help="a new asset's Chainlink USD feed (local chains: a TestPriceFeed at the plan's price)",
)
@click.option("--feed-max-age", default=86_400, show_default=True, help="feed staleness {s}")
@click.option(
    "--move-local-feeds",
    is_flag=True,
    help="local chains: set the constituents' TestPriceFeeds to the plan's prices",
)
def prepare(
    cli_ctx,
    plan_path,
    index,
    custodians,
    max_age,
    feed_specs,
    feed_max_age,
    move_local_feeds,
):
    """Admin: register the plan's new assets with their price feeds and open the index's
    reserve accounts for them in the oracle (staleness limit, custodians), so the compiler can
    propose and custodians can report them before activation. Idempotent."""
    from ..builders.rebalance import RebalancePlan
    from ..chain.protocol import Deployment

    plan = RebalancePlan.model_validate_json(plan_path.read_text())
    feeds = {}
    for spec in feed_specs:
        symbol, sep, address = spec.partition("=")
        if not sep or not symbol or not address:
            raise click.BadParameter(f"{spec!r} is not SYMBOL=ADDRESS", param_hint="--feed")
        feeds[symbol] = address
    deployment = Deployment(cli_ctx.sender, path=cli_ctx.registry)
    _client(cli_ctx).prepare_assets(
        deployment, index, plan, list(custodians), max_age, feeds, feed_max_age, move_local_feeds
    )
    cli_ctx.emit({"assets": [c["symbol"] for c in plan.document["constituents"]], "done": True})


@_compiler_command()
@click.argument("index")
@click.option(
    "--plan",
    "plan_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="from `ssikit rebalance plan -o`",
)
@click.option("--activation", type=int, help="unix time (default: the plan's, or the earliest)")
def propose(cli_ctx, index, plan_path, activation):
    """Propose the planned basket (replacing a pending proposal explicitly)."""
    from ..builders.rebalance import RebalancePlan

    plan = RebalancePlan.model_validate_json(plan_path.read_text())
    result = _client(cli_ctx).propose(index, plan, activation)
    cli_ctx.emit(result, rows=[result], title="rebalance proposed")


@_compiler_command()
@click.argument("index")
def status(cli_ctx, index):
    """The pending proposal, its time to activation and its reserve coverage."""
    result = _client(cli_ctx).status(index)
    if cli_ctx.as_json or result["pending"] is None:
        cli_ctx.emit(result)
        return
    pending = result["pending"]
    cli_ctx.emit(
        result,
        title=(
            f"{result['index']} v{result['basket_version']}: proposal {pending['id'][:18]}..., "
            f"activation in {pending['seconds_to_activation']} s, "
            f"{'covered' if pending['covered'] else 'NOT covered'}"
        ),
        rows=pending["coverage"],
    )


@_compiler_command()
@click.argument("index")
def activate(cli_ctx, index):
    """Activate the pending proposal once due (anyone may)."""
    result = _client(cli_ctx).activate(index)
    cli_ctx.emit(result, rows=[result], title="rebalance activated")


@_compiler_command()
@click.argument("index")
def cancel(cli_ctx, index):
    """Withdraw the pending proposal (the admin or the index's compiler)."""
    result = _client(cli_ctx).cancel(index)
    cli_ctx.emit(result, rows=[result], title="rebalance cancelled")
