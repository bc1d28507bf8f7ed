"""``ssikit custodian`` (and ``ape run custodian``): reserve reports and request confirmations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..chain.accounts import LocalRole
from .context import ChainContext, chain_command
from .custody import custody_options, with_custody_chain


def _client(cli_ctx: ChainContext) -> Any:
    from ..chain.issuance import CustodianClient

    return CustodianClient(cli_ctx.protocol(), cli_ctx.sender)


def _bytes32(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise click.BadParameter(f"not hex: {text}", param_hint="--ref") from None
    if len(raw) > 32:
        raise click.BadParameter(f"reference longer than 32 bytes: {text}")
    return raw.rjust(32, b"\0")


_FORCE = click.option(
    "--force", is_flag=True, help="post even a report that leaves an index under-covered"
)


@click.group()
def custodian() -> None:
    """Post proof of reserves and confirm or reject requests as a custodian."""


def _custodian_command(name: str | None = None, **attrs: Any) -> Any:
    """An on-chain command of the custodian's (test account 2 on a local chain by default)."""
    return chain_command(custodian, name, role=LocalRole.CUSTODIAN, **attrs)


@_custodian_command()
@click.argument("wallets", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--direct", is_flag=True, help="send from the custodian account instead of signing")
@click.option(
    "--refresh", "refresh_index", default=None, help="then refresh this index's coverage cache"
)
@_FORCE
def report(cli_ctx, wallets, direct, refresh_index, force):
    """Build a reserve report from a WALLETS JSON file, sign it (EIP-712) and post it."""
    from ape import chain

    from ..builders.reports import WalletFile
    from ..chain.coverage_guard import guard
    from ..chain.deployments import DeploymentRegistry
    from ..chain.issuance import _index

    client = _client(cli_ctx)
    assets = DeploymentRegistry.load(cli_ctx.registry).for_chain(chain.chain_id).assets
    ids = {symbol: bytes.fromhex(h[2:]) for symbol, h in assets.items()}
    loaded = WalletFile.load(wallets)
    names = {w.index for w in loaded.wallets if not w.index.startswith("0x")}
    indices = {name: _index(client.protocol, name).address for name in names}
    built = client.build_report(loaded, ids, indices)
    if not force:
        symbols = {a: s for s, a in indices.items()}
        guard(client.protocol, built, names={i: s for s, i in ids.items()}, symbols=symbols)
    receipt = client.post(built, signed=not direct)
    if refresh_index:
        client.refresh(refresh_index)
    data = {
        "sequence": built.sequence,
        "as_of": built.as_of,
        "attestation": "0x" + built.attestation.hex(),
        "holdings": [
            {"index": i, "asset_id": "0x" + a.hex(), "balance": str(b)}
            for i, a, b in built.holdings
        ],
        "tx": str(receipt.txn_hash),
        "gas_used": receipt.gas_used,
    }
    cli_ctx.emit(data)


_REFS = click.option(
    "--ref",
    "refs",
    multiple=True,
    help="delivery or payout reference (hex), one per off-chain component",
    callback=lambda _ctx, _param, refs: [_bytes32(r) for r in refs],
)


@_custodian_command()
@click.argument("request_id")
@_REFS
def acknowledge(cli_ctx, request_id, refs):
    """Acknowledge a pending mint whose delivery arrived (one --ref per off-chain component):
    it can no longer be cancelled or expired and settles at its basket version."""
    cli_ctx.show_request(_client(cli_ctx).acknowledge(request_id, refs), "acknowledged")


@_custodian_command()
@click.argument("request_id")
def accept(cli_ctx, request_id):
    """Accept a pending redemption: fixes its settlement (fee, fee factor) and what is owed per
    component (shown: the payout per off-chain component). Pay only after this, then confirm."""
    client = _client(cli_ctx)
    accepted = client.accept(request_id)
    data = {**accepted.as_dict(), "payout": client.payout(accepted)}
    owed = ", ".join(f"{p['amount_whole']} {p['symbol']}" for p in data["payout"])
    row = {**accepted.as_dict(), "payout": owed}
    cli_ctx.emit(data, rows=[row], title="accepted")


@_custodian_command()
@click.argument("request_id")
@_REFS
def confirm(cli_ctx, request_id, refs):
    """Confirm a mint (pending: one --ref per off-chain delivery; acknowledged: no --ref) or an
    accepted redemption (one --ref per off-chain payout)."""
    cli_ctx.show_request(_client(cli_ctx).confirm(request_id, refs), "confirmed")


@_custodian_command()
@click.argument("request_id")
@click.option("--reason", default=1, show_default=True, help="reason code")
def reject(cli_ctx, request_id, reason):
    """Reject a pending request or an acknowledged mint (the escrow becomes claimable by the
    requester; an acknowledged delivery is returned off chain)."""
    cli_ctx.show_request(_client(cli_ctx).reject(request_id, reason), "rejected")


@_custodian_command()
@click.argument("index")
def coverage(cli_ctx, index):
    """Reserves, liabilities, ratio and age of every component of INDEX."""
    rows = _client(cli_ctx).coverage(index)
    cli_ctx.emit(rows, rows=rows, title=f"coverage of {index}")


LIVE_ACCEPT_DEPTH = 12
"""{blocks} a redemption's acceptance is paid at on a live network unless --accept-depth says
otherwise: deeper than the reorgs seen on Sepolia and Base Sepolia."""


@_custodian_command(quiet=True)
@click.argument("wallets", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--index", "indices", multiple=True, required=True, help="index to serve (symbol)")
@click.option(
    "--ticks",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="ticks to run; 0: until stopped (Ctrl-C)",
)
@click.option("--interval", default=0.0, show_default=True, help="seconds between ticks")
@click.option("--check", is_flag=True, help="exit 1 if an index is under-covered")
@click.option(
    "--accept-depth",
    type=click.IntRange(min=0),
    default=None,
    help="blocks a redemption's acceptance must be deep before it is paid "
    f"[default: 0 on a local chain, {LIVE_ACCEPT_DEPTH} elsewhere]",
)
@custody_options
@_FORCE
def serve(
    cli_ctx,
    wallets,
    indices,
    ticks,
    interval,
    check,
    accept_depth,
    custody_config,
    custody_rpc,
    force,
):
    """Report reserves from WALLETS when they change or near staleness, settle pending requests
    (acknowledge and confirm mints whose own delivery arrived; accept redemptions, pay them,
    once each, when their confirmation would succeed, and confirm), alert when an index is
    under-covered. One JSON line per tick."""
    from ape import chain

    from ..bots.custodian import CustodianService, WalletFileCustody
    from ..chain.deployments import DeploymentRegistry
    from ..chain.reserve_feed import recorded_feeds

    client = _client(cli_ctx)
    record = DeploymentRegistry.load(cli_ctx.registry).for_chain(chain.chain_id)
    ids = {symbol: bytes.fromhex(h[2:]) for symbol, h in record.assets.items()}
    custody = with_custody_chain(WalletFileCustody(wallets), custody_config, custody_rpc)
    # The indices' recorded reserve feeds get a new round after each report.
    feeds = recorded_feeds(record, indices)
    if accept_depth is None:
        from ..chain.accounts import is_local_network

        accept_depth = 0 if is_local_network() else LIVE_ACCEPT_DEPTH
    service = CustodianService(
        client, custody, ids, list(indices), feeds=feeds, force=force, accept_depth=accept_depth
    )
    entries = service.run(ticks, interval)
    if check and any(e.get("alerts") for e in entries):
        raise SystemExit(1)
