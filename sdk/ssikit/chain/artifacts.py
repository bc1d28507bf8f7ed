"""The contracts the SDK deploys or calls, as Ape contract containers, from the artifacts shipped
in the package: ``ssikit/artifacts/<Name>.json`` ({contractName, abi, bytecode}), written by
``make artifacts`` (``tools/artifacts.py``) from the project's compiled contracts and the official
npm builds of Uniswap V2 and Safe. An installed wheel needs no checkout, compiler or network.

From a source checkout where ``make artifacts`` has not run, a name not shipped falls back to the
checkout's own build: Ape's manifest ``.build/__local__.json`` (read as JSON, never compiled on
demand) for the project's contracts, ``node_modules`` for the npm ones.

Nothing here imports ape at module level: reading ABIs (``abi``, ``abis``) needs only the files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..core.errors import SsikitError

PACKAGED = Path(__file__).resolve().parents[1] / "artifacts"
"""Where the wheel carries the artifacts (package data of ``ssikit``)."""
ROOT = Path(__file__).resolve().parents[3]
"""The source checkout, when the SDK runs from one (meaningless in an installed wheel)."""
NODE_MODULES = ROOT / "node_modules"
BUILD_MANIFEST = ROOT / ".build" / "__local__.json"

THIRD_PARTY: dict[str, str] = {
    "UniswapV2Factory": "@uniswap/v2-core/build/UniswapV2Factory.json",
    "UniswapV2Pair": "@uniswap/v2-core/build/UniswapV2Pair.json",
    "UniswapV2Router02": "@uniswap/v2-periphery/build/UniswapV2Router02.json",
    "WETH9": "@uniswap/v2-periphery/build/WETH9.json",
    "Safe": "@safe-global/safe-contracts/build/artifacts/contracts/Safe.sol/Safe.json",
    "SafeProxyFactory": (
        "@safe-global/safe-contracts/build/artifacts/contracts/proxies/"
        "SafeProxyFactory.sol/SafeProxyFactory.json"
    ),
}
"""npm artifacts the SDK deploys or calls: name -> path under ``node_modules``."""

Abi = list[dict[str, Any]]


class ArtifactError(SsikitError, LookupError):
    """No artifact for a contract name: not shipped, and not in the checkout's build."""


def packaged_names() -> list[str]:
    """The contracts the package carries (empty before ``make artifacts``)."""
    return sorted(p.stem for p in PACKAGED.glob("*.json"))


@cache
def _checkout_build() -> dict[str, Any]:
    if not BUILD_MANIFEST.is_file():
        return {}
    types: dict[str, Any] = json.loads(BUILD_MANIFEST.read_text()).get("contractTypes", {})
    return types


def _from_checkout(name: str) -> dict[str, Any] | None:
    contract_type = _checkout_build().get(name)
    if contract_type is not None:
        bytecode = (contract_type.get("deploymentBytecode") or {}).get("bytecode") or ""
        return {"contractName": name, "abi": contract_type["abi"], "bytecode": bytecode}
    if name in THIRD_PARTY and (NODE_MODULES / THIRD_PARTY[name]).is_file():
        npm = json.loads((NODE_MODULES / THIRD_PARTY[name]).read_text())
        return {"contractName": name, "abi": npm["abi"], "bytecode": npm["bytecode"]}
    return None


@cache
def artifact(name: str) -> dict[str, Any]:
    """``{contractName, abi, bytecode}`` of ``name``: the packaged file, else the checkout's
    build; ArtifactError when neither has it."""
    path = PACKAGED / f"{name}.json"
    if path.is_file():
        found: dict[str, Any] = json.loads(path.read_text())
        return found
    found_in_checkout = _from_checkout(name)
    if found_in_checkout is None:
        shipped = ", ".join(packaged_names()) or "none: run `make artifacts`"
        raise ArtifactError(f"no artifact for contract {name!r} (shipped: {shipped})")
    return found_in_checkout


def abi(name: str) -> Abi:
    abi_: Abi = artifact(name)["abi"]
    return abi_


def abis() -> dict[str, Abi]:
    """Every shipped contract's ABI by name; from a checkout without ``make artifacts``, those
    of its build and npm packages."""
    names = packaged_names()
    if not names:
        names = sorted(set(_checkout_build()) | set(THIRD_PARTY))
    return {n: abi(n) for n in names if _known(n)}


def _known(name: str) -> bool:
    try:
        artifact(name)
    except ArtifactError:
        return False
    return True


def contract_type(name: str) -> Any:
    """The ``ethpm_types.ContractType`` of ``name`` (ABI and creation bytecode)."""
    return _contract_type(artifact(name))


def _contract_type(found: dict[str, Any]) -> Any:
    from ethpm_types import ContractType

    return ContractType.model_validate(
        {
            "contractName": found["contractName"],
            "abi": found["abi"],
            "deploymentBytecode": {"bytecode": "0x" + found["bytecode"].removeprefix("0x")},
        }
    )


@cache
def container(name: str) -> Any:
    """An Ape ``ContractContainer`` for ``name``: ``.at(address)`` and ``.deploy(...)``."""
    from ape.contracts import ContractContainer

    return ContractContainer(contract_type(name))


def artifact_container(name: str, path: Path) -> Any:
    """The contract ``name`` from a JSON artifact file with its ``abi`` and creation ``bytecode``
    (hex, with or without ``0x``): for contracts built outside the package (Chainlink's)."""
    from ape.contracts import ContractContainer

    found = json.loads(path.read_text())
    return ContractContainer(_contract_type({**found, "contractName": name}))
