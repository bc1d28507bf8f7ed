"""``ssikit custody``: the custody chain's side of a mint or redemption. A WLP delivers with
``deliver`` (a real transfer carrying the request id, and the delivery notice for the
custodian); ``status`` shows the custody wallets and what the custodian's ledger bound and
paid. ``custody_options`` and ``with_custody_chain`` give ``ssikit custodian serve`` its
custody chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..chain.accounts import LocalRole
from .context import emit

CONFIG_OPTION = click.option(
    "--custody",
    "custody_config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="custody chain config (JSON: rpc, assets, accounts, ledger, notices); "
    "its assets are checked and paid on that chain",
)
RPC_OPTION = click.option(
    "--custody-rpc", default=None, help="the custody chain's RPC URL (overrides the config's)"
)


def custody_options(function: Any) -> Any:
    """--custody CONFIG and --custody-rpc URL."""
    return CONFIG_OPTION(RPC_OPTION(function))


def _config(path: Path, rpc: str | None) -> Any:
    from ..custody.errors import CustodyError
    from ..custody.evm import CustodyConfig

    try:
        config = CustodyConfig.load(path)
    except CustodyError as err:
        raise click.ClickException(str(err)) from err
    return config if rpc is None else config.model_copy(update={"rpc": rpc})


def with_custody_chain(default: Any, path: Path | None, rpc: str | None) -> Any:
    """``default`` alone, or with the config's assets routed to the custody chain."""
    if path is None:
        if rpc is not None:
            raise click.UsageError("--custody-rpc needs --custody CONFIG")
        return default
    from ..custody.adapter import CompositeCustody
    from ..custody.errors import CustodyError
    from ..custody.evm import EvmCustody

    config = _config(path, rpc)
    try:  # the custodian pays: every custody address needs its key
        config.check_keys()
    except CustodyError as err:
        raise click.ClickException(str(err)) from err
    return CompositeCustody(default, EvmCustody(config).routes())


class TestAccountNumber(click.ParamType):
    """``TEST::N``, Ape's notation for test account N (here on the custody chain, which Ape
    does not connect to): N."""

    name = "TEST::N"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        prefix, _, number = str(value).upper().partition("TEST::")
        if prefix or not number.isdigit():
            self.fail(f"{value!r} is not TEST::N (a test account's number)", param, ctx)
        return int(number)


TEST_ACCOUNT = TestAccountNumber()


def _request_id(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise click.BadParameter(f"a request id is 32 bytes of hex (0x + 64 digits): {text}")
    return raw


@click.group()
def custody() -> None:
    """Deliver to and inspect the custody chain."""


@custody.command()
@click.argument("request_id")
@click.argument("asset")
@click.argument("amount", type=click.IntRange(min=1))
@click.option("--index", required=True, help="the index the request mints (symbol)")
@click.option(
    "--key-env", default=None, help="environment variable holding the WLP's custody-chain key"
)
@click.option(
    "--account",
    "test_account",
    type=TEST_ACCOUNT,
    default=f"TEST::{int(LocalRole.WLP)}",
    show_default=True,
    metavar="TEST::N",
    help="test mnemonic account N (local custody chains) when no --key-env",
)
@custody_options
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def deliver(
    request_id, asset, amount, index, key_env, test_account, custody_config, custody_rpc, as_json
):
    """Send AMOUNT {base units} of ASSET for the mint REQUEST_ID to the index's custody address
    (memo: the request id), and record the delivery notice for the custodian."""
    import os

    from ..custody.chain import connect, local_key
    from ..custody.errors import CustodyError
    from ..custody.evm import deliver as send

    if custody_config is None:
        raise click.UsageError("--custody CONFIG is required")
    rid = _request_id(request_id)
    config = _config(custody_config, custody_rpc)
    if key_env is not None:
        from eth_account import Account

        if not os.environ.get(key_env):
            raise click.UsageError(f"${key_env} is not set")
        key = Account.from_key(os.environ[key_env])
    else:
        key = local_key(test_account)
    try:
        sent = send(connect(config.rpc), key, config, rid, index, asset, amount)
    except CustodyError as err:
        raise click.ClickException(str(err)) from err
    data = json.loads(sent.notice.as_json()) | {"amount": str(amount), "from": key.address}
    emit(as_json, data, rows=[data], title="delivered")


@custody.command()
@custody_options
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def status(custody_config, custody_rpc, as_json):
    """The custody wallets' balances {base units} and the ledger: deliveries bound to requests,
    payouts made."""
    from ..custody.errors import CustodyError
    from ..custody.evm import EvmCustody

    if custody_config is None:
        raise click.UsageError("--custody CONFIG is required")
    adapter = EvmCustody(_config(custody_config, custody_rpc))
    try:
        wallets = [w.model_dump() | {"balance": str(w.balance)} for w in adapter.wallets()]
        ledger = adapter._load()
    except CustodyError as err:
        raise click.ClickException(str(err)) from err
    data = {
        "wallets": wallets,
        "bound": ledger["bound"],
        "payouts": {
            rid: {a: p["hash"] for a, p in paid.items()} for rid, paid in ledger["payouts"].items()
        },
    }
    if as_json:
        emit(True, data)
    else:
        emit(False, data, rows=wallets, title="custody wallets")
        click.echo(f"{len(ledger['bound'])} deliveries bound, {len(ledger['payouts'])} payouts")
