"""``ssikit custodian`` (and ``ape run custodian``): reserve reports and request confirmations."""

from __future__ import annotations

from pathlib import Path

import click

from .context import chain_options, connected, emit, one_line, request_command, signer
from .custody import custody_options, with_custody_chain


def _client(registry: Path, alias: str | None, test_account: int, db: str | None):
    from ..chain.issuance import CustodianClient
    from ..chain.protocol import load_protocol

    return CustodianClient(load_protocol(registry, db), signer(alias, test_account))


def _bytes32(text: str) -> bytes:
    raw = bytes.fromhex(text.removeprefix("0x"))
    if len(raw) > 32:
        raise click.BadParameter(f"reference longer than 32 bytes: {text}")
    return raw.rjust(32, b"\0")


_FORCE = click.option(
    "--force", is_flag=True, help="post even a report that leaves an index under-covered"
)


@click.group()
def custodian() -> None:
    """Post proof of reserves and confirm or reject requests as a custodian."""


@custodian.command()
@click.argument("wallets", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--direct", is_flag=True, help="send from the custodian account instead of signing")
@click.option(
    "--refresh", "refresh_index", default=None, help="then refresh this index's coverage cache"
)
@_FORCE
@chain_options(default_test_account=2)
def report(
    wallets, direct, refresh_index, force, network, alias, test_account, registry, db, as_json
):
    """Build a reserve report from a WALLETS JSON file, sign it (EIP-712) and post it."""
    from ..builders.reports import WalletFile
    from ..chain.deployments import DeploymentRegistry

    with connected(network, quiet=as_json):
        from ape import chain

        client = _client(registry, alias, test_account, db)
        assets = DeploymentRegistry.load(registry).for_chain(chain.chain_id).assets
        ids = {symbol: bytes.fromhex(h[2:]) for symbol, h in assets.items()}
        from ..chain.coverage_guard import guard
        from ..chain.issuance import _index

        def post():
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
            return built, receipt

        built, receipt = one_line(post)
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
        emit(as_json, data)


_REFS = click.option(
    "--ref",
    "refs",
    multiple=True,
    help="delivery or payout reference (hex), one per off-chain component",
)


@custodian.command()
@click.argument("request_id")
@_REFS
@chain_options(default_test_account=2)
def acknowledge(request_id, refs, network, alias, test_account, registry, db, as_json):
    """Acknowledge a pending mint whose delivery arrived (one --ref per off-chain component):
    it can no longer be cancelled or expired and settles at its basket version."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.acknowledge(request_id, [_bytes32(r) for r in refs]),
        "acknowledged",
    )


@custodian.command()
@click.argument("request_id")
@chain_options(default_test_account=2)
def accept(request_id, network, alias, test_account, registry, db, as_json):
    """Accept a pending redemption: fixes its settlement (fee, fee factor) and what is owed per
    component. Pay only after this, then confirm."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.accept(request_id),
        "accepted",
    )


@custodian.command()
@click.argument("request_id")
@_REFS
@chain_options(default_test_account=2)
def confirm(request_id, refs, network, alias, test_account, registry, db, as_json):
    """Confirm a mint (pending: one --ref per off-chain delivery; acknowledged: no --ref) or an
    accepted redemption (one --ref per off-chain payout)."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.confirm(request_id, [_bytes32(r) for r in refs]),
        "confirmed",
    )


@custodian.command()
@click.argument("request_id")
@click.option("--reason", default=1, show_default=True, help="reason code")
@chain_options(default_test_account=2)
def reject(request_id, reason, network, alias, test_account, registry, db, as_json):
    """Reject a pending request or an acknowledged mint (the escrow becomes claimable by the
    requester; an acknowledged delivery is returned off chain)."""
    request_command(
        network,
        as_json,
        lambda: _client(registry, alias, test_account, db),
        lambda client: client.reject(request_id, reason),
        "rejected",
    )


@custodian.command()
@click.argument("index")
@chain_options(default_test_account=2)
def coverage(index, network, alias, test_account, registry, db, as_json):
    """Reserves, liabilities, ratio and age of every component of INDEX."""
    with connected(network, quiet=as_json):
        client = _client(registry, alias, test_account, db)
        rows = one_line(lambda: client.coverage(index))
        emit(as_json, rows, rows=rows, title=f"coverage of {index}")


@custodian.command()
@click.argument("wallets", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--index", "indices", multiple=True, required=True, help="index to serve (symbol)")
@click.option("--ticks", default=1, show_default=True, help="ticks to run (Ctrl-C stops)")
@click.option("--interval", default=0.0, show_default=True, help="seconds between ticks")
@click.option("--check", is_flag=True, help="exit 1 if an index is under-covered")
@custody_options
@_FORCE
@chain_options(default_test_account=2)
def serve(
    wallets,
    indices,
    ticks,
    interval,
    check,
    custody_config,
    custody_rpc,
    force,
    network,
    alias,
    test_account,
    registry,
    db,
    as_json,
):
    """Report reserves from WALLETS when they change or near staleness, settle pending requests
    (acknowledge and confirm mints whose own delivery arrived; accept redemptions, pay them,
    once each, when their confirmation would succeed, and confirm), alert when an index is
    under-covered. One JSON line per tick."""
    from ..bots.custodian import CustodianService, WalletFileCustody
    from ..chain.deployments import DeploymentRegistry
    from ..chain.reserve_feed import recorded_feeds

    with connected(network, quiet=True):
        from ape import chain

        client = _client(registry, alias, test_account, db)
        record = DeploymentRegistry.load(registry).for_chain(chain.chain_id)
        ids = {symbol: bytes.fromhex(h[2:]) for symbol, h in record.assets.items()}
        custody = with_custody_chain(WalletFileCustody(wallets), custody_config, custody_rpc)
        # The indices' recorded reserve feeds get a new round after each report.
        feeds = recorded_feeds(record, indices)
        service = CustodianService(client, custody, ids, list(indices), feeds=feeds, force=force)
        entries = one_line(lambda: service.run(ticks, interval))
    if check and any(e.get("alerts") for e in entries):
        raise SystemExit(1)
