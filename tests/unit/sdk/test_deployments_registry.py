"""The deployments registry file (no chain)."""

from __future__ import annotations

import pytest

from ssikit.chain.deployments import Deployed, DeploymentRegistry
from ssikit.core.errors import DeploymentError


def test_registry__round_trip_per_chain(tmp_path):
    path = tmp_path / "deployments.json"
    registry = DeploymentRegistry.load(path)
    registry.for_chain(11155111).contracts["IndexFactory"] = Deployed(
        address="0x" + "ab" * 20, block=5
    )
    registry.for_chain(31337).assets["BTC"] = "0x" + "00" * 32
    registry.save(path)
    loaded = DeploymentRegistry.load(path)
    assert loaded.for_chain(11155111).contracts["IndexFactory"].block == 5
    assert loaded.for_chain(31337).assets == {"BTC": "0x" + "00" * 32}
    assert set(loaded.chains) == {"11155111", "31337"}


def test_registry__missing_file__is_empty(tmp_path):
    assert DeploymentRegistry.load(tmp_path / "none.json").chains == {}


def test_registry__corrupt_file__raises_named_error(tmp_path):
    path = tmp_path / "deployments.json"
    path.write_text("{not json")
    with pytest.raises(DeploymentError, match="not a deployments registry"):
        DeploymentRegistry.load(path)


def test_registry__genesis_recorded__another_chain_is_a_named_error(tmp_path):
    path = tmp_path / "deployments.json"
    registry = DeploymentRegistry()
    registry.for_chain(31337).genesis = "0x" + "ab" * 32
    registry.save(path)
    record = DeploymentRegistry.load(path).for_chain(31337)
    record.check_genesis(31337, "0x" + "AB" * 32, path)  # the same chain: no error
    with pytest.raises(DeploymentError, match=r"another chain 31337 \(genesis 0xabababab…, now"):
        record.check_genesis(31337, "0x" + "cd" * 32, path)


def test_registry__no_genesis_recorded__not_checked(tmp_path):
    record = DeploymentRegistry().for_chain(31337)
    record.check_genesis(31337, "0x" + "cd" * 32, tmp_path / "deployments.json")
