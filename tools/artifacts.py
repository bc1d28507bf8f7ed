#!/usr/bin/env python3
"""Writes the SDK's package data: one ``<Name>.json`` ({contractName, abi, bytecode}) per contract
the SDK deploys or calls, so an installed wheel needs neither this checkout nor a compiler.

- The project's contracts from Ape's manifest (``.build/__local__.json``, after ``ape compile``):
  every contract with an ABI except the test contracts under ``contracts/test/``, and of those
  only the ones the SDK deploys on a local chain (``LOCAL_TEST_CONTRACTS``).
- Uniswap V2 and Safe from their npm packages (``THIRD_PARTY`` in ``ssikit.chain.artifacts``).

    python tools/artifacts.py [--build .build] [--node-modules node_modules]
                              [--out sdk/ssikit/artifacts]

The output folder is emptied of ``*.json`` first, so a contract removed from the project does not
linger in the package. The files are generated, never committed (``make artifacts``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "sdk"))

from ssikit.chain.artifacts import THIRD_PARTY  # noqa: E402

TEST_SOURCES = "contracts/test/"
LOCAL_TEST_CONTRACTS = ("TestToken", "TestPriceFeed")
"""Test contracts the SDK itself deploys on a local chain (a USD token and price feeds)."""


def _hex(code: str | None) -> str:
    return "0x" + (code or "").removeprefix("0x")


def project_artifacts(manifest: Path) -> dict[str, dict[str, Any]]:
    """{name: artifact} for the project's shipped contracts, from Ape's manifest."""
    if not manifest.is_file():
        raise SystemExit(f"{manifest} is missing: run `ape compile` (make compile) first")
    types = json.loads(manifest.read_text())["contractTypes"]
    out = {}
    for name, contract_type in sorted(types.items()):
        source = str(contract_type.get("sourceId") or "")
        if not contract_type.get("abi"):
            continue  # a library whose functions are all internal: nothing to call
        if source.startswith(TEST_SOURCES) and name not in LOCAL_TEST_CONTRACTS:
            continue
        bytecode = (contract_type.get("deploymentBytecode") or {}).get("bytecode")
        out[name] = {"contractName": name, "abi": contract_type["abi"], "bytecode": _hex(bytecode)}
    return out


def third_party_artifacts(node_modules: Path) -> dict[str, dict[str, Any]]:
    """{name: artifact} for Uniswap V2 and Safe, from the official npm builds."""
    out = {}
    for name, relative in THIRD_PARTY.items():
        path = node_modules / relative
        if not path.is_file():
            raise SystemExit(f"{path} is missing: install the npm packages (make setup)")
        artifact = json.loads(path.read_text())
        out[name] = {
            "contractName": name,
            "abi": artifact["abi"],
            "bytecode": _hex(artifact["bytecode"]),
        }
    return out


def write(artifacts: dict[str, dict[str, Any]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()
    for name, artifact in sorted(artifacts.items()):
        (out / f"{name}.json").write_text(json.dumps(artifact, separators=(",", ":")) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / ".build")
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--out", type=Path, default=ROOT / "sdk" / "ssikit" / "artifacts")
    args = parser.parse_args(argv)
    ours = project_artifacts(args.build / "__local__.json")
    theirs = third_party_artifacts(args.node_modules)
    clash = sorted(set(ours) & set(theirs))
    if clash:
        raise SystemExit(f"contract names both in the project and in npm packages: {clash}")
    write(ours | theirs, args.out)
    print(f"{len(ours)} project and {len(theirs)} third-party artifacts -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
