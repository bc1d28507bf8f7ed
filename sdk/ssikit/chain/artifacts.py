"""Ape contract containers for contracts built outside the Ape project: the official bytecode in
npm packages (Uniswap, Safe) and Chainlink's contracts compiled by `make compile`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "node_modules"


def artifact_container(name: str, path: Path) -> Any:
    """The contract ``name`` from a JSON artifact with its ``abi`` and creation ``bytecode``
    (hex, with or without ``0x``)."""
    from ape.contracts import ContractContainer
    from ethpm_types import ContractType

    artifact = json.loads(path.read_text())
    contract_type = ContractType.model_validate(
        {
            "contractName": name,
            "abi": artifact["abi"],
            "deploymentBytecode": {"bytecode": "0x" + artifact["bytecode"].removeprefix("0x")},
        }
    )
    return ContractContainer(contract_type)
