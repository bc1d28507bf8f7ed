"""`ape run deploy` logic: a second run changes nothing; interrupted, the next run finishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ssikit.chain.deployments import DeploymentRegistry
from ssikit.chain.protocol import Deployment, load_protocol
from ssikit.cli.main import cli
from ssikit.core.assets import MAG7_ASSETS
from ssikit.core.errors import DeploymentError


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
        "VersionRegistry",
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
        "list Issuer v1",
        "list ReserveOracle v1",
        f"bind vault to issuer {system.issuer.address}",
    ]
    assert system.roles.address == roles_address
    assert system.roles.hasRole(system.roles.INDEX_FACTORY_ROLE(), system.factory)


def test_deploy_config__dry_run_keeps_nothing(deployer, tmp_path, chain):
    from ssikit.chain.deploy_config import DeployConfig, dry_run

    config = DeployConfig.load(Path("examples/deploy-config.yaml"))
    registry = tmp_path / "deployments.json"
    nonce, head = deployer.nonce, chain.blocks.head.number
    plan = dry_run(deployer, config, registry)
    assert "deploy Issuer" in plan["actions"] and "create MAG7.ssi" in plan["actions"]
    assert any(a.startswith("begin admin transfer") for a in plan["actions"])
    assert plan["gas"] > 5_000_000 and plan["transactions"] >= len(plan["actions"])
    assert deployer.nonce == nonce and chain.blocks.head.number == head  # rewound
    assert not registry.exists()


def test_deploy_config__roles_handed_over_admin_accepts_after_the_delay(
    deployer, tmp_path, chain, accounts
):
    from ssikit.chain.deploy_config import DeployConfig, deploy

    config = DeployConfig.load(Path("examples/deploy-config.yaml"))
    deployment = Deployment(deployer, path=tmp_path / "deployments.json")
    system = deploy(deployment, config)
    roles = system.roles
    token = system.index("MAG7.ssi")
    assert roles.hasRole(roles.PAUSER_ROLE(), config.pausers[0])
    assert roles.hasRole(roles.CUSTODIAN_ROLE(), config.custodians[0])
    assert roles.hasIndexRole(roles.WLP_ROLE(), token, config.indices[0].wlps[0])
    assert roles.hasIndexRole(roles.INDEX_COMPILER_ROLE(), token, config.indices[0].compiler)
    pending, schedule = roles.pendingDefaultAdmin()
    assert pending == config.admin
    # Running it again changes nothing.
    again = Deployment(deployer, path=tmp_path / "deployments.json")
    deploy(again, config)
    assert again.actions == []
    # The new admin accepts once the delay has passed; the deployer keeps no role at all.
    safe = next(a for a in accounts if a.address == config.admin)
    chain.mine(1, timestamp=int(schedule) + 1)
    roles.acceptDefaultAdminTransfer(sender=safe)
    assert roles.defaultAdmin() == config.admin
    for name in ("DEFAULT_ADMIN_ROLE", "PAUSER_ROLE", "CUSTODIAN_ROLE", "ISSUER_ROLE"):
        assert not roles.hasRole(getattr(roles, name)(), deployer)


def test_deploy_config__admin_handed_to_a_real_safe(deployer, tmp_path, chain, accounts):
    """The admin role goes to a Safe (official v1.4.1 bytecode, 2-of-3 owners), which accepts
    it with a Safe transaction its owners sign (EIP-712); only then is the deployer out."""
    from ssikit.chain.deploy_config import DeployConfig, deploy
    from ssikit.chain.safe import deploy_safe, exec_transaction

    owners = [accounts[7], accounts[8], accounts[9]]
    safe = deploy_safe([o.address for o in owners], 2, deployer)
    assert safe.getThreshold() == 2
    base = DeployConfig.load(Path("examples/deploy-config.yaml"))
    config = base.model_copy(update={"admin": safe.address, "indices": []})
    system = deploy(Deployment(deployer, path=tmp_path / "deployments.json"), config)
    roles = system.roles
    pending, schedule = roles.pendingDefaultAdmin()
    assert pending == safe.address
    chain.mine(1, timestamp=int(schedule) + 1)
    accept = roles.acceptDefaultAdminTransfer.encode_input()
    with pytest.raises(Exception, match="GS020"):  # one signature is below the threshold
        exec_transaction(safe, roles.address, accept, owners[:1], sender=accounts[7])
    exec_transaction(safe, roles.address, accept, owners[1:], sender=accounts[7])
    assert roles.defaultAdmin() == safe.address
    assert not roles.hasRole(roles.DEFAULT_ADMIN_ROLE(), deployer)


@pytest.fixture
def recorded(deployer, tmp_path, chain):
    """A registry holding the system deployed on this chain, and its JSON."""
    path = tmp_path / "deployments.json"
    Deployment(deployer, path=path).system()
    return path, json.loads(path.read_text())


def _tampered(path, raw, chain_id, **record):
    raw["chains"][str(chain_id)].update(record)
    path.write_text(json.dumps(raw))
    return path


def test_deploy__records_the_chains_genesis_hash(recorded, chain):
    _, raw = recorded
    genesis = chain.provider.get_block(0).hash.to_0x_hex()
    assert raw["chains"][str(chain.chain_id)]["genesis"] == genesis


def test_load_protocol__file_from_a_restarted_chain__named_error(recorded, chain):
    path, raw = recorded
    _tampered(path, raw, chain.chain_id, genesis="0x" + "ab" * 32)
    with pytest.raises(DeploymentError, match="written for another chain") as err:
        load_protocol(path)
    assert f"chain {chain.chain_id} (genesis 0xabababab…, now 0x" in str(err.value)


def test_load_protocol__no_recorded_genesis__falls_back_to_the_code_check(recorded, chain):
    path, raw = recorded
    del raw["chains"][str(chain.chain_id)]["genesis"]
    path.write_text(json.dumps(raw))
    assert (
        load_protocol(path).roles.address
        == raw["chains"][str(chain.chain_id)]["contracts"]["ProtocolRoles"]["address"]
    )
    stranger = "0x" + "12" * 20  # nothing deployed there on this chain
    raw["chains"][str(chain.chain_id)]["contracts"]["Issuer"]["address"] = stranger
    path.write_text(json.dumps(raw))
    with pytest.raises(DeploymentError, match=r"another chain .*no code at its Issuer"):
        load_protocol(path)


def test_wlp_status__file_from_a_restarted_chain__one_line_and_non_zero_exit(recorded, chain):
    path, raw = recorded
    _tampered(path, raw, chain.chain_id, genesis="0x" + "ab" * 32)
    result = CliRunner().invoke(cli, ["wlp", "status", "--registry", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "was written for another chain" in lines[0], result.output
    assert lines[0].startswith("Error: ") and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click handled it: no exception escaped


def test_deploy__file_from_a_restarted_chain__records_afresh(recorded, deployer, chain):
    path, raw = recorded
    _tampered(path, raw, chain.chain_id, genesis="0x" + "ab" * 32)
    again = Deployment(deployer, path=path)
    again.system()
    assert "deploy ProtocolRoles" in again.actions  # the stale addresses were not reused
    assert (
        load_protocol(path).roles.address
        != raw["chains"][str(chain.chain_id)]["contracts"]["ProtocolRoles"]["address"]
    )


def test_deploy_config__example_two_indices__baskets_and_issuance_on_chain(
    deployer, tmp_path, chain, project
):
    """The example config (MAG7.ssi from its preset and L1.ssi spelled out) deploys both: each
    basket stored as written, each index's issuance limits, fees and reserve accounts as set."""
    from ssikit.chain.deploy_config import DeployConfig, deploy
    from ssikit.core.assets import KNOWN_ASSETS

    config = DeployConfig.load(Path("examples/deploy-config.yaml"))
    assert [e.index_symbol for e in config.indices] == ["MAG7.ssi", "L1.ssi"]
    system = deploy(Deployment(deployer, path=tmp_path / "deployments.json"), config)
    for entry in config.indices:
        token = system.index(entry.index_symbol)
        params, settings = entry.params(), entry.issuance.settings()
        stored = [(bytes(a), int(x)) for a, x in token.basketState()[0]]
        assert stored == params.basket.as_abi(), entry.index_symbol
        assert token.name() == params.name
        assert tuple(system.issuer.limits(token)) == settings.limits()
        assert tuple(system.issuer.fees(token)) == (settings.mint_fee_bps, settings.redeem_fee_bps)
        for asset_id, _ in stored:
            opened, max_age, custodians, _ = system.oracle.accountConfig(token, asset_id)
            assert (opened, max_age, custodians) == (True, settings.max_age, 1)
            assert system.oracle.isCustodianOf(config.custodians[0], token, asset_id)
        for wlp in entry.wlps:
            assert system.roles.hasIndexRole(system.roles.WLP_ROLE(), token, wlp)
    l1 = config.indices[1]
    assert l1.issuance.settings().max_age == 43_200 and l1.issuance.mint_fee_bps == 15
    dot = KNOWN_ASSETS["DOT"]
    feed, feed_max_age, _ = system.assets.priceFeed(dot.id)
    assert feed_max_age == config.feed_max_age
    assert project.TestPriceFeed.at(feed).latestRoundData()[1] == 720_000_000  # test_prices.DOT


def test_deploy_config__example_again__sends_nothing(deployer, tmp_path, chain):
    from ssikit.chain.deploy_config import DeployConfig, deploy

    config = DeployConfig.load(Path("examples/deploy-config.yaml"))
    path = tmp_path / "deployments.json"
    deploy(Deployment(deployer, path=path), config)
    nonce, head = deployer.nonce, chain.blocks.head.number
    again = Deployment(deployer, path=path)
    deploy(again, config)
    assert again.actions == []
    assert (deployer.nonce, chain.blocks.head.number) == (nonce, head)


def test_deploy_config__live_chain_feed_missing__refused_before_sending(
    deployer, tmp_path, chain, monkeypatch
):
    from ssikit.chain import asset_setup
    from ssikit.chain.deploy_config import DeployConfig, DeployConfigError, deploy

    monkeypatch.setattr(asset_setup, "LOCAL_CHAIN_IDS", ())  # this chain counts as live
    config = DeployConfig.load(Path("examples/deploy-config.yaml"))
    nonce = deployer.nonce
    with pytest.raises(DeployConfigError, match=r"price_feeds\.BTC: a live chain needs"):
        deploy(Deployment(deployer, path=tmp_path / "deployments.json"), config)
    assert deployer.nonce == nonce


def _deploy_script():
    """`scripts/deploy.py`'s click command, as `ape run deploy` loads it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("deploy_script", "scripts/deploy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


@pytest.mark.parametrize("with_config", [False, True])
def test_deploy_script__dry_run_sends_nothing_with_or_without_config(
    with_config, deployer, tmp_path, chain
):
    registry = tmp_path / "deployments.json"
    args = ["--dry-run", "--registry", str(registry), "--network", "ethereum:local:foundry"]
    if with_config:
        args += ["--config", "examples/deploy-config.yaml"]
    nonce, head = deployer.nonce, chain.blocks.head.number
    result = CliRunner().invoke(_deploy_script(), args)
    assert result.exit_code == 0, result.output
    assert "dry run:" in result.output and "nothing was kept" in result.output
    assert "deploy Issuer" in result.output
    assert deployer.nonce == nonce and chain.blocks.head.number == head
    assert not registry.exists()


def test_deploy__existing_symbol_with_another_basket__refused_before_sending(
    deployer, tmp_path, mag7_params
):
    from ssikit.core.basket import Basket, Component

    deployment, system = _full_run(deployer, tmp_path / "deployments.json", mag7_params)
    first = mag7_params.basket.components[0]
    changed = Component(asset_id=first.asset_id, amount=first.amount + 1)
    other = Basket.of([changed, *mag7_params.basket.components[1:]])
    nonce = deployer.nonce
    with pytest.raises(DeploymentError, match=r"MAG7\.ssi already exists .* a different basket"):
        deployment.index(system, mag7_params.model_copy(update={"basket": other}))
    assert deployer.nonce == nonce
    assert deployment.index(system, mag7_params).address == system.factory.indexOf("MAG7.ssi")


def test_local_index_script__symbol_taken_by_another_basket__one_line(
    deployer, accounts, tmp_path, monkeypatch
):
    """`make local-index` on a node whose MAG7.ssi has another basket (the demo's, say) says so
    in one line with what to do, not a traceback."""
    import importlib.util

    from ssikit.core.basket import Basket, Component
    from ssikit.presets.indices import mag7_params

    monkeypatch.chdir(tmp_path)  # the script's registry is ./deployments.json
    params = mag7_params(accounts[1].address, accounts[4].address)
    first = params.basket.components[0]
    changed = Component(asset_id=first.asset_id, amount=first.amount * 2)
    deployment = Deployment(deployer, path=Path("deployments.json"))
    system = deployment.system()
    deployment.assets(system, MAG7_ASSETS)
    other = params.model_copy(
        update={"basket": Basket.of([changed, *params.basket.components[1:]])}
    )
    deployment.index(system, other)
    spec = importlib.util.spec_from_file_location(
        "local_index_script", Path(__file__).parents[2] / "scripts" / "local_index.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = CliRunner().invoke(module.cli, ["--network", "ethereum:local:foundry"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and "a different basket" in lines[0], result.output
    assert "restart `make anvil` and remove deployments.json" in lines[0]
    assert "Traceback" not in result.output
