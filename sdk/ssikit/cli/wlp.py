"""``ssikit wlp`` (and ``ape run wlp``): a whitelisted participant's requests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from ..chain.accounts import LocalRole
from .context import ChainContext, chain_command, token_amount


def _client(cli_ctx: ChainContext) -> Any:
    from ..chain.issuance import WlpClient

    return WlpClient(cli_ctx.protocol(), cli_ctx.sender)


@click.group()
def wlp() -> None:
    """Mint and redeem index tokens as a WLP."""


def _wlp_command(name: str | None = None, **attrs: Any) -> Any:
    """An on-chain command of the WLP's (test account 3 on a local chain by default)."""
    return chain_command(wlp, name, role=LocalRole.WLP, **attrs)


for _kind in ("mint", "redeem"):

    def _make(kind: str) -> None:
        @_wlp_command(kind)
        @click.argument("index")
        @click.argument("amount", type=token_amount)
        @click.option("--max-fee-bps", default=50, show_default=True)
        @click.option("--ttl", default=86_400, show_default=True, help="seconds until the deadline")
        def command(cli_ctx, index, amount, max_fee_bps, ttl):
            from ..core.units import whole_units

            market = cli_ctx.session().index(index)
            call = market.request_mint if kind == "mint" else market.request_redeem
            requested = call(whole_units(amount, 18), max_fee_bps=max_fee_bps, ttl=ttl)
            cli_ctx.show_request(requested, f"{kind} requested")

        command.help = f"Request a {kind} of AMOUNT whole tokens of INDEX (symbol or address)."

    _make(_kind)


@_wlp_command()
@click.option(
    "--pending",
    "only_pending",
    is_flag=True,
    help="only open requests (pending, acknowledged or accepted)",
)
def status(cli_ctx, only_pending):
    """This WLP's requests on every issuer version and their status, from the event index
    (synced from its cursor to the head first)."""
    rows = [r.as_dict() for r in cli_ctx.session().requests(only_open=only_pending)]
    cli_ctx.emit(rows, rows=rows, title="requests")


@_wlp_command()
@click.argument("request_id")
def cancel(cli_ctx, request_id):
    """Cancel a pending request (not yet acknowledged or accepted); a mint's escrow becomes
    claimable (`ssikit wlp claim`), a redemption's tokens are unlocked."""
    cli_ctx.show_request(cli_ctx.session().cancel(request_id), "cancelled")


@_wlp_command()
@click.argument("request_id")
def expire(cli_ctx, request_id):
    """Expire anyone's pending request past its deadline or basket version (a mint's escrow
    becomes claimable by its requester)."""
    cli_ctx.show_request(_client(cli_ctx).expire(request_id), "expired")


@_wlp_command()
@click.argument("request_id")
def reclaim(cli_ctx, request_id):
    """Take back an acknowledged mint or accepted redemption that no custodian settled by its
    deadline plus the settlement grace (14 days)."""
    cli_ctx.show_request(_client(cli_ctx).reclaim(request_id), "reclaimed")


@_wlp_command()
@click.argument("token")
def claim(cli_ctx, token):
    """Withdraw this WLP's refunded mint escrow of the ERC-20 TOKEN (address) from the vault."""
    amount = _client(cli_ctx).claim(token)
    data = {"token": token, "claimed": str(amount)}
    cli_ctx.emit(data, rows=[data], title="claimed")


@_wlp_command(quiet=True)
@click.argument("index")
@click.option(
    "--usd",
    "usd_address",
    required=True,
    help="the stablecoin paired with INDEX: an address, or its name in the deployments registry",
)
@click.option(
    "--prices",
    "prices_source",
    default="synthetic",
    show_default=True,
    help='NAV prices: a JSON file {"BTC": "43000", ...} or "synthetic" (the SYNTHETIC market)',
)
@click.option(
    "--feeds",
    "feeds_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Chainlink-style USD feeds instead: JSON {"BTC": "0xfeed...", ...}',
)
@click.option("--feed-max-age", default=3600, show_default=True, help="seconds a feed may lag")
@click.option(
    "--rounds",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="rounds to run; 0: until stopped (Ctrl-C)",
)
@click.option("--interval", default=0.0, show_default=True, help="seconds between rounds")
@click.option("--max-index", default="1000", show_default=True, help="whole tokens per round")
@click.option("--max-usd", default="1000000", show_default=True, help="USD per round")
@click.option("--min-usd-balance", default="0", show_default=True, help="USD never spent")
@click.option("--gas-usd", default="1", show_default=True, help="USD of gas per round trip")
@click.option("--threshold-bps", default=10, show_default=True, help="margin beyond the costs")
def arbitrage(
    cli_ctx,
    index,
    usd_address,
    prices_source,
    feeds_path,
    feed_max_age,
    rounds,
    interval,
    max_index,
    max_usd,
    min_usd_balance,
    gas_usd,
    threshold_bps,
):
    """Keep INDEX's Uniswap V2 pool price within the band around NAV: mint and sell at a
    premium, buy and redeem at a discount, within the limits. One JSON line per decision."""
    import json
    from decimal import Decimal

    from ..bots.arbitrage import Costs, Limits
    from ..bots.runner import ArbitrageBot, BotConfig
    from ..chain.deployments import DeploymentRegistry
    from ..chain.issuance import _index
    from ..chain.uniswap import load_uniswap
    from ..core.units import INDEX_UNIT

    def prices() -> dict[str, Decimal]:
        if prices_source == "synthetic":  # the SYNTHETIC market's last day, every ticker
            from ..methodology.panel import MarketPanel
            from ..presets.synthetic import synthetic_market

            panel = MarketPanel.from_frame(synthetic_market())
            symbols = sorted(set(panel.facts["symbol"]))
            last = panel.usd_prices(panel.dates[-1].date(), symbols)
            return {k: Decimal(str(v)) for k, v in last.items()}
        raw = json.loads(Path(prices_source).read_text())
        return {k: Decimal(str(v)) for k, v in raw.items()}

    from ape import chain

    from ..chain.artifacts import container

    client = _client(cli_ctx)
    registry = cli_ctx.registry
    record = DeploymentRegistry.load(registry).for_chain(chain.chain_id)
    if not usd_address.startswith("0x"):
        known = record.contracts.get(usd_address)
        if known is None:
            raise click.BadParameter(f"{usd_address} is not in {registry}", param_hint="--usd")
        usd_address = known.address
    # Any ERC-20: the shipped TestToken ABI is the standard interface.
    usd = container("TestToken").at(usd_address)
    unit = 10 ** int(usd.decimals())
    token = _index(client.protocol, index)
    mint_bps, redeem_bps = client.protocol.issuer_for(token).fees(token)
    config = BotConfig(
        costs=Costs(
            mint_fee_bps=int(mint_bps),
            redeem_fee_bps=int(redeem_bps),
            gas_usd=int(Decimal(gas_usd) * unit),
            threshold_bps=threshold_bps,
        ),
        limits=Limits(
            max_index=int(Decimal(max_index) * INDEX_UNIT), max_usd=int(Decimal(max_usd) * unit)
        ),
        min_usd_balance=int(Decimal(min_usd_balance) * unit),
    )
    source: Callable[[], Mapping[str, Decimal]] = prices
    if feeds_path is not None:
        from ..bots.runner import feed_prices

        addresses = json.loads(feeds_path.read_text())
        feeds = {
            symbol: container("AggregatorV3Interface").at(address)
            for symbol, address in addresses.items()
        }
        source = feed_prices(feeds, max_age=feed_max_age)
    bot = ArbitrageBot(cli_ctx.session().index(index), load_uniswap(record), usd, source, config)
    try:
        bot.run(rounds, interval)
    except LookupError as err:  # a price or a contract the bot needs is missing
        raise click.ClickException(str(err)) from err
