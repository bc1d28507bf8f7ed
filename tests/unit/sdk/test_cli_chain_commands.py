"""The on-chain commands' shared parts (``ssikit.cli.context``, ``ssikit.cli.progress``), without
a chain: the catch-up progress bar, the options every command has, the signer's default."""

from __future__ import annotations

import subprocess
import sys
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

import click
import pytest

from ssikit.chain.accounts import LocalRole
from ssikit.cli.context import (
    ESTIMATE_MULTIPLIER,
    ChainCommand,
    ChainContext,
    estimated_gas,
    one_line_message,
    traces_to_stderr,
)
from ssikit.cli.main import cli
from ssikit.cli.progress import CatchUpProgress

SDK = Path(__file__).resolve().parents[3] / "sdk"


class FakeBar:
    """Records what the progress callback asks of its bar."""

    def __init__(self, log: list[tuple]) -> None:
        self.log = log

    def start(self) -> None:
        self.log.append(("start",))

    def update(self, done: int, total: int) -> None:
        self.log.append(("update", done, total))

    def stop(self) -> None:
        self.log.append(("stop",))


def _progress(enabled: bool = True, min_blocks: int = 100) -> tuple[CatchUpProgress, list]:
    log: list[tuple] = []
    return CatchUpProgress(enabled, min_blocks=min_blocks, bar=lambda: FakeBar(log)), log


def test_catch_up_progress__long_catch_up__bar_until_done():
    progress, log = _progress()
    for done in (50, 100, 150):
        progress(done, 150)
    updates = [("update", done, 150) for done in (50, 100, 150)]
    assert log == [("start",), *updates, ("stop",)]
    progress(10, 150)  # the next catch-up gets a bar of its own
    assert log[-2:] == [("start",), ("update", 10, 150)]


def test_catch_up_progress__short_catch_up__no_bar():
    progress, log = _progress(min_blocks=100)
    progress(40, 100)  # not more than min_blocks
    progress(100, 100)
    assert log == []


def test_catch_up_progress__done_in_one_page__no_bar():
    progress, log = _progress()
    progress(5_000, 5_000)
    assert log == []


def test_catch_up_progress__stderr_not_a_terminal__no_bar():
    progress, log = _progress(enabled=False)
    progress(1, 1_000)
    assert log == []
    assert not CatchUpProgress.for_terminal(SimpleNamespace(isatty=lambda: False)).enabled
    assert CatchUpProgress.for_terminal(SimpleNamespace(isatty=lambda: True)).enabled


def test_catch_up_progress__interrupted__close_removes_the_bar():
    progress, log = _progress()
    with progress:
        progress(10, 1_000)
    assert log == [("start",), ("update", 10, 1_000), ("stop",)]
    progress.close()  # nothing left to stop
    assert log.count(("stop",)) == 1


def test_catch_up_progress__on_page__blocks_since_the_sync_started():
    progress, log = _progress()
    page = SimpleNamespace(from_block=1_001, to_block=1_500, target=3_000, start=1_001, events=4)
    progress.on_page(page)
    assert log == [("start",), ("update", 500, 2_000)]


def test_one_line_message__joins_a_listing():
    assert one_line_message("No network named 'x'. Options:\nlocal\nsepolia\n") == (
        "No network named 'x'. Options: local, sepolia"
    )
    assert one_line_message("just one line\n") == "just one line"


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found |= _commands(command, path + " ")
        else:
            found[path] = command
    return found


COMMANDS = _commands(cli)
ON_CHAIN = {path: c for path, c in COMMANDS.items() if isinstance(c, ChainCommand)}


def _options(command: click.Command) -> set[str]:
    return {o for p in command.params for o in getattr(p, "opts", [])}


def test_every_command__takes_json():
    assert len(COMMANDS) > 30
    assert [path for path, c in COMMANDS.items() if "--json" not in _options(c)] == []


def test_on_chain_commands__ape_network_and_account_no_test_account():
    from ape.cli.options import NetworkOption

    groups = {path.split()[0] for path in ON_CHAIN}
    assert {"wlp", "custodian", "rebalance", "lifecycle", "indexer", "dev"} <= groups
    for path, command in ON_CHAIN.items():
        options = _options(command)
        assert "--test-account" not in options, path
        assert any(isinstance(p, NetworkOption) for p in command.params), path
        assert "-v" in options, path  # Ape's ape_cli_context
    signing = {p for p, c in ON_CHAIN.items() if "--account" in _options(c)}
    assert {"wlp mint", "custodian confirm", "rebalance propose", "lifecycle signal"} <= signing
    assert not any(p.startswith(("indexer", "dev")) for p in signing)
    assert all("--test-account" not in _options(c) for c in COMMANDS.values())


@pytest.mark.parametrize(
    ("path", "option"), [("custodian serve", "ticks"), ("wlp arbitrage", "rounds")]
)
def test_services__zero_rounds_runs_until_stopped(path, option):
    param = next(p for p in COMMANDS[path].params if p.name == option)
    assert isinstance(param.type, click.IntRange) and param.type.min == 0
    assert "0: until stopped" in (param.help or "")


def test_sender__local_chain_without_account__the_roles_test_account(monkeypatch):
    from ape import accounts

    monkeypatch.setattr("ssikit.chain.accounts.is_local_network", lambda: True)
    context = ChainContext()
    context.role = LocalRole.CUSTODIAN
    assert context.sender.address == accounts.test_accounts[LocalRole.CUSTODIAN].address


def test_sender__given_account__that_one(monkeypatch):
    monkeypatch.setattr("ssikit.chain.accounts.is_local_network", lambda: False)
    context = ChainContext()
    context.role, context.account = LocalRole.WLP, "an account"
    assert context.sender == "an account"


def test_sender__live_network_without_account__usage_error(monkeypatch):
    monkeypatch.setattr("ssikit.chain.accounts.is_local_network", lambda: False)
    context = ChainContext()
    context.role = LocalRole.WLP
    with pytest.raises(click.UsageError, match="a live network needs --account"):
        context.sender  # noqa: B018


def test_cli_without_the_chain_extra__pure_commands_run_chain_commands_say_what_to_install():
    """An install without ape: `ssikit fee-rate` runs, `ssikit wlp status` is one line."""
    program = (
        "import sys\n"
        "sys.modules.update({'ape': None, 'ape.cli': None})\n"  # `import ape` fails
        "from ssikit.cli.main import cli\n"
        "cli()\n"
    )

    def ssikit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", program, *args],
            env={"PYTHONPATH": str(SDK), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
        )

    rate = ssikit("fee-rate", "0.01", "--json")
    assert rate.returncode == 0, rate.stderr
    status = ssikit("wlp", "status", "--json")
    assert status.returncode == 1 and "Traceback" not in status.stderr
    assert status.stderr.strip() == (
        "Error: on-chain commands need the chain extra: pip install 'ssikit[chain]'"
    )


class FakeNetwork:
    """Ape's NetworkAPI as far as the gas setting goes: two cached properties from its config."""

    def __init__(self, gas_limit: object) -> None:
        self.configured = gas_limit

    @cached_property
    def gas_limit(self) -> object:
        return self.configured

    @cached_property
    def auto_gas_multiplier(self) -> float:
        return 1.0


def test_estimated_gas__block_gas_limit_network__estimates_then_restores():
    from ape.types.gas import AutoGasLimit

    network = FakeNetwork("max")
    assert network.auto_gas_multiplier == 1.0  # cached before the command
    with estimated_gas(network):
        assert network.gas_limit == AutoGasLimit(multiplier=ESTIMATE_MULTIPLIER)
        assert network.auto_gas_multiplier == ESTIMATE_MULTIPLIER
    assert network.gas_limit == "max" and network.auto_gas_multiplier == 1.0


def test_estimated_gas__network_that_estimates__left_alone():
    from ape.types.gas import AutoGasLimit

    live = FakeNetwork(AutoGasLimit(multiplier=1.1))
    with estimated_gas(live):
        assert live.gas_limit == AutoGasLimit(multiplier=1.1)


def test_traces_to_stderr__nowhere_or_on_stderr_and_restored(monkeypatch):
    from ape_ethereum.trace import Trace

    shown: list[object] = []
    monkeypatch.setattr(Trace, "show", lambda self, verbose=False, file=None: shown.append(file))
    printing = Trace.show
    with traces_to_stderr(shown=False):
        Trace.show(object(), verbose=True)  # the provider, on a revert
    assert shown == [] and Trace.show is printing
    with traces_to_stderr(shown=True):
        Trace.show(object())
    assert shown == [sys.stderr] and Trace.show is printing


def test_custody_deliver__account_is_test_n():
    from ssikit.cli.custody import TEST_ACCOUNT

    assert TEST_ACCOUNT.convert("TEST::5", None, None) == 5
    assert TEST_ACCOUNT.convert("test::0", None, None) == 0
    for wrong in ("5", "TEST::", "TEST::x", "alice"):
        with pytest.raises(click.BadParameter, match="is not TEST::N"):
            TEST_ACCOUNT.convert(wrong, None, None)
