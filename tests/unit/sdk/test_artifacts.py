"""The contract artifacts the SDK ships (``ssikit/artifacts``, written by ``make artifacts``) and
its one loader, ``ssikit.chain.artifacts`` (no chain: files only)."""

from __future__ import annotations

import json

import pytest

from ssikit.chain import artifacts
from ssikit.chain.artifacts import ArtifactError, artifact, contract_type, packaged_names


@pytest.fixture(scope="module")
def packaged() -> list[str]:
    names = packaged_names()
    if not names:
        pytest.skip("no packaged artifacts (make artifacts): the SDK reads the checkout's build")
    return names


def test_packaged_artifacts__same_abi_and_bytecode_as_the_build_they_came_from(packaged):
    """A stale package (contracts compiled again without `make artifacts`) fails here."""
    manifest = json.loads(artifacts.BUILD_MANIFEST.read_text())["contractTypes"]
    for name in packaged:
        shipped = json.loads((artifacts.PACKAGED / f"{name}.json").read_text())
        if name in artifacts.THIRD_PARTY:
            source = json.loads((artifacts.NODE_MODULES / artifacts.THIRD_PARTY[name]).read_text())
            abi, bytecode = source["abi"], source["bytecode"]
        else:
            compiled = manifest[name]
            abi, bytecode = compiled["abi"], compiled["deploymentBytecode"].get("bytecode")
        assert shipped["abi"] == abi, name
        assert shipped["bytecode"].removeprefix("0x") == (bytecode or "").removeprefix("0x"), name


def test_packaged_artifacts__protocol_and_third_party__no_test_harness(packaged):
    assert {"Issuer", "IndexToken", "IndexFactory", "ReserveOracle", "VersionRegistry"} <= set(
        packaged
    )
    assert {"UniswapV2Router02", "WETH9", "Safe", "SafeProxyFactory"} <= set(packaged)
    assert {"TestToken", "TestPriceFeed"} <= set(packaged)  # deployed on local chains
    assert "MathHarness" not in packaged and "ReentrantToken" not in packaged


def test_contract_type__abi_with_errors_and_creation_bytecode():
    issuer = contract_type("Issuer")
    assert issuer.name == "Issuer"
    assert "IssuerAmountOutOfLimits" in {e.name for e in issuer.errors}
    creation = str(issuer.deployment_bytecode.bytecode)
    assert creation == "0x" + artifact("Issuer")["bytecode"].removeprefix("0x")
    assert len(creation) > 2 * 20_000  # the Issuer is near the 24 KiB code limit
    interface = contract_type("AggregatorV3Interface")  # an interface: calls only
    assert "latestRoundData" in {m.name for m in interface.view_methods}


def test_artifact__unknown_name__artifact_error():
    with pytest.raises(ArtifactError, match="no artifact for contract 'NoSuchContract'"):
        artifact("NoSuchContract")
