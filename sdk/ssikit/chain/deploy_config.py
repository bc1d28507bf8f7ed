"""Deploying from a config file: who gets which role, which indices exist, and the hand-off of the
admin role (to a timelock or a Safe) with the deployer keeping nothing it should not; plus a dry
run that executes the whole plan on a throwaway copy of the chain and reports its gas."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.assets import MAG7_ASSETS
from ..core.errors import DeploymentError
from ..presets.indices import mag7_params
from ..presets.synthetic import synthetic_prices
from .protocol import (
    DEFAULT_FEED_MAX_AGE,
    Deployment,
    IssuanceSettings,
    Protocol,
    configure_issuance,
)


def _checksum(value: str) -> str:
    if not is_address(value):
        raise ValueError(f"not an address: {value!r}")
    return to_checksum_address(value)


class IndexEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preset: str = Field(default="MAG7", description="only MAG7's parameters are built in")
    symbol: str | None = None
    compiler: str
    fee_recipient: str
    wlps: list[str] = Field(default_factory=list)

    @field_validator("compiler", "fee_recipient")
    @classmethod
    def _address(cls, value: str) -> str:
        return _checksum(value)

    @field_validator("wlps")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [_checksum(v) for v in values]


class DeployConfig(BaseModel):
    """``admin``: the account (timelock or Safe) the admin role is handed to, in two steps
    (it accepts after ``admin_delay`` seconds); None keeps the deployer as admin.
    ``price_feeds``: symbol -> Chainlink USD feed address, with staleness ``feed_max_age``
    {seconds}; on a local chain an asset without one gets a TestPriceFeed at the synthetic
    market's price."""

    model_config = ConfigDict(extra="forbid")

    admin: str | None = None
    admin_delay: int = Field(default=0, ge=0)
    pausers: list[str] = Field(default_factory=list)
    custodians: list[str] = Field(default_factory=list)
    indices: list[IndexEntry] = Field(default_factory=list)
    price_feeds: dict[str, str] = Field(default_factory=dict)
    feed_max_age: int = Field(default=DEFAULT_FEED_MAX_AGE, gt=0, lt=2**32)

    @field_validator("price_feeds")
    @classmethod
    def _feeds(cls, values: dict[str, str]) -> dict[str, str]:
        return {k: _checksum(v) for k, v in values.items()}

    @field_validator("admin")
    @classmethod
    def _admin(cls, value: str | None) -> str | None:
        return None if value is None else _checksum(value)

    @field_validator("pausers", "custodians")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [_checksum(v) for v in values]

    @classmethod
    def load(cls, path: Path) -> DeployConfig:
        try:
            return cls.model_validate(yaml.safe_load(Path(path).read_text()) or {})
        except (OSError, ValueError) as err:
            raise DeploymentError(f"{path}: {err}") from err


def deploy(deployment: Deployment, config: DeployConfig) -> Protocol:
    """Everything the config asks for, each step once; then the admin hand-off."""
    system = deployment.system(admin_delay=config.admin_delay)
    deployment.assets(system, MAG7_ASSETS)
    deployment.price_feeds(system, synthetic_prices(), config.feed_max_age, config.price_feeds)
    roles = system.roles
    for entry in config.indices:
        if entry.preset != "MAG7":
            raise DeploymentError(f"unknown index preset {entry.preset!r} (MAG7 is built in)")
        params = mag7_params(entry.compiler, entry.fee_recipient)
        if entry.symbol:
            params = params.model_copy(update={"symbol": entry.symbol})
        token = deployment.index(system, params)
        configure_issuance(
            deployment, system, token, IssuanceSettings(), config.custodians, entry.wlps
        )
    for pauser in config.pausers:
        deployment.grant(roles, roles.PAUSER_ROLE(), pauser, "PAUSER")
    hand_off(deployment, system, config)
    return system


def hand_off(deployment: Deployment, system: Protocol, config: DeployConfig) -> None:
    """The deployer gives up every role but the admin's, and starts the admin's transfer to
    ``config.admin`` (which completes when that account accepts, after the delay)."""
    roles, me = system.roles, deployment.sender.address
    for name in ("PAUSER_ROLE", "CUSTODIAN_ROLE", "ISSUER_ROLE", "INDEX_FACTORY_ROLE"):
        role = getattr(roles, name)()
        if roles.hasRole(role, me) and me not in (*config.pausers, *config.custodians):
            roles.renounceRole(role, me, sender=deployment.sender)
            deployment.actions.append(f"renounce {name} (deployer)")
    if config.admin is None or config.admin == me:
        return
    pending, _ = roles.pendingDefaultAdmin()
    if str(pending).lower() == config.admin.lower():
        deployment.log(f"admin transfer to {config.admin}: already pending")
        return
    roles.beginDefaultAdminTransfer(config.admin, sender=deployment.sender)
    deployment.actions.append(f"begin admin transfer to {config.admin}")


def dry_run(sender: Any, config: DeployConfig, registry: Path) -> dict[str, Any]:
    """Runs the deployment on the connected local or forked chain, notes every transaction and
    its gas, then rewinds the chain; the registry file is left as it was."""
    from ape import chain

    network = chain.provider.network.name
    if not (network == "local" or network.endswith("-fork") or chain.chain_id == 31337):
        raise DeploymentError(
            "a dry run needs a throwaway chain: use --network ethereum:<name>-fork:foundry "
            "(Anvil forking the live network) or a local one"
        )
    snapshot = chain.snapshot()
    first = int(chain.blocks.head.number) + 1
    try:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "deployments.json"
            if registry.exists():
                shutil.copy(registry, copy)
            deployment = Deployment(sender, path=copy)
            deploy(deployment, config)
            txs = []
            for number in range(first, int(chain.blocks.head.number) + 1):
                for txn in chain.blocks[number].transactions:
                    receipt = chain.provider.get_receipt("0x" + bytes(txn.txn_hash).hex())
                    txs.append({"to": txn.receiver or "(create)", "gas": int(receipt.gas_used)})
            actions = list(deployment.actions)
    finally:
        chain.restore(snapshot)
    return {
        "actions": actions,
        "transactions": len(txs),
        "gas": sum(t["gas"] for t in txs),
        "per_transaction": txs,
    }
