"""What every on-chain command shares: the network to connect to, the account that signs, the
deployments registry, and JSON or table output."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click
from rich.console import Console
from rich.table import Table

from ..chain.deployments import DEFAULT_PATH

LOCAL_NETWORK = "ethereum:local:foundry"


NETWORK_OPTION = click.option(
    "--network",
    default=LOCAL_NETWORK,
    show_default=True,
    help="ape network choice; a running local node is reused",
)
REGISTRY_OPTION = click.option(
    "--registry",
    type=click.Path(path_type=Path),
    default=DEFAULT_PATH,
    show_default=True,
    help="deployments registry (addresses and deployment blocks)",
)
DB_OPTION = click.option(
    "--db",
    "db",
    envvar="SSIKIT_DB",
    default=None,
    help="the event index's database, a SQLAlchemy URL shared with other programs "
    "(postgresql+psycopg://...) [default: the embedded SQLite file "
    "$SSIKIT_HOME/index-<chain id>-<issuer>.sqlite, SSIKIT_HOME=~/.ssikit]",
)
"""Where requests, proposals and issuer versions are read from (``chain.indexed``)."""


def chain_options(default_test_account: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--network, --account, --test-account, --registry, --db, --json."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            NETWORK_OPTION,
            click.option(
                "--account", "alias", default=None, help="ape account alias (live networks)"
            ),
            click.option(
                "--test-account",
                default=default_test_account,
                show_default=True,
                help="Anvil test account used on a local chain without --account",
            ),
            REGISTRY_OPTION,
            DB_OPTION,
            click.option("--json", "as_json", is_flag=True, help="machine-readable output"),
        ]
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@contextmanager
def connected(network: str, quiet: bool = False) -> Iterator[None]:
    """Connects to ``network`` unless a provider is already connected (inside `ape run` or a
    test session). ``quiet`` keeps Ape's transaction log lines off stdout (for --json)."""
    try:
        from ape import networks
        from ape.api.networks import ProviderContextManager
        from ape.logging import logger
    except ImportError as err:  # the SDK installed without its chain extra
        raise click.ClickException(
            "on-chain commands need the chain extra: pip install 'ssikit[chain]'"
        ) from err

    if quiet:
        logger.set_level("WARNING")

    if networks.active_provider is not None and networks.active_provider.is_connected:
        yield
        return
    with ExitStack() as stack:
        # `networks.parse_network_choice(network)`, in two steps to keep hold of the provider.
        provider = networks.get_provider_from_choice(network_choice=network)
        try:
            stack.enter_context(ProviderContextManager(provider=provider))
        except Exception as err:  # only a refused connection is mapped; the rest re-raised
            if (line := _no_node(provider, err)) is None:
                raise
            raise click.ClickException(line) from err
        yield


def _no_node(provider: Any, err: Exception) -> str | None:
    """``no node at URL`` when connecting failed because nothing listens at the provider's
    URL (ape's own message would say Foundry or geth is missing: on a local network it tries
    to start a node when none runs, the default this keeps); None for any other failure."""
    from ape.exceptions import ProviderError
    from requests.exceptions import ConnectionError as RequestsConnectionError

    if not isinstance(err, ProviderError | RequestsConnectionError | ConnectionError):
        return None
    url = str(getattr(provider, "uri", "") or "")
    missing_anvil = type(err).__name__ == "FoundryNotInstalledError"  # could not start one
    if url == "auto" and missing_anvil:  # ape-foundry's `host: auto`: always starts its own
        return "no local node, and anvil, to start one, is not installed"
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https", "ws", "wss") or parsed.hostname is None:
        return None  # an IPC path, or ape-foundry's `host: auto` that never got a port
    port = parsed.port or (443 if parsed.scheme in ("https", "wss") else 80)
    try:
        socket.create_connection((parsed.hostname, port), timeout=2).close()
        return None  # something listens there: the failure is not a missing node
    except OSError:
        pass
    return f"no node at {url}" + (" (and anvil, to start one, is not installed)" * missing_anvil)


def signer(alias: str | None, test_account: int) -> Any:
    """The signing account; no account on a live network is a usage error (exit 2)."""
    from ..chain.accounts import AccountError, resolve_sender

    try:
        return resolve_sender(alias, test_account)
    except AccountError as err:
        raise click.UsageError(str(err)) from err


def token_amount(text: str) -> int:
    """Whole tokens as a decimal string -> index wei (18 decimals), exactly."""
    try:
        value = Decimal(text)
    except InvalidOperation as err:
        raise click.BadParameter(f"not a number: {text!r}") from err
    wei = value * 10**18
    if value <= 0 or wei != wei.to_integral_value():
        raise click.BadParameter(f"{text} is not a positive amount with at most 18 decimals")
    return int(wei)


def emit(
    as_json: bool, data: Any, title: str = "", rows: list[dict[str, Any]] | None = None
) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    console = Console()
    if rows is None:
        console.print(data)
        return
    table = Table(title=title)
    for column in rows[0] if rows else []:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def one_line(call: Any) -> Any:
    """Runs ``call``; an SDK error or a contract revert becomes ``Error: <one line>`` (exit 1),
    never a traceback."""
    from ape.exceptions import ContractLogicError

    from ..chain.reverts import describe
    from ..core.errors import SsikitError

    try:
        return call()
    except (SsikitError, ContractLogicError) as err:
        raise click.ClickException(describe(err)) from err


def request_command(network: str, as_json: bool, client: Any, act: Any, title: str) -> None:
    """The shape every request command has: connect, make the client (``client()``), act on it
    (``act(client)`` returns a TrackedRequest), refusals as one line, emit the request."""
    with connected(network, quiet=as_json):
        tracked = one_line(lambda: act(client()))
        emit(as_json, tracked.as_dict(), rows=[tracked.as_dict()], title=title)
