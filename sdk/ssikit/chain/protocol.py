"""Deploying and loading an ssikit system through Ape, idempotently.

Every step first looks in the deployments registry and on chain: a contract whose address is
recorded and has code is reused, a role already held is not granted again, an asset already
registered is not registered again, an index whose symbol exists is not created again. The
registry is saved after each step, so a deployment that fails half-way resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..builders.index import create_index_args, index_differences
from ..core.assets import Asset
from ..core.errors import DeploymentError
from ..core.index import IndexParams
from ..core.lifecycle import VersionKind
from . import artifacts
from .asset_setup import (
    DEFAULT_FEED_MAX_AGE,
    DEFAULT_RESERVE_MAX_AGE,
    TEST_FEED_DECIMALS,
    AssetSetup,
    set_up_account,
    set_up_asset,
)
from .deployments import DEFAULT_PATH, ChainDeployments, Deployed, DeploymentRegistry

Log = Callable[[str], None]


SYSTEM_CONTRACTS = (
    "ProtocolRoles",
    "AssetRegistry",
    "IndexFactory",
    "CustodyVault",
    "ReserveOracle",
    "Issuer",
    "VersionRegistry",
)


def _noop(_: str) -> None:
    return None


@dataclass
class Protocol:
    """The system contracts of one deployment, as Ape contract instances, and where their
    events are indexed (``indexed()``)."""

    roles: Any
    assets: Any
    factory: Any
    vault: Any
    oracle: Any
    issuer: Any
    versions: Any
    registry: Path | None = None  # the deployments registry (addresses, deployment blocks)
    db: str | None = None  # the index's database URL; None: the embedded SQLite file
    # called after each page every sync of the index commits (``Indexer.sync``'s ``on_page``)
    on_sync_page: Callable[[Any], None] | None = field(default=None, compare=False, repr=False)
    _source: Any = field(default=None, init=False, repr=False, compare=False)

    def indexed(self) -> Any:
        """The deployment's event index (``chain.indexed.IndexedSource``), opened once; every
        read syncs it to the head first."""
        from ape import chain

        from .indexed import IndexedSource

        if self.registry is None:
            raise DeploymentError(
                "this Protocol has no deployments registry: the event index needs its "
                "deployment blocks (load_protocol(path) or Deployment.system() record them)"
            )
        if self._source is not None and self._source.moved():  # $SSIKIT_HOME changed
            self._source.close()
            self._source = None
        if self._source is None:
            self._source = IndexedSource(
                chain.provider.web3, self.registry, self.db, on_page=self.on_sync_page
            )
        return self._source

    def index(self, symbol: str) -> Any:
        """The index token with this symbol; DeploymentError if there is none."""
        address = self.factory.indexOf(symbol)
        if int(address, 16) == 0:
            raise DeploymentError(f"no index with symbol {symbol!r}")
        return artifacts.container("IndexToken").at(address)

    # -- lifecycle: an index's issuer and oracle can move (IIndexToken.executeMove) ----------
    def issuer_at(self, address: str) -> Any:
        """The Issuer contract at ``address`` (the deployment's own, or another version)."""
        if address.lower() == self.issuer.address.lower():
            return self.issuer
        return artifacts.container("Issuer").at(address)

    def issuer_for(self, token: Any) -> Any:
        """The issuer ``token`` points at now: where its new requests go."""
        return self.issuer_at(token.issuer())

    def oracle_for(self, token: Any) -> Any:
        """The reserve oracle ``token`` points at now: what gates its mints."""
        address = token.oracle()
        if address.lower() == self.oracle.address.lower():
            return self.oracle
        return artifacts.container("ReserveOracle").at(address)


class Deployment:
    """One deployer account deploying to the connected chain, recording as it goes."""

    def __init__(self, sender: Any, path: Path = DEFAULT_PATH, log: Log = _noop) -> None:
        from ape import chain

        self.sender = sender
        self.path = path
        self.log = log
        self.chain_id = chain.chain_id
        self.registry = DeploymentRegistry.load(path)
        self.record = self.registry.for_chain(self.chain_id)
        genesis = genesis_hash()
        if self.record.genesis is not None and self.record.genesis.lower() != genesis.lower():
            # Recorded on a chain that no longer exists (an Anvil since restarted): its
            # addresses mean nothing here, so this chain's record starts again.
            log(f"{path}: chain {self.chain_id} is not the one recorded: recording afresh")
            self.record = self.registry.chains[str(self.chain_id)] = ChainDeployments()
        self.record.genesis = genesis  # saved with the first contract recorded
        self.actions: list[str] = []

    # -- helpers ---------------------------------------------------------------------------
    def _has_code(self, address: str) -> bool:
        from ape import chain

        return len(chain.provider.get_code(address)) > 0

    def _save(self) -> None:
        self.registry.save(self.path)

    def contract(self, name: str, *args: Any, container: Any = None) -> Any:
        """The recorded contract ``name`` if it has code, or a new deployment of it (from the
        SDK's artifacts of ``name``, or from ``container``: another artifact, such as a price
        feed recorded under its asset's name)."""
        container = container if container is not None else artifacts.container(name)
        known = self.record.contracts.get(name)
        if known is not None and self._has_code(known.address):
            self.log(f"{name}: already at {known.address}")
            return container.at(known.address)
        instance = container.deploy(*args, sender=self.sender)
        receipt = instance.creation_metadata.receipt if instance.creation_metadata else None
        self.record.contracts[name] = Deployed(
            address=instance.address,
            tx_hash=receipt.txn_hash if receipt is not None else None,
            block=receipt.block_number if receipt is not None else None,
        )
        self._save()
        self.actions.append(f"deploy {name}")
        self.log(f"{name}: deployed at {instance.address}")
        return instance

    def uniswap(self) -> Any:
        """Uniswap V2 (WETH9, factory, Router02) from the official npm bytecode, once."""
        from .uniswap import Uniswap

        weth = self.contract("WETH9")
        factory = self.contract("UniswapV2Factory", self.sender.address)
        router = self.contract("UniswapV2Router02", factory.address, weth.address)
        return Uniswap(factory=factory, router=router, weth=weth)

    def reserve_feed(self, protocol: Protocol, index: Any, asset: Asset) -> Any:
        """The ``ReserveFeed`` of ``index``'s reserves of ``asset`` over the oracle, once
        (recorded as ``ReserveFeed.<index symbol>.<asset symbol>``)."""
        from .reserve_feed import feed_description, feed_record_name

        symbol = index.symbol()
        return self.contract(
            feed_record_name(symbol, asset.symbol),
            protocol.oracle.address,
            index.address,
            asset.id,
            asset.decimals,
            feed_description(asset, symbol),
            container=artifacts.container("ReserveFeed"),
        )

    def grant(self, roles: Any, role: bytes, account: str, label: str) -> None:
        if roles.hasRole(role, account):
            self.log(f"role {label}: already held by {account}")
            return
        roles.grantRole(role, account, sender=self.sender)
        self.actions.append(f"grant {label} to {account}")
        self.log(f"role {label}: granted to {account}")

    # -- steps -----------------------------------------------------------------------------
    def system(self, admin: str | None = None, admin_delay: int = 0) -> Protocol:
        """Every system contract, with the roles the contracts themselves need: the factory wires
        new indices, the issuer releases from the vault (its indices' mint, lock and burn trust it
        by construction).

        ``admin`` defaults to the deployer; on a live network it should be a timelock or Safe.
        """
        admin = admin or self.sender.address
        roles = self.contract("ProtocolRoles", admin_delay, admin)
        assets = self.contract("AssetRegistry", roles.address)
        versions = self.contract("VersionRegistry", roles.address)
        vault = self.contract("CustodyVault", roles.address, versions.address)
        oracle = self.contract("ReserveOracle", roles.address, assets.address, vault.address)
        issuer = self.contract("Issuer", roles.address, assets.address, vault.address)
        # New indices start on this issuer and oracle (clone arguments); each index may later
        # move to another listed version by its own two-step move.
        factory = self.contract(
            "IndexFactory",
            roles.address,
            assets.address,
            versions.address,
            issuer.address,
            oracle.address,
        )
        self.grant(roles, roles.INDEX_FACTORY_ROLE(), factory.address, "INDEX_FACTORY")
        self.grant(roles, roles.ISSUER_ROLE(), issuer.address, "ISSUER")
        self.list_version(versions, VersionKind.ISSUER, issuer.address, "Issuer v1")
        self.list_version(versions, VersionKind.ORACLE, oracle.address, "ReserveOracle v1")
        self.bind_issuer(vault, issuer.address)
        return Protocol(
            roles=roles,
            assets=assets,
            factory=factory,
            vault=vault,
            oracle=oracle,
            issuer=issuer,
            versions=versions,
            registry=self.path,
        )

    def list_version(self, versions: Any, kind: VersionKind, target: str, label: str) -> None:
        """Lists ``target`` as a ``kind`` in the version registry, once."""
        if versions.wasListed(int(kind), target):
            self.log(f"version {label}: already listed")
            return
        versions.list(int(kind), target, label, sender=self.sender)
        self.actions.append(f"list {label}")
        self.log(f"version {label}: listed {target}")

    def bind_issuer(self, vault: Any, issuer: str) -> None:
        """Binds ``issuer`` (a listed issuer version) to the vault, once."""
        if vault.isBoundIssuer(issuer):
            self.log(f"CustodyVault: issuer {issuer} already bound")
            return
        vault.bindIssuer(issuer, sender=self.sender)
        self.actions.append(f"bind vault to issuer {issuer}")
        self.log(f"CustodyVault: bound issuer {issuer}")

    def asset(
        self,
        protocol: Protocol,
        asset: Asset,
        *,
        feed: str | None = None,
        price: Decimal | Fraction | None = None,
        feed_max_age: int = DEFAULT_FEED_MAX_AGE,
        update_price: bool = False,
        index: str | None = None,
        custodians: Iterable[str] = (),
        reserve_max_age: int = DEFAULT_RESERVE_MAX_AGE,
        replace: bool = False,
    ) -> AssetSetup:
        """``set_up_asset`` from the deployer, recorded: the asset's id in the registry file,
        a TestPriceFeed it deploys as ``TestPriceFeed <symbol>``, what it sent in ``actions``."""
        name = f"TestPriceFeed {asset.symbol}"

        def deploy_feed(a: Asset, answer: int) -> str:
            return str(
                self.contract(
                    name,
                    TEST_FEED_DECIMALS,
                    f"{a.symbol} / USD (test)",
                    answer,
                    container=artifacts.container("TestPriceFeed"),
                ).address
            )

        setup = set_up_asset(
            protocol,
            asset,
            sender=self.sender,
            feed=feed,
            price=price,
            feed_max_age=feed_max_age,
            update_price=update_price,
            index=index,
            custodians=custodians,
            reserve_max_age=reserve_max_age,
            replace=replace,
            deploy_feed=deploy_feed,
        )
        for action in setup.actions:
            if not action.startswith("deploy "):  # self.contract() noted its deployment
                self.actions.append(action)
                self.log(f"asset {asset.symbol}: {action}")
        if not setup.actions:
            self.log(f"asset {asset.symbol}: already set up")
        self.record.assets[asset.symbol] = asset.id_hex
        self._save()
        return setup

    def assets(self, protocol: Protocol, assets: Iterable[Asset]) -> dict[str, bytes]:
        """Registers the assets not yet registered; returns symbol -> asset id."""
        return {a.symbol: self.asset(protocol, a).asset.id for a in assets}

    def price_feeds(
        self,
        protocol: Protocol,
        prices: Mapping[Asset, Decimal | Fraction],
        max_age: int = DEFAULT_FEED_MAX_AGE,
        addresses: Mapping[str, str] | None = None,
        update: bool = False,
    ) -> dict[str, str]:
        """A USD price feed in the registry for every asset of ``prices`` (registered first if
        it is not); returns symbol -> feed (``set_up_asset``'s second step).

        An asset whose symbol is in ``addresses`` gets that feed (a Chainlink aggregator on a
        live network). Otherwise, on a local chain only, the deployer's TestPriceFeed answering
        ``prices[asset]`` (8 decimals, rounded down) stands in for one; elsewhere a missing feed
        is an AssetSetupError. An asset that already has a feed keeps it (another address or
        staleness limit asked for: AssetSetupConflict, nothing sent); with ``update``, on a
        local chain, that feed (a TestPriceFeed of this deployer) is set to the new price unless
        it answers it already, fresh: the local market moved."""
        addresses = dict(addresses or {})
        found: dict[str, str] = {}
        for asset, usd in prices.items():
            feed = addresses.get(asset.symbol)
            setup = self.asset(
                protocol,
                asset,
                feed=feed,
                price=None if feed is not None else usd,
                feed_max_age=max_age,
                update_price=update,
            )
            assert setup.feed is not None
            found[asset.symbol] = setup.feed
        return found

    def index(self, protocol: Protocol, params: IndexParams) -> Any:
        """Creates the index unless one with its symbol exists. An existing one must be the
        index ``params`` describe (name, maximum fee rate and, before any rebalance, basket:
        ``builders.index.index_differences``), else DeploymentError naming how it differs."""
        existing = protocol.factory.indexOf(params.symbol)
        if int(existing, 16) != 0:
            token = artifacts.container("IndexToken").at(existing)
            stored, _, _, version, _ = token.basketState()
            differences = index_differences(
                params,
                str(token.name()),
                int(token.maxFeeRate()),
                [(bytes(a), int(x)) for a, x in stored],
                int(version),
            )
            if differences:
                raise DeploymentError(
                    f"index {params.symbol} already exists at {existing} with "
                    + "; ".join(differences)
                    + ": a symbol names one index; choose another symbol, or change a basket "
                    "by a rebalance"
                )
            self.log(f"index {params.symbol}: already at {existing}")
            known = self.record.indices.get(params.symbol)
            if known is None or known.address.lower() != str(existing).lower():
                self.record.indices[params.symbol] = Deployed(address=existing)
            self._save()
            return token
        receipt = protocol.factory.createIndex(create_index_args(params), sender=self.sender)
        created = receipt.decode_logs(protocol.factory.IndexCreated)[0]
        self.record.indices[params.symbol] = Deployed(
            address=created.index, tx_hash=receipt.txn_hash, block=receipt.block_number
        )
        self._save()
        self.actions.append(f"create {params.symbol}")
        self.log(f"index {params.symbol}: created at {created.index} (gas {receipt.gas_used})")
        return artifacts.container("IndexToken").at(created.index)


@dataclass(frozen=True)
class IssuanceSettings:
    """How an index is issued: limits {index wei}, fees {bps}, reserve staleness {seconds}."""

    min_amount: int = 10**16
    max_amount: int = 10_000 * 10**18
    mint_capacity: int = 50_000 * 10**18
    redeem_capacity: int = 50_000 * 10**18
    participant_mint_capacity: int = 20_000 * 10**18
    participant_redeem_capacity: int = 20_000 * 10**18
    window: int = 86_400
    mint_fee_bps: int = 10
    redeem_fee_bps: int = 20
    max_age: int = DEFAULT_RESERVE_MAX_AGE

    def limits(self) -> tuple[int, int, int, int, int, int, int]:
        return (
            self.min_amount,
            self.max_amount,
            self.mint_capacity,
            self.redeem_capacity,
            self.participant_mint_capacity,
            self.participant_redeem_capacity,
            self.window,
        )


def configure_issuance(
    deployment: Deployment,
    protocol: Protocol,
    token: Any,
    settings: IssuanceSettings,
    custodians: Iterable[str],
    wlps: Iterable[str],
) -> None:
    """Limits, fees, the oracle's assets and custodians, and the WLP and custodian roles of an
    index; each step only if not already so (safe to run again)."""
    sender, roles, oracle, issuer = (
        deployment.sender,
        protocol.roles,
        protocol.oracle,
        protocol.issuer,
    )
    custodians, wlps = list(custodians), list(wlps)
    if tuple(issuer.limits(token)) != settings.limits():
        issuer.setLimits(token, settings.limits(), sender=sender)
    if tuple(issuer.fees(token)) != (settings.mint_fee_bps, settings.redeem_fee_bps):
        issuer.setFees(token, settings.mint_fee_bps, settings.redeem_fee_bps, sender=sender)
    for asset_id, _ in token.basketState()[0]:
        set_up_account(oracle, token.address, bytes(asset_id), settings.max_age, custodians, sender)
    for custodian in custodians:
        # The protocol-wide role reports reserves; the index's own role settles its requests.
        deployment.grant(roles, roles.CUSTODIAN_ROLE(), custodian, "CUSTODIAN")
        deployment.grant(
            roles,
            roles.indexRole(roles.CUSTODIAN_ROLE(), token),
            custodian,
            f"CUSTODIAN of {token.symbol()}",
        )
    for wlp in wlps:
        deployment.grant(
            roles, roles.indexRole(roles.WLP_ROLE(), token), wlp, f"WLP of {token.symbol()}"
        )
    deployment.log(f"index {token.symbol()}: issuance configured")


def genesis_hash() -> str:
    """The connected chain's block 0 hash (0x hex): with the chain id, what names the chain."""
    from ape import chain

    return "0x" + bytes(chain.provider.get_block(0).hash).hex()


def load_protocol(path: Path = DEFAULT_PATH, db: str | None = None) -> Protocol:
    """The recorded system on the connected chain, its events indexed in the database at ``db``
    (default: the embedded SQLite file); DeploymentError if it is not deployed, or if the file
    was written for another chain with the same id (its genesis hash, or no code at a recorded
    address: an Anvil since restarted)."""
    from ape import chain

    record = DeploymentRegistry.load(path).for_chain(chain.chain_id)
    record.check_genesis(chain.chain_id, genesis_hash(), path)
    found = {}
    for name in SYSTEM_CONTRACTS:
        known = record.contracts.get(name)
        if known is None:
            raise DeploymentError(f"{name} is not deployed on chain {chain.chain_id} ({path})")
        if len(chain.provider.get_code(known.address)) == 0:
            raise DeploymentError(
                f"{path} was written for another chain {chain.chain_id} (no code at its {name} "
                f"{known.address}): redeploy or remove it"
            )
        found[name] = artifacts.container(name).at(known.address)
    return Protocol(
        roles=found["ProtocolRoles"],
        assets=found["AssetRegistry"],
        factory=found["IndexFactory"],
        vault=found["CustodyVault"],
        oracle=found["ReserveOracle"],
        issuer=found["Issuer"],
        versions=found["VersionRegistry"],
        registry=path,
        db=db,
    )
