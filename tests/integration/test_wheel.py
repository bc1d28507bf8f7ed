"""The SDK as a user installs it: the wheel is built (with its artifacts extracted from this
checkout's build, as `make wheel` does), installed from the package index into fresh virtual
environments in a temporary folder outside the checkout, and used there.

- With the `chain` extra, a WLP's short script in its own folder loads the deployment file the
  test's fixture wrote, requests a mint on the test's Anvil node, reads the request's status, and
  names the custom error of a refused request (no compiler, no project of ours, no checkout).
- Without it, the pure layers import and ape and web3 are absent.

Installing takes one to two minutes (pip's cache is reused; `-c constraints.txt` pins every
version as `make setup` does).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance
from ssikit.core.assets import MAG7_ASSETS
from ssikit.presets.synthetic import synthetic_prices

ROOT = Path(__file__).resolve().parents[2]

WLP_SCRIPT = '''
"""A WLP's script: mint 2 MAG7.ssi, read the request's status, try a refused request."""
import importlib.util
import json
import sys
from pathlib import Path

from ape import accounts, networks
from ape.exceptions import ContractLogicError

import ssikit
from ssikit.chain.issuance import WlpClient
from ssikit.chain.protocol import load_protocol
from ssikit.chain.reverts import describe

uri, registry = sys.argv[1], Path(sys.argv[2])
# ape-foundry connects to the node at `host` (a bare URI choice would make Ape's geth-dev provider
# report chain id 1337 for Anvil's 31337)
with networks.parse_network_choice("ethereum:local:foundry", provider_settings={"host": uri}):
    client = WlpClient(load_protocol(registry), accounts.test_accounts[3])
    requested = client.mint("MAG7.ssi", 2 * 10**18)
    status = next(t.status for t in client.requests() if t.id == requested.id)
    try:
        client.mint("MAG7.ssi", 1)  # below the index's minimum
        refusal = None
    except ContractLogicError as err:
        refusal = describe(err)
print(json.dumps({
    "sdk": ssikit.__file__,
    "id": "0x" + requested.id.hex(),
    "nonce": requested.request.nonce,
    "status": status,
    "refusal": refusal,
    "solidity_plugin": importlib.util.find_spec("ape_solidity") is not None,
}))
'''

PURE_SCRIPT = """
import importlib, json, pkgutil, sys
import ssikit.core, ssikit.math, ssikit.methodology, ssikit.builders

imported = []
for package in (ssikit.core, ssikit.math, ssikit.methodology, ssikit.builders):
    for module in pkgutil.iter_modules(package.__path__):
        imported.append(importlib.import_module(f"{package.__name__}.{module.name}").__name__)
absent = []
for name in ("ape", "web3"):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        absent.append(name)
print(json.dumps({"sdk": ssikit.__file__, "imported": imported, "absent": absent}))
"""


def _clean_env(home: Path) -> dict[str, str]:
    """The user's environment: none of this checkout's paths, Ape's data in a folder of its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "SOLCX_BINARY_PATH")
    }
    env["APE_DATA_FOLDER"] = str(home / "ape-data")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{args[:3]}...\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def user_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("user")
    assert ROOT not in home.parents
    return home


@pytest.fixture(scope="module")
def wheel(user_home) -> Path:
    """The wheel, built from a copy of the package sources with freshly extracted artifacts."""
    src = user_home / "src"
    for name in ("pyproject.toml", "README.md"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "artifacts", "*.egg-info")
    shutil.copytree(ROOT / "sdk", src / "sdk", ignore=ignore)
    env = _clean_env(user_home)
    _run(
        [
            sys.executable,
            str(ROOT / "tools" / "artifacts.py"),
            "--build",
            str(ROOT / ".build"),
            "--node-modules",
            str(ROOT / "node_modules"),
            "--out",
            str(src / "sdk" / "ssikit" / "artifacts"),
        ],
        src,
        env,
    )
    dist = user_home / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)],
        src,
        env,
    )
    (built,) = dist.glob("ssikit-*.whl")
    return built


def _venv(home: Path, name: str, requirement: str) -> Path:
    """A fresh virtual environment (no system site-packages) with ``requirement`` installed
    from the package index; its python."""
    env = _clean_env(home)
    path = home / name
    _run([sys.executable, "-m", "venv", str(path)], home, env)
    python = path / "bin" / "python"
    constraints = str(ROOT / "constraints.txt")
    _run(
        [str(python), "-m", "pip", "install", "-q", "--no-compile", "-c", constraints, requirement],
        home,
        env,
    )
    return python


@pytest.fixture
def deployed(deployer, custodian, wlp, mag7_params, user_home):
    """The system, MAG7.ssi and its issuance, recorded in a deployment file in the user's
    folder."""
    path = user_home / "deployments.json"
    path.unlink(missing_ok=True)
    deployment = Deployment(deployer, path=path)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    deployment.price_feeds(system, synthetic_prices())
    token = deployment.index(system, mag7_params)
    configure_issuance(
        deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
    )
    return path, system, token


def test_wheel_without_chain_extra__pure_layers_import__ape_and_web3_absent(wheel, user_home):
    python = _venv(user_home, "venv-pure", str(wheel))
    script = user_home / "pure.py"
    script.write_text(PURE_SCRIPT)
    out = json.loads(_run([str(python), str(script)], user_home, _clean_env(user_home)))
    assert out["sdk"].startswith(str(user_home / "venv-pure"))
    assert {"ssikit.core.basket", "ssikit.math.fees", "ssikit.methodology.compose"} <= set(
        out["imported"]
    )
    assert "ssikit.builders.requests" in out["imported"]
    assert out["absent"] == ["ape", "web3"]


def test_wheel_with_chain_extra__user_script_requests_a_mint_and_reads_its_status(
    wheel, user_home, deployed, wlp, chain
):
    registry, system, token = deployed
    python = _venv(user_home, "venv-chain", f"{wheel}[chain]")
    script = user_home / "project" / "wlp_mint.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(WLP_SCRIPT)
    uri = chain.provider.uri
    stdout = _run(
        [str(python), str(script), uri, str(registry)], script.parent, _clean_env(user_home)
    )
    out = json.loads(stdout.strip().splitlines()[-1])

    assert out["sdk"].startswith(str(user_home / "venv-chain"))
    assert out["solidity_plugin"] is False  # nothing could compile a contract there
    assert out["status"] == "mint pending"
    # the request is on the test's chain, as the issuer records it
    assert int(system.issuer.statusOf(wlp.address, out["nonce"])) == 1  # IIssuer.Status.MintPending
    minimum, maximum = system.issuer.limits(token)[:2]
    assert out["refusal"] == (
        f"IssuerAmountOutOfLimits(amount=1, minAmount={minimum}, maxAmount={maximum})"
    )
