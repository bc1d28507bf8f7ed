"""What every on-chain command shares, on Ape's own CLI helpers: the network (Ape's
``network_option`` and ``ConnectedProviderCommand``), the account that signs (Ape's account
choice: an ``ape accounts`` alias or ``TEST::N``; on a local chain, by default, the test account
of the command's role), Ape's ``ape_cli_context`` (``-v/--verbosity``), the deployments registry,
the event index's database, and JSON or table output. ``chain_command`` puts them on a command;
a refusal (a contract's custom error, an SDK error) ends it in one line, exit 1."""

from __future__ import annotations

import json
import re
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click
from rich.console import Console
from rich.table import Table

from ..chain.accounts import LocalRole
from ..chain.deployments import DEFAULT_PATH
from .progress import CatchUpProgress

try:  # the chain extra; without it only the pure commands run
    from ape.cli import (
        AccountAliasPromptChoice,
        ApeCliContextObject,
        ConnectedProviderCommand,
        ape_cli_context,
        network_option,
    )

    CHAIN_EXTRA = True
except ImportError:  # pragma: no cover - exercised by a subprocess test without ape
    CHAIN_EXTRA = False
    ApeCliContextObject = dict  # type: ignore[misc,assignment]
    ConnectedProviderCommand = click.Command  # type: ignore[misc,assignment]

LOCAL_NETWORK = "ethereum:local:foundry"
NO_CHAIN_EXTRA = "on-chain commands need the chain extra: pip install 'ssikit[chain]'"

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
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="machine-readable output")

LIVE_NEEDS_ACCOUNT = "a live network needs --account ALIAS (see `ape accounts list`)"


class ChainContext(ApeCliContextObject):
    """What an on-chain command's function gets first: Ape's CLI context (``logger``,
    ``abort``, the managers) and this command's options: the signer, the registry, the index's
    database, ``--json``, and the index catch-up's progress bar."""

    account: Any = None  # from --account (an Ape account), or None
    role: LocalRole | None = None  # whose test account signs on a local chain without --account
    registry: Path = DEFAULT_PATH
    db: str | None = None
    as_json: bool = False
    progress: CatchUpProgress | None = None
    _sender: Any = None
    _protocol: Any = None

    @property
    def sender(self) -> Any:
        """The signing account: --account's; else, on a local chain, the test account of the
        command's role (``LocalRole``); a live network without --account is a usage error."""
        if self._sender is None:
            self._sender = self.account or self._default_sender()
        return self._sender

    def _default_sender(self) -> Any:
        from ape import accounts

        from ..chain.accounts import is_local_network

        if self.role is None:
            raise click.UsageError("this command signs nothing")
        if not is_local_network():
            raise click.UsageError(LIVE_NEEDS_ACCOUNT)
        return accounts.test_accounts[int(self.role)]

    def protocol(self) -> Any:
        """The recorded deployment (``load_protocol``), loaded once; its index's catch-up shows
        the progress bar."""
        if self._protocol is None:
            from ..chain.protocol import load_protocol

            self._protocol = load_protocol(self.registry, self.db)
            if self.progress is not None:
                self._protocol.on_sync_page = self.progress.on_page
        return self._protocol

    def session(self) -> Any:
        """The typed facade (``chain.session.Session``) over the deployment and the signer."""
        from ..chain.session import Session

        return Session(self.protocol(), self.sender)

    def emit(self, data: Any, title: str = "", rows: list[dict[str, Any]] | None = None) -> None:
        emit(self.as_json, data, title=title, rows=rows)

    def show_request(self, tracked: Any, title: str) -> None:
        """A request (``RequestView`` or ``TrackedRequest``) as one table row, or its JSON."""
        data = tracked.as_dict()
        emit(self.as_json, data, rows=[data], title=title)


class ChainCommand(ConnectedProviderCommand):
    """Ape's ``ConnectedProviderCommand`` (connects to --network for the command's duration; a
    provider already connected, as in `ape run` or a test session, is reused), and:

    - a node that is not there is one line, ``no node at URL``; a usage error is one line too;
    - under --json (always, with ``quiet``: a service whose stdout is its JSON lines) Ape's log
      lines below WARNING, which go to stdout, are off from before the connection on;
    - a revert's call trace, which ape-foundry prints on stdout above the error, is shown on
      stderr with ``-v DEBUG`` only (``traces_to_stderr``);
    - transactions are sent with their gas estimated (``estimated_gas``): one that would revert
      is refused before it is sent.
    """

    def __init__(self, *args: Any, quiet: bool = False, **kwargs: Any) -> None:
        self.quiet = quiet
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Ape's, with a usage error's message on one line (an unknown --network lists the
        networks there are, one a line)."""
        try:
            parsed: list[str] = super().parse_args(ctx, args)
        except click.UsageError as err:
            err.message = one_line_message(err.message)
            raise
        return parsed

    def invoke(self, ctx: click.Context) -> Any:
        from ape.cli.commands import parse_network
        from ape.exceptions import ConfigError
        from ape.logging import LogLevel, logger

        previous = logger.level
        if (self.quiet or ctx.params.get("as_json")) and previous < LogLevel.WARNING:
            logger.set_level(LogLevel.WARNING)
        try:
            try:
                network_ctx = parse_network(ctx)
            except ConfigError as err:  # e.g. ${SEPOLIA_RPC_URL} not set
                raise click.ClickException(_config_failed(err)) from err
            with ExitStack() as stack:
                provider = None
                if network_ctx is not None:
                    try:
                        provider = stack.enter_context(network_ctx)
                    except Exception as err:  # a connection that failed: one line
                        raise click.ClickException(
                            _connect_failed(network_ctx._provider, err)
                        ) from err
                if provider is not None:
                    stack.enter_context(estimated_gas(provider.network))
                stack.enter_context(traces_to_stderr(shown=previous <= LogLevel.DEBUG))
                return self._invoke(ctx, provider=provider)
        finally:
            logger.set_level(previous)


@contextmanager
def traces_to_stderr(shown: bool) -> Iterator[None]:
    """For the command's duration, Ape's call traces (``Trace.show``, which the providers call
    on every revert, printing to stdout) go to stderr when ``shown``, else nowhere: the revert
    is the command's one ``Error:`` line, and stdout stays its output."""
    from ape_ethereum.trace import Trace

    original = Trace.show

    def show(self: Any, verbose: bool = False, file: Any = None) -> None:
        if shown:
            original(self, verbose=verbose, file=sys.stderr)

    Trace.show = show  # type: ignore[method-assign]
    try:
        yield
    finally:
        Trace.show = original  # type: ignore[method-assign]


ESTIMATE_MULTIPLIER = 1.3
"""The gas sent for the estimate of each transaction, as on the live networks (ape-config.yaml)."""


@contextmanager
def estimated_gas(network: Any) -> Iterator[None]:
    """For the command's duration, the transactions on ``network`` are sent with their gas
    estimated (ESTIMATE_MULTIPLIER times), where Ape would send them with the block's gas limit
    (its default on a local network) without asking the node first: a transaction that would
    revert then fails at the estimate, its custom error decoded, before anything is signed or
    sent, as on a live network, instead of being mined, reverted, for a nonce and gas."""
    from ape.types.gas import AutoGasLimit

    if network.gas_limit != "max":
        yield
        return
    cached = network.__dict__  # NetworkAPI.gas_limit and auto_gas_multiplier: cached properties
    saved = {k: cached[k] for k in ("gas_limit", "auto_gas_multiplier") if k in cached}
    cached["gas_limit"] = AutoGasLimit(multiplier=ESTIMATE_MULTIPLIER)
    cached["auto_gas_multiplier"] = ESTIMATE_MULTIPLIER
    try:
        yield
    finally:
        for key in ("gas_limit", "auto_gas_multiplier"):
            cached.pop(key, None)
        cached.update(saved)


def _config_failed(err: Exception) -> str:
    """One line for a network Ape's configuration cannot set up: an RPC URL read from an
    environment variable that is not set names the variable."""
    text = str(err)
    if (unset := re.search(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text)) is not None:
        return (
            f"the network's RPC URL comes from the environment variable {unset.group(1)}, "
            "which is not set (ape-config.yaml): export it"
        )
    return f"network configuration: {_first_line(text)}"


def _connect_failed(provider: Any, err: Exception) -> str:
    from ape.exceptions import ApeException, ConfigError

    if (line := _no_node(provider, err)) is not None:
        return line
    if isinstance(err, ConfigError):
        return _config_failed(err)
    if isinstance(err, ApeException):
        return f"cannot connect to {provider.network_choice}: {_first_line(str(err))}"
    raise err  # not a connection failure: a bug, with its traceback


def one_line_message(text: str) -> str:
    """``text`` on one line: its lines after the first joined to it with commas (``... Options:
    a, b, c``)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return text.strip()
    return f"{lines[0]} {', '.join(lines[1:])}"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def chain_command(
    group: click.Group,
    name: str | None = None,
    *,
    role: LocalRole | None = None,
    deployment: bool = True,
    db_option: Callable[[Any], Any] = DB_OPTION,
    quiet: bool = False,
    **attrs: Any,
) -> Callable[[Callable[..., Any]], click.Command]:
    """``@chain_command(group, role=LocalRole.WLP)`` above a command's own arguments and
    options: the command connects to ``--network`` (Ape's ``network_option``, default the
    local foundry network), takes ``--account`` (Ape's account choice: an alias or
    ``TEST::N``; with a ``role`` only), ``--registry`` and ``--db`` (with ``deployment``),
    ``--json`` and Ape's ``-v`` (``quiet``: Ape's log lines off even without --json). Its
    function is called with a ``ChainContext`` first, then its
    own parameters; an SDK error or a contract's revert is ``Error: <one line>``, exit 1."""

    def decorate(function: Callable[..., Any]) -> click.Command:
        if not CHAIN_EXTRA:
            return _needs_chain_extra(group, name, function, **attrs)

        def run(cli_ctx: ChainContext, **params: Any) -> Any:
            cli_ctx.account = params.pop("account", None)
            cli_ctx.role = role
            cli_ctx.registry = params.pop("registry", DEFAULT_PATH)
            cli_ctx.db = params.pop("db", None)
            cli_ctx.as_json = params.pop("as_json")
            with CatchUpProgress.for_terminal() as progress:
                cli_ctx.progress = progress
                if role is not None:
                    cli_ctx.sender  # noqa: B018 - a live network without --account: exit 2 now
                return one_line(lambda: function(cli_ctx, **params))

        run.__name__ = function.__name__
        run.__doc__ = function.__doc__
        options = [network_option(default=LOCAL_NETWORK, show_default=True)]
        if role is not None:
            options.append(account_option(role))
        if deployment:
            options += [REGISTRY_OPTION, db_option]
        options.append(JSON_OPTION)
        for option in reversed(options):
            run = option(run)
        run.__click_params__.extend(getattr(function, "__click_params__", []))  # type: ignore[attr-defined]
        command = ape_cli_context(obj_type=ChainContext)(run)
        made: click.Command = group.command(name, cls=ChainCommand, quiet=quiet, **attrs)(command)
        return made

    return decorate


def account_option(role: LocalRole) -> Callable[[Any], Any]:
    """``--account``: Ape's account choice (an ``ape accounts`` alias, or ``TEST::N`` for test
    account N), never a prompt; without it, ``role``'s test account on a local chain."""
    who = role.name.replace("_", " ").lower()
    who = who.upper() if who == "wlp" else who
    return click.option(
        "--account",
        "account",
        type=AccountAliasPromptChoice(),
        default=None,
        metavar="ALIAS|TEST::N",
        help=f"the signer: an `ape accounts` alias, or test account TEST::N [default on a "
        f"local chain: TEST::{int(role)}, the {who}; a live "
        "network needs one]",
    )


def _needs_chain_extra(
    group: click.Group, name: str | None, function: Callable[..., Any], **attrs: Any
) -> click.Command:
    """The command's name and help, and one line saying what to install."""

    def missing(args: tuple[str, ...]) -> None:
        raise click.ClickException(NO_CHAIN_EXTRA)

    missing.__name__ = function.__name__
    missing.__doc__ = function.__doc__
    settings = {"ignore_unknown_options": True, "allow_extra_args": True}
    made: click.Command = group.command(name, context_settings=settings, **attrs)(
        click.argument("args", nargs=-1, type=click.UNPROCESSED)(missing)
    )
    return made


_ANVIL_HINT = ": `make` puts node_modules/.bin on PATH"


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
        return "no local node, and no anvil on PATH to start one" + _ANVIL_HINT
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https", "ws", "wss") or parsed.hostname is None:
        return None  # an IPC path, or ape-foundry's `host: auto` that never got a port
    port = parsed.port or (443 if parsed.scheme in ("https", "wss") else 80)
    try:
        socket.create_connection((parsed.hostname, port), timeout=2).close()
        return None  # something listens there: the failure is not a missing node
    except OSError:
        pass
    missing = f" (and no anvil on PATH to start one{_ANVIL_HINT})"
    return f"no node at {url}" + missing * missing_anvil


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


def one_line(call: Callable[[], Any]) -> Any:
    """Runs ``call``; an SDK error, a contract revert (its custom error decoded, with its
    values) or another of Ape's errors becomes ``Error: <one line>`` (exit 1), never a
    traceback."""
    from ape.exceptions import ApeException
    from pydantic import ValidationError

    from ..core.errors import SsikitError

    try:
        return call()
    except (SsikitError, ApeException, ValidationError) as err:
        raise click.ClickException(error_line(err)) from err


def error_line(err: Exception) -> str:
    """The one line an error ends a command with: a revert as ``ErrorName(arg=value, ...)``
    (``chain.reverts.describe``), a file that is not the model it should be as the model and
    each wrong field, anything else its message's first line."""
    from pydantic import ValidationError

    from ..chain.reverts import describe

    if isinstance(err, ValidationError):
        fields = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in err.errors()[:3]
        )
        return f"not a valid {err.title}: {fields}"
    return _first_line(describe(err))
