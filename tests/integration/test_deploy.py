"""`ape run deploy` logic: a second run changes nothing; interrupted, the next run finishes."""

from __future__ import annotations

import pytest

from ssikit.chain.deployments import DeploymentRegistry
from ssikit.chain.protocol import Deployment, load_protocol
from ssikit.core.assets import MAG7_ASSETS


def _full_run(deployer, path, params):
    deployment = Deployment(deployer, path=path)
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    deployment.index(system, params)
    return deployment, system


def test_deploy__second_run__does_nothing(deployer, tmp_path, mag7_params, chain):
    path = tmp_path / "deployments.json"
    first, system = _full_run(deployer, path, mag7_params)
    assert "deploy IndexFactory" in first.actions and "create MAG7.ssi" in first.actions
    nonce = deployer.nonce
    second, again = _full_run(deployer, path, mag7_params)
    assert second.actions == []
    assert deployer.nonce == nonce  # not a single transaction sent
    assert again.factory.address == system.factory.address
    record = DeploymentRegistry.load(path).for_chain(chain.chain_id)
    assert set(record.contracts) == {
        "ProtocolRoles",
        "AssetRegistry",
        "IndexFactory",
        "CustodyVault",
        "ReserveOracle",
        "Issuer",
    }
    assert record.indices["MAG7.ssi"].address == system.factory.indexOf("MAG7.ssi")
    assert load_protocol(path).roles.address == system.roles.address


def test_deploy__interrupted__next_run_completes(deployer, tmp_path, monkeypatch):
    path = tmp_path / "deployments.json"
    original = Deployment.contract

    def failing(self, name, *args):
        if name == "ReserveOracle":
            raise RuntimeError("RPC went away")
        return original(self, name, *args)

    monkeypatch.setattr(Deployment, "contract", failing)
    with pytest.raises(RuntimeError):
        Deployment(deployer, path=path).system()
    partial = DeploymentRegistry.load(path)
    roles_address = next(iter(partial.chains.values())).contracts["ProtocolRoles"].address
    recorded = next(iter(partial.chains.values())).contracts
    assert "CustodyVault" in recorded and "ReserveOracle" not in recorded

    monkeypatch.setattr(Deployment, "contract", original)
    resumed = Deployment(deployer, path=path)
    system = resumed.system()
    assert resumed.actions == [
        "deploy ReserveOracle",
        "deploy Issuer",
        "deploy IndexFactory",
        f"grant INDEX_FACTORY to {system.factory.address}",
        f"grant ISSUER to {system.issuer.address}",
    ]
    assert system.roles.address == roles_address
    assert system.roles.hasRole(system.roles.INDEX_FACTORY_ROLE(), system.factory)
