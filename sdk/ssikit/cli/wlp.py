"""``ssikit wlp`` (and ``ape run wlp``): a whitelisted participant's requests."""

from __future__ import annotations

from pathlib import Path

import click

from .context import chain_options, connected, emit, signer, token_amount


def _client(registry: Path, alias: str | None, test_account: int):
    from ..chain.issuance import WlpClient
    from ..chain.protocol import load_protocol

    return WlpClient(load_protocol(registry), signer(alias, test_account))


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
            index, amount, max_fee_bps, ttl, network, alias, test_account, registry, as_json
        ):
            with connected(network, quiet=as_json):
                client = _client(registry, alias, test_account)
                call = client.mint if kind == "mint" else client.redeem
                tracked = call(index, amount, max_fee_bps=max_fee_bps, ttl=ttl)
                emit(
                    as_json, tracked.as_dict(), rows=[tracked.as_dict()], title=f"{kind} requested"
                )

    _make(_kind)


@wlp.command()
@click.option("--pending", "only_pending", is_flag=True, help="only pending requests")
@chain_options(default_test_account=3)
def status(only_pending, network, alias, test_account, registry, as_json):
    """This WLP's requests (from the issuer's events) and their status."""
    with connected(network, quiet=as_json):
        client = _client(registry, alias, test_account)
        rows = [t.as_dict() for t in (client.pending() if only_pending else client.requests())]
        emit(as_json, rows, rows=rows, title="requests")


@wlp.command()
@click.argument("request_id")
@chain_options(default_test_account=3)
def cancel(request_id, network, alias, test_account, registry, as_json):
    """Cancel a pending request (its escrow comes back)."""
    with connected(network, quiet=as_json):
        tracked = _client(registry, alias, test_account).cancel(request_id)
        emit(as_json, tracked.as_dict(), rows=[tracked.as_dict()], title="cancelled")


@wlp.command()
@click.argument("request_id")
@chain_options(default_test_account=3)
def expire(request_id, network, alias, test_account, registry, as_json):
    """Expire anyone's request past its deadline or basket version (the escrow goes back)."""
    with connected(network, quiet=as_json):
        tracked = _client(registry, alias, test_account).expire(request_id)
        emit(as_json, tracked.as_dict(), rows=[tracked.as_dict()], title="expired")
