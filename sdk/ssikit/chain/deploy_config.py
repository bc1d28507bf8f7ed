"""Deploying from a config file: who gets which role, which indices exist, and the hand-off of the
admin role (to a timelock or a Safe) with the deployer keeping nothing it should not; plus a dry
run that executes the whole plan on a throwaway copy of the chain and reports its gas."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import yaml
from eth_utils import is_address, to_checksum_address
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..core.assets import KNOWN_ASSETS, MAG7_ASSETS, Asset
from ..core.basket import Basket, Component
from ..core.errors import DeploymentError, FeeError
from ..core.index import IndexParams
from ..core.units import FEE_RATE_CEILING, INDEX_UNIT, MAX_AMOUNT, PRECISION
from ..math.fees import per_second_rate
from ..presets.indices import mag7_params
from ..presets.synthetic import synthetic_prices
from .protocol import (
    DEFAULT_FEED_MAX_AGE,
    Deployment,
    IssuanceSettings,
    Protocol,
    configure_issuance,
)

MAX_FEE_BPS = 500
"""Highest mint or redeem fee {bps} (Issuer.MAX_FEE_BPS: 5%)."""
LIMIT_UNIT = 10**12
"""Issuance limits' minimum and maximum are multiples of this {index wei} (Issuer.LIMIT_UNIT)."""
UINT96_MAX, UINT48_MAX, UINT32_MAX = 2**96 - 1, 2**48 - 1, 2**32 - 1


class DeployConfigError(DeploymentError):
    """A deployment config that cannot be deployed, in one line naming the field and why:
    ``field`` is its path (``indices[1].basket``), ``rule`` the check broken (``unknown_asset``,
    ``empty_basket``, ``non_positive_amount``, ``amount_too_precise``, ``duplicate_symbol``,
    ``duplicate_key``, ``fee_above_cap``, ``not_an_address``, ``invalid_limits``, or pydantic's
    own error type such as ``missing``). Nothing was deployed."""

    def __init__(self, source: str, field: str, rule: str, message: str) -> None:
        super().__init__(f"{source}: {field}: {message}" if field else f"{source}: {message}")
        self.source = source
        self.field = field
        self.rule = rule


def _error(rule: str, message: str) -> PydanticCustomError:
    # Braces in a message are pydantic's placeholders: double them, the message is final.
    return PydanticCustomError(rule, message.replace("{", "{{").replace("}", "}}"))


def _checksum(value: str) -> str:
    if not isinstance(value, str) or not is_address(value):
        raise _error("not_an_address", f"not an address: {value!r}")
    return to_checksum_address(value)


def _known_asset(symbol: str) -> Asset:
    asset = KNOWN_ASSETS.get(symbol.upper())
    if asset is None:
        known = ", ".join(sorted(KNOWN_ASSETS))
        raise _error("unknown_asset", f"unknown asset symbol {symbol!r} (known: {known})")
    return asset


def _amount(value: object) -> Decimal:
    """A YAML number or a decimal string as an exact Decimal (a float by its shortest repr,
    which is what was written: 0.0005, not 0.000500000000000000010408...)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _error("not_a_number", f"not a number: {value!r}")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except ArithmeticError:
        raise _error("not_a_number", f"not a number: {value!r}") from None
    if not amount.is_finite():
        raise _error("not_a_number", f"not a finite number: {value!r}")
    return amount


def _scaled(amount: Decimal, factor: int) -> Fraction:
    """``amount × factor``, exactly (Decimal arithmetic rounds to 28 digits)."""
    return Fraction(amount) * factor


def _tokens(wei: int) -> Decimal:
    """{index wei} -> whole index tokens, exactly."""
    return Decimal(wei).scaleb(-18)


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise _error("list_type", f"give a list, not {value!r}")
    return value


def _mapping(value: object) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise _error("dict_type", f"give a mapping of asset symbols, not {value!r}")
    return value


def _unique_symbols(symbols: list[str]) -> None:
    upper = [s.upper() for s in symbols]
    if duplicated := sorted({s for s in upper if upper.count(s) > 1}):
        raise _error("duplicate_symbol", f"symbols given twice: {', '.join(duplicated)}")


class FeeEntry(BaseModel):
    """An index's management fee: ``annual``, the fraction of the backing charged per 365-day
    year ("0.0095" = 0.95 %, compounding per second, rounded down), and ``max_annual``, its cap,
    fixed forever at creation; the cap's per-second rate may be at most the factory's
    FEE_RATE_CEILING (1e-8 per second, about 27 % a year)."""

    model_config = ConfigDict(extra="forbid")

    annual: Decimal
    max_annual: Decimal

    @field_validator("annual", "max_annual", mode="before")
    @classmethod
    def _exact(cls, value: object) -> Decimal:
        return _amount(value)

    @field_validator("annual", "max_annual")
    @classmethod
    def _rate(cls, value: Decimal) -> Decimal:
        try:
            rate = per_second_rate(value)
        except FeeError as err:
            raise _error("fee_above_cap", str(err)) from None
        if rate > FEE_RATE_CEILING:  # per_second_rate refuses it already; kept for clarity
            raise _error("fee_above_cap", f"annual fee {value} is above the protocol ceiling")
        return value

    @model_validator(mode="after")
    def _within_cap(self) -> FeeEntry:
        if self.annual > self.max_annual:
            raise _error(
                "fee_above_cap",
                f"annual {self.annual} is above its cap max_annual {self.max_annual}",
            )
        return self

    def rates(self) -> tuple[int, int]:
        """(fee rate, max fee rate) {RAY per second}."""
        return per_second_rate(self.annual), per_second_rate(self.max_annual)


class IssuanceEntry(BaseModel):
    """How an index is issued (``chain.protocol.IssuanceSettings``), written for people: the
    amounts in whole index tokens (1 = 1e18 index wei; minimum and maximum to a millionth of a
    token), the capacities per ``window`` {seconds}, the fees {bps, at most MAX_FEE_BPS = 500},
    the staleness limit of the index's reserve accounts ``max_age`` {seconds}. Every field
    defaults to IssuanceSettings' own default."""

    model_config = ConfigDict(extra="forbid")

    min_amount: Decimal = _tokens(IssuanceSettings.min_amount)
    max_amount: Decimal = _tokens(IssuanceSettings.max_amount)
    mint_capacity: Decimal = _tokens(IssuanceSettings.mint_capacity)
    redeem_capacity: Decimal = _tokens(IssuanceSettings.redeem_capacity)
    participant_mint_capacity: Decimal = _tokens(IssuanceSettings.participant_mint_capacity)
    participant_redeem_capacity: Decimal = _tokens(IssuanceSettings.participant_redeem_capacity)
    window: int = Field(default=IssuanceSettings.window, ge=1, le=UINT32_MAX)
    mint_fee_bps: int = Field(default=IssuanceSettings.mint_fee_bps, ge=0)
    redeem_fee_bps: int = Field(default=IssuanceSettings.redeem_fee_bps, ge=0)
    max_age: int = Field(default=IssuanceSettings.max_age, ge=1, le=UINT32_MAX)

    @field_validator(
        "min_amount",
        "max_amount",
        "mint_capacity",
        "redeem_capacity",
        "participant_mint_capacity",
        "participant_redeem_capacity",
        mode="before",
    )
    @classmethod
    def _exact(cls, value: object) -> Decimal:
        amount = _amount(value)
        if amount <= 0:
            raise _error("invalid_limits", f"{value} is not a positive amount of index tokens")
        if _scaled(amount, INDEX_UNIT).denominator != 1:
            raise _error("invalid_limits", f"{value} is finer than 1e-18 of a token (index wei)")
        return amount

    @field_validator("min_amount", "max_amount")
    @classmethod
    def _millionths(cls, value: Decimal) -> Decimal:
        wei = int(_scaled(value, INDEX_UNIT))
        if wei % LIMIT_UNIT:
            raise _error("invalid_limits", f"{value:f} is not a multiple of a millionth of a token")
        if wei // LIMIT_UNIT > UINT48_MAX:
            raise _error("invalid_limits", f"{value:f} tokens is above the largest limit")
        return value

    @field_validator(
        "mint_capacity",
        "redeem_capacity",
        "participant_mint_capacity",
        "participant_redeem_capacity",
    )
    @classmethod
    def _uint96(cls, value: Decimal) -> Decimal:
        if _scaled(value, INDEX_UNIT) > UINT96_MAX:
            raise _error("invalid_limits", f"{value:f} tokens is above the largest capacity")
        return value

    @field_validator("mint_fee_bps", "redeem_fee_bps")
    @classmethod
    def _fee_cap(cls, value: int) -> int:
        if value > MAX_FEE_BPS:
            raise _error(
                "fee_above_cap", f"{value} bps is above the issuer's cap of {MAX_FEE_BPS} bps"
            )
        return value

    @field_validator("max_amount")
    @classmethod
    def _min_below_max(cls, value: Decimal, info: Any) -> Decimal:
        low = info.data.get("min_amount")
        if low is not None and low > value:
            raise _error("invalid_limits", f"{value} is below min_amount {low}")
        return value

    @field_validator("redeem_capacity")
    @classmethod
    def _redeem_covers_mint(cls, value: Decimal, info: Any) -> Decimal:
        mint = info.data.get("mint_capacity")
        if mint is not None and mint > value:
            raise _error(
                "invalid_limits", f"{value} is below mint_capacity {mint} (redemptions first)"
            )
        return value

    def settings(self) -> IssuanceSettings:
        """The same settings in the contracts' units (index wei)."""

        def wei(x: Decimal) -> int:
            return int(_scaled(x, INDEX_UNIT))  # exact: checked on loading

        return IssuanceSettings(
            min_amount=wei(self.min_amount),
            max_amount=wei(self.max_amount),
            mint_capacity=wei(self.mint_capacity),
            redeem_capacity=wei(self.redeem_capacity),
            participant_mint_capacity=wei(self.participant_mint_capacity),
            participant_redeem_capacity=wei(self.participant_redeem_capacity),
            window=self.window,
            mint_fee_bps=self.mint_fee_bps,
            redeem_fee_bps=self.redeem_fee_bps,
            max_age=self.max_age,
        )


class IndexEntry(BaseModel):
    """One index. Either ``preset: MAG7`` (MAG7.ssi's name, basket and fee; ``symbol`` may rename
    it) or the index spelled out: ``symbol`` and ``name`` (1..31 bytes each), ``basket`` and
    ``fee``. ``basket`` maps an asset symbol (a known asset: ``ssikit assets``) to the amount of
    that asset one whole index token holds, in whole units of the asset ("0.0005" BTC, not
    satoshis): exactly what is stored on chain, with no price snapshot behind it (what the token
    is worth follows from the market). ``issuance``: its limits and fees (``IssuanceEntry``).
    ``compiler`` proposes its rebalances, ``fee_recipient`` receives its fees, ``wlps`` may mint
    and redeem it."""

    model_config = ConfigDict(extra="forbid")

    preset: Literal["MAG7"] | None = None
    symbol: str | None = None
    name: str | None = None
    basket: dict[str, Decimal] | None = None
    fee: FeeEntry | None = None
    issuance: IssuanceEntry = Field(default_factory=IssuanceEntry)
    compiler: str
    fee_recipient: str
    wlps: list[str] = Field(default_factory=list)

    @field_validator("compiler", "fee_recipient", mode="before")
    @classmethod
    def _address(cls, value: str) -> str:
        return _checksum(value)

    @field_validator("wlps", mode="before")
    @classmethod
    def _addresses(cls, values: object) -> list[str]:
        return [_checksum(v) for v in _list(values)]

    @field_validator("basket", mode="before")
    @classmethod
    def _basket(cls, value: object) -> dict[str, Decimal] | None:
        if value is None:
            return None
        value = _mapping(value)
        if not value:
            raise _error("empty_basket", "the basket is empty: name at least one asset")
        _unique_symbols([str(k) for k in value])
        out: dict[str, Decimal] = {}
        for symbol, raw in value.items():
            asset = _known_asset(str(symbol))
            amount = _amount(raw)
            if amount <= 0:
                raise _error(
                    "non_positive_amount", f"{symbol}: amount {raw} per token must be positive"
                )
            precise = _scaled(amount, 10**asset.decimals * PRECISION)
            if precise.denominator != 1:
                raise _error(
                    "amount_too_precise",
                    f"{symbol}: {raw} is finer than 1e-18 of a base unit (10^-{asset.decimals})",
                )
            if precise > MAX_AMOUNT:
                raise _error("amount_too_large", f"{symbol}: {raw} per token is above the largest")
            out[asset.symbol] = amount
        return out

    @model_validator(mode="after")
    def _complete(self) -> IndexEntry:
        if self.preset is not None:
            given = [f for f in ("name", "basket", "fee") if getattr(self, f) is not None]
            if given:
                raise _error(
                    "preset_conflict",
                    f"preset {self.preset} fixes the name, basket and fee; remove "
                    f"{', '.join(given)} or the preset",
                )
        else:
            missing = [f for f in ("symbol", "name", "basket", "fee") if getattr(self, f) is None]
            if missing:
                raise _error(
                    "missing", f"give {', '.join(missing)} (or preset: MAG7 for the built-in one)"
                )
        try:
            self.params()
        except ValidationError as err:  # IndexParams' own checks (name and symbol 1..31 bytes)
            first = err.errors()[0]
            raise _error("invalid_index", f"{_path(first['loc'])}: {first['msg']}") from None
        return self

    def assets(self) -> list[Asset]:
        """The index's assets, in the order given (MAG7's for the preset)."""
        if self.basket is None:
            return list(MAG7_ASSETS)
        return [KNOWN_ASSETS[s] for s in self.basket]

    def params(self) -> IndexParams:
        """The factory's parameters: the basket {asset base units × 1e18 per whole index token}
        = amount {whole units} × 10^decimals × 1e18, exact (checked on loading)."""
        if self.preset == "MAG7":
            params = mag7_params(self.compiler, self.fee_recipient)
            return params.model_copy(update={"symbol": self.symbol}) if self.symbol else params
        assert self.basket is not None and self.fee is not None
        assert self.symbol is not None and self.name is not None
        basket = Basket.of(
            Component(
                asset_id=KNOWN_ASSETS[s].id,
                amount=int(_scaled(x, 10 ** KNOWN_ASSETS[s].decimals * PRECISION)),
            )
            for s, x in self.basket.items()
        )
        fee_rate, max_fee_rate = self.fee.rates()
        return IndexParams(
            name=self.name,
            symbol=self.symbol,
            basket=basket,
            fee_rate=fee_rate,
            max_fee_rate=max_fee_rate,
            compiler=self.compiler,
            fee_recipient=self.fee_recipient,
        )

    @property
    def index_symbol(self) -> str:
        return self.symbol or "MAG7.ssi"


class DeployConfig(BaseModel):
    """``admin``: the account (timelock or Safe) the admin role is handed to, in two steps
    (it accepts after ``admin_delay`` seconds); None keeps the deployer as admin.
    ``indices``: the indices to create (``IndexEntry``); every asset of their baskets is
    registered with a USD price feed. ``price_feeds``: symbol -> Chainlink USD feed address,
    with staleness ``feed_max_age`` {seconds}; on a local chain an asset without one gets a
    TestPriceFeed at ``test_prices[symbol]`` {USD per whole asset}, by default the synthetic
    market's price for MAG7's assets (a live chain needs every asset in ``price_feeds``)."""

    model_config = ConfigDict(extra="forbid")

    admin: str | None = None
    admin_delay: int = Field(default=0, ge=0)
    pausers: list[str] = Field(default_factory=list)
    custodians: list[str] = Field(default_factory=list)
    indices: list[IndexEntry] = Field(default_factory=list)
    price_feeds: dict[str, str] = Field(default_factory=dict)
    feed_max_age: int = Field(default=DEFAULT_FEED_MAX_AGE, gt=0, lt=2**32)
    test_prices: dict[str, Decimal] = Field(default_factory=dict)

    @field_validator("price_feeds", mode="before")
    @classmethod
    def _feeds(cls, values: object) -> dict[str, str]:
        feeds = _mapping(values)
        _unique_symbols([str(k) for k in feeds])
        return {_known_asset(str(k)).symbol: _checksum(v) for k, v in feeds.items()}

    @field_validator("test_prices", mode="before")
    @classmethod
    def _prices(cls, values: object) -> dict[str, Decimal]:
        prices = _mapping(values)
        _unique_symbols([str(k) for k in prices])
        out = {}
        for symbol, raw in prices.items():
            price = _amount(raw)
            if price <= 0:
                raise _error("non_positive_amount", f"{symbol}: price {raw} must be positive")
            out[_known_asset(str(symbol)).symbol] = price
        return out

    @field_validator("admin", mode="before")
    @classmethod
    def _admin(cls, value: str | None) -> str | None:
        return None if value is None else _checksum(value)

    @field_validator("pausers", "custodians", mode="before")
    @classmethod
    def _addresses(cls, values: object) -> list[str]:
        return [_checksum(v) for v in _list(values)]

    @field_validator("indices")
    @classmethod
    def _unique_indices(cls, entries: list[IndexEntry]) -> list[IndexEntry]:
        symbols = [e.index_symbol for e in entries]
        for i, symbol in enumerate(symbols):
            if symbol in symbols[:i]:
                raise _error(
                    "duplicate_symbol",
                    f"index symbol {symbol} is that of indices[{symbols.index(symbol)}] "
                    f"and indices[{i}]",
                )
        return entries

    @classmethod
    def load(cls, path: Path) -> DeployConfig:
        """The config in the YAML file at ``path``; DeployConfigError naming the field."""
        try:
            text = Path(path).read_text()
        except OSError as err:
            raise DeployConfigError(str(path), "", "unreadable", str(err)) from err
        return cls.parse(text, source=str(path))

    @classmethod
    def parse(cls, text: str | dict[str, Any], source: str = "<config>") -> DeployConfig:
        """The config from YAML text (or an already parsed mapping); DeployConfigError naming
        the first field that is wrong and why (a YAML key given twice is ``duplicate_key``)."""
        if isinstance(text, str):
            try:
                data = yaml.load(text, Loader=_UniqueKeyLoader) or {}
            except yaml.YAMLError as err:
                rule = "duplicate_key" if "duplicate key" in str(err) else "invalid_yaml"
                raise DeployConfigError(source, "", rule, " ".join(str(err).split())) from None
        else:
            data = text
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            field = _path(first["loc"])
            more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
            raise DeployConfigError(source, field, first["type"], first["msg"] + more) from None

    def assets(self) -> list[Asset]:
        """Every asset of the indices' baskets, each once, in the order they first appear."""
        return list(dict.fromkeys(a for entry in self.indices for a in entry.assets()))

    def feed_sources(self, local: bool) -> dict[Asset, str | Decimal]:
        """Asset -> its feed's address, or (``local`` chain) the USD price of its TestPriceFeed;
        DeployConfigError for an asset with neither, before anything is sent."""
        synthetic = {
            a.symbol: Decimal(p.numerator) / p.denominator for a, p in synthetic_prices().items()
        }
        out: dict[Asset, str | Decimal] = {}
        for asset in self.assets():
            if asset.symbol in self.price_feeds:
                out[asset] = self.price_feeds[asset.symbol]
            elif not local:
                raise DeployConfigError(
                    "config",
                    f"price_feeds.{asset.symbol}",
                    "missing",
                    "a live chain needs the asset's Chainlink USD feed address",
                )
            elif asset.symbol in self.test_prices:
                out[asset] = self.test_prices[asset.symbol]
            elif asset.symbol in synthetic:
                out[asset] = synthetic[asset.symbol]
            else:
                raise DeployConfigError(
                    "config",
                    f"test_prices.{asset.symbol}",
                    "missing",
                    "give the USD price of its local TestPriceFeed (or price_feeds)",
                )
        return out


def _path(loc: tuple[int | str, ...]) -> str:
    """("indices", 1, "basket") -> "indices[1].basket"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# PyYAML has no type stubs here: its loader is Any to mypy.
class _UniqueKeyLoader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML's safe loader, refusing a mapping that gives a key twice (YAML keeps the last one
    silently: a basket listing BTC twice would lose one amount)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return dict(super().construct_mapping(node, deep=deep))


def deploy(deployment: Deployment, config: DeployConfig) -> Protocol:
    """Everything the config asks for, each step once; then the admin hand-off. Every basket
    asset's feed source is checked before anything is sent."""
    from .asset_setup import is_local_chain

    sources = config.feed_sources(local=is_local_chain())
    system = deployment.system(admin_delay=config.admin_delay)
    for asset, source in sources.items():
        deployment.asset(
            system,
            asset,
            feed=source if isinstance(source, str) else None,
            price=source if isinstance(source, Decimal) else None,
            feed_max_age=config.feed_max_age,
        )
    roles = system.roles
    for entry in config.indices:
        token = deployment.index(system, entry.params())
        configure_issuance(
            deployment, system, token, entry.issuance.settings(), config.custodians, entry.wlps
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
    return rehearse(sender, registry, lambda deployment: deploy(deployment, config))


def rehearse(sender: Any, registry: Path, run: Callable[[Deployment], Any]) -> dict[str, Any]:
    """``run`` (any deployment steps, e.g. ``deploy`` with a config) on a throwaway chain: the
    connected local or forked one, rewound afterwards to where it was, with a copy of the
    registry file (the file itself is left as it was). Returns the actions, the number of
    transactions and their gas. A live chain is a DeploymentError before anything is sent."""
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
            run(deployment)
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
