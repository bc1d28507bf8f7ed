"""``ssikit wlp`` (and ``ape run wlp``): a whitelisted participant's requests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from .context import chain_options, connected, emit, one_line, request_command, signer, token_amount


def _client(registry: Path, alias: str | None, test_account: int, db: str | None):
    from ..chain.issuance import WlpClient
    from ..chain.protocol import load_protocol

    return WlpClient(load_protocol(registry, db), signer(alias, test_account))


@click.group()
def wlp() -> None:
    """Mint and redeem index tokens as a WLP."""


for _kind in ("mint", "redeem"):

    def _make(kind: str) -> None:
        @wlp.command(
            kind, help=f"Request a {kind} of AMOUNT whole tokens of INDEX (symbol or address)."
        )
        @click.argument("index")
        @click.argument("amount", type=token_amount)
        @click.option("--max-fee-bps", default=50, show_default=True)
        @click.option("--ttl", default=86_400, show_default=True, help="seconds until the deadline")
        @chain_options(default_test_account=3)
        def command(
            index, amount, max_fee_bps, ttl, network, alias, test_account, registry, db, as_json
        ):
            with connected(network, quiet=as_json):
                client = _client(registry, alias, test_account, db)
                call = client.mint if kind == "mint" else client.redeem
                tracked = one_line(lambda: call(index, amount, max_fee_bps=max_fee_bps, ttl=ttl))
                emit(
                    as_json, tracked.as_dict(), rows=[tracked.as_dict()], title=f"{kind} requested"
                )

    _make(_kind)


@wlp.command()
@click.option(
    "--pending",
    "only_pending",
    is_flag=True,
    help="only open requests (pending, acknowledged or accepted)",
)
@chain_options(default_test_account=3)
def status(only_pending, network, alias, test_account, registry, db, as_json):
    """This WLP's requests on every issuer version and their status, from the event index
    (synced from its cursor to the head first)."""
    with connected(network, quiet=as_json):

        def read() -> list[Any]:
            client = _client(registry, alias, test_account, db)
            found: list[Any] = client.pending() if only_pending else client.requests()
            return found

        rows = [t.as_dict() for t in one_line(read)]
        emit(as_json, rows, rows=rows, title="requests")


@wlp.command()
@click.argument("request_id")
@chain_options(default_test_account=3)
def cancel(request_id, network, alias, test_account, registry, db, as_json):
    """Cancel a pending request (not yet acknowledged or accepted); a mint's escrow becomes
    claimable (`ssikit wlp claim`), a redemption's tokens are unlocked."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.cancel(request_id),
        "cancelled",
    )


@wlp.command()
@click.argument("request_id")
@chain_options(default_test_account=3)
def expire(request_id, network, alias, test_account, registry, db, as_json):
    """Expire anyone's pending request past its deadline or basket version (a mint's escrow
    becomes claimable by its requester)."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.expire(request_id),
        "expired",
    )


@wlp.command()
@click.argument("request_id")
@chain_options(default_test_account=3)
def reclaim(request_id, network, alias, test_account, registry, db, as_json):
    """Take back an acknowledged mint or accepted redemption that no custodian settled by its
    deadline plus the settlement grace (14 days)."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.reclaim(request_id),
        "reclaimed",
    )


@wlp.command()
@click.argument("token")
@chain_options(default_test_account=3)
def claim(token, network, alias, test_account, registry, db, as_json):
    """Withdraw this WLP's refunded mint escrow of the ERC-20 TOKEN (address) from the vault."""
    with connected(network, quiet=as_json):
        client = _client(registry, alias, test_account, db)
        amount = one_line(lambda: client.claim(token))
        data = {"token": token, "claimed": str(amount)}
        emit(as_json, data, rows=[data], title="claimed")


@wlp.command()
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
@click.option("--rounds", default=1, show_default=True, help="rounds to run (Ctrl-C stops)")
@click.option("--interval", default=0.0, show_default=True, help="seconds between rounds")
@click.option("--max-index", default="1000", show_default=True, help="whole tokens per round")
@click.option("--max-usd", default="1000000", show_default=True, help="USD per round")
@click.option("--min-usd-balance", default="0", show_default=True, help="USD never spent")
@click.option("--gas-usd", default="1", show_default=True, help="USD of gas per round trip")
@click.option("--threshold-bps", default=10, show_default=True, help="margin beyond the costs")
@chain_options(default_test_account=3)
def arbitrage(
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
    network,
    alias,
    test_account,
    registry,
    db,
    as_json,
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

    with connected(network, quiet=True):
        from ape import chain

        from ..chain.artifacts import container

        client = _client(registry, alias, test_account, db)
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
            index=index,
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
        bot = ArbitrageBot(client, load_uniswap(record), usd, source, config)
        try:
            bot.run(rounds, interval)
        except LookupError as err:  # a price or a contract the bot needs is missing
            raise click.ClickException(str(err)) from err
