"""Measures the gas of the protocol's key flows on a local chain.

Used by ``make bench-gas`` (which writes the committed ``snapshots/gas.json``) and by the budget
test, which measures again and fails when a flow exceeds its budget or drifts from the snapshot.
Every figure is the ``gas_used`` of one real transaction on Anvil, set up so that it is
deterministic (fixed elapsed times, fresh accounts).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..builders.index import create_index_args
from ..core.assets import MAG7_ASSETS
from ..core.units import INDEX_UNIT
from ..presets.indices import mag7_params

SNAPSHOT_PATH = Path("snapshots/gas.json")

# Upper bounds from the issues (production SSI, WBTC and Set figures are in the README).
GAS_BUDGETS: dict[str, int] = {
    "create_index_7": 400_000,
    "fee_accrue_7_1day": 40_000,
    "fee_accrue_7_365days": 40_000,
    "token_transfer": 60_000,
}

DAY = 86_400


def measure(accounts: Any) -> dict[str, int]:
    """Runs every flow once on the connected local chain and returns name -> gas used."""
    from ape import chain

    from ..chain.protocol import Deployment

    deployer, compiler, fee_recipient, issuer, holder, receiver = (accounts[i] for i in range(6))
    with tempfile.TemporaryDirectory() as tmp:
        deployment = Deployment(deployer, path=Path(tmp) / "deployments.json")
        protocol = deployment.system()
        deployment.assets(protocol, MAG7_ASSETS)
    roles, factory = protocol.roles, protocol.factory
    roles.grantRole(roles.ISSUER_ROLE(), issuer, sender=deployer)

    gas: dict[str, int] = {}
    params = mag7_params(compiler.address, fee_recipient.address)
    receipt = factory.createIndex(create_index_args(params), sender=deployer)
    gas["create_index_7"] = receipt.gas_used
    token_1d = _token_at(receipt.decode_logs(factory.IndexCreated)[0].index)

    second = params.model_copy(update={"symbol": "MAG7B.ssi"})
    receipt = factory.createIndex(create_index_args(second), sender=deployer)
    token_365d = _token_at(receipt.decode_logs(factory.IndexCreated)[0].index)

    for token in (token_1d, token_365d):
        token.mint(holder, 1_000 * INDEX_UNIT, 0, sender=issuer)
        token.accrueFee(sender=holder)  # checkpoint at a known time

    start = chain.pending_timestamp
    chain.pending_timestamp = start + DAY
    gas["fee_accrue_7_1day"] = token_1d.accrueFee(sender=holder).gas_used
    chain.pending_timestamp = start + 365 * DAY
    gas["fee_accrue_7_365days"] = token_365d.accrueFee(sender=holder).gas_used

    gas["token_transfer"] = token_1d.transfer(receiver, INDEX_UNIT, sender=holder).gas_used
    return gas


def _token_at(address: str) -> Any:
    from ape import project

    return project.IndexToken.at(address)


def over_budget(gas: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Flows whose gas exceeds their budget: name -> (gas, budget)."""
    return {
        k: (v, GAS_BUDGETS[k]) for k, v in gas.items() if k in GAS_BUDGETS and v > GAS_BUDGETS[k]
    }


def load_snapshot(path: Path = SNAPSHOT_PATH) -> dict[str, int]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def write_snapshot(gas: dict[str, int], path: Path = SNAPSHOT_PATH) -> None:
    """Merges ``gas`` into the snapshot (keys sorted, one per line, for reviewable diffs)."""
    merged = {**load_snapshot(path), **gas}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
