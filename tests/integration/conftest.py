"""What the integration tests of the services share: a fresh deployment serving MAG7.ssi."""

from __future__ import annotations

import json
from typing import Any

import pytest


@pytest.fixture
def serve_mag7(
    deployer: Any, custodian: Any, wlp: Any, mag7_params: Any, tmp_path: Any, chain: Any
):
    """serve_mag7(balance=0) -> (registry, deployment, system, asset ids, token, wallet file):
    a fresh system with MAG7.ssi configured for the custodian and the WLP, and the custodian's
    wallet file holding `balance` base units of each asset for it."""
    from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance
    from ssikit.core.assets import MAG7_ASSETS

    def make(balance: int = 0) -> tuple[Any, ...]:
        registry = tmp_path / "deployments.json"
        deployment = Deployment(deployer, path=registry)
        system = deployment.system()
        ids = deployment.assets(system, MAG7_ASSETS)
        token = deployment.index(system, mag7_params)
        configure_issuance(
            deployment, system, token, IssuanceSettings(), [custodian.address], [wlp.address]
        )
        wallets = tmp_path / "wallets.json"
        rows = [
            {"index": "MAG7.ssi", "asset": a.symbol, "address": f"{a.symbol.lower()}-cold"}
            | {"balance": balance}
            for a in MAG7_ASSETS
        ]
        wallets.write_text(json.dumps({"custodian": custodian.address, "wallets": rows}))
        chain.mine(1, timestamp=chain.blocks.head.timestamp + 2)
        return registry, deployment, system, ids, token, wallets

    return make


@pytest.fixture
def crash_after_payout():
    """crash_after_payout(service) -> the service, made to die after paying a redemption and
    before confirming it (``RuntimeError("crashed")``), as a process killed there would."""

    def make(service: Any) -> Any:
        def crash(*args: Any) -> None:
            raise RuntimeError("crashed")

        service._confirm_redeem = crash
        return service

    return make
