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
