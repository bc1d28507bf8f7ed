"""With no node at the configured URL, a command says so in one line and exits non-zero (not
ape's message that Foundry or geth is missing). Each case runs the real `ssikit` program in a
throwaway Ape project whose config points the provider at a closed port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parents[2] / "sdk"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # released on close: nothing listens there


def _ssikit(tmp_path: Path, network: str, path: str) -> tuple[int, subprocess.CompletedProcess]:
    """`ssikit wlp status --network NETWORK` with the provider at a closed port; (port, run)."""
    port = _closed_port()
    (tmp_path / "ape-config.yaml").write_text(
        "name: no-node\n"
        f"node:\n  ethereum:\n    local:\n      uri: http://127.0.0.1:{port}\n"
        f"foundry:\n  host: http://127.0.0.1:{port}\n"
    )
    # The host is this config's; an APE_FOUNDRY_HOST from a parallel test run would override it.
    env = {k: v for k, v in os.environ.items() if k != "APE_FOUNDRY_HOST"}
    env |= {"PYTHONPATH": str(SDK), "PATH": path}
    command = [sys.executable, "-c", "from ssikit.cli.main import cli; cli()"]
    result = subprocess.run(
        [*command, "wlp", "status", "--network", network],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return port, result


def _one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_cli__node_provider_at_a_closed_port__no_node_at_url(tmp_path):
    port, result = _ssikit(tmp_path, "ethereum:local:node", os.environ["PATH"])
    assert _one_line(result) == f"Error: no node at http://127.0.0.1:{port}"
    assert "geth" not in result.stderr


def test_cli__foundry_nothing_listening_and_no_anvil__no_node_at_url(tmp_path):
    bare_path = "/usr/bin:/bin"  # without node_modules/.bin: ape-foundry cannot start Anvil
    if shutil.which("anvil", path=bare_path):
        pytest.skip("an anvil on the system PATH would start a node")
    port, result = _ssikit(tmp_path, "ethereum:local:foundry", bare_path)
    assert _one_line(result) == (
        f"Error: no node at http://127.0.0.1:{port} (and no anvil on PATH to start one: `make` "
        "puts node_modules/.bin on PATH)"
    )
    assert "Foundry" not in result.stderr


def test_cli__rpc_url_variable_not_set__names_it(tmp_path):
    """The repository's own config reads Sepolia's RPC URL from SEPOLIA_RPC_URL: unset, the
    command names the variable in one line instead of Ape's ConfigError traceback."""
    repo = SDK.parent
    env = {k: v for k, v in os.environ.items() if k not in ("APE_FOUNDRY_HOST", "SEPOLIA_RPC_URL")}
    env |= {"PYTHONPATH": str(SDK)}
    command = [sys.executable, "-c", "from ssikit.cli.main import cli; cli()"]
    result = subprocess.run(
        [*command, "wlp", "status", "--network", "ethereum:sepolia:node",
         "--registry", str(tmp_path / "deployments.json")],
        cwd=repo, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert _one_line(result) == (
        "Error: the network's RPC URL comes from the environment variable SEPOLIA_RPC_URL, "
        "which is not set (ape-config.yaml): export it"
    )
