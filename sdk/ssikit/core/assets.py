"""Underlying assets and their ids, mirroring ``AssetRegistry.sol``.

An asset id is ``keccak256(abi.encode(chain, identity))``: ``chain`` is a CAIP-2 style name
("bitcoin", "solana", "eip155:1") and ``identity`` names the asset on it ("native", a mint, or an
ERC-20 address in lowercase 0x-hex).
"""

from __future__ import annotations

from importlib import resources

from eth_abi import encode
from eth_utils import is_address, keccak, to_checksum_address
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import AssetError
from .units import MAX_DECIMALS


def asset_id(chain: str, identity: str) -> bytes:
    """The 32-byte id of an asset: keccak256(abi.encode(chain, identity))."""
    if not chain or not identity:
        raise AssetError("asset id needs a non-empty chain and identity")
    return keccak(encode(["string", "string"], [chain, identity]))


def local_chain(chain_id: int) -> str:
    """This chain's name in asset ids, as ``AssetRegistry.localChain()``: ``eip155:<id>``."""
    return f"eip155:{chain_id}"


class Asset(BaseModel):
    """An underlying asset: where it lives, what it is called, how it is divided."""

    model_config = ConfigDict(frozen=True)

    chain: str = Field(min_length=1, description="CAIP-2 style chain name")
    identity: str = Field(min_length=1, description="the asset on its chain")
    symbol: str = Field(min_length=1)
    decimals: int = Field(ge=0, le=MAX_DECIMALS)
    token: str | None = Field(default=None, description="ERC-20 address if on this chain")

    @field_validator("token")
    @classmethod
    def _checksum(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not is_address(value):
            raise ValueError(f"token is not an address: {value!r}")
        return to_checksum_address(value)

    @model_validator(mode="after")
    def _local_identity(self) -> Asset:
        if self.token is not None and self.identity != self.token.lower():
            raise ValueError("an on-chain asset's identity must be its lowercase token address")
        return self

    @property
    def id(self) -> bytes:
        return asset_id(self.chain, self.identity)

    @property
    def id_hex(self) -> str:
        return "0x" + self.id.hex()

    @classmethod
    def local_token(cls, chain_id: int, token: str, symbol: str, decimals: int) -> Asset:
        """An ERC-20 on this chain, with the id ``AssetRegistry.registerLocalToken`` derives."""
        address = to_checksum_address(token)
        return cls(
            chain=local_chain(chain_id),
            identity=address.lower(),
            symbol=symbol,
            decimals=decimals,
            token=address,
        )


class AssetTable(BaseModel):
    """The table of known assets, as the package's data file ``core/known_assets.json`` holds it:
    ``mag7``, the demo's MAG7 basket, each on its own chain; ``other``, the assets an index may
    rotate into (the methodology's market data names assets by ticker; `asset_for_symbol` maps a
    constituent to one of these). Decimals are those of the native chains."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    comment: str = Field(default="", alias="_comment")
    mag7: tuple[Asset, ...] = Field(min_length=1)
    other: tuple[Asset, ...] = ()

    @model_validator(mode="after")
    def _unique_symbols(self) -> AssetTable:
        symbols = [a.symbol for a in (*self.mag7, *self.other)]
        if duplicated := sorted({s for s in symbols if symbols.count(s) > 1}):
            raise ValueError(f"symbols listed twice: {', '.join(duplicated)}")
        return self


ASSET_TABLE = "known_assets.json"
"""The data file (package data beside this module) with the known assets."""


def load_asset_table(text: str | None = None) -> AssetTable:
    """The known assets from ``text`` (JSON), by default the package's ``known_assets.json``;
    a malformed table raises AssetError naming the field and why."""
    if text is None:
        text = resources.files(__package__).joinpath(ASSET_TABLE).read_text(encoding="utf-8")
    try:
        return AssetTable.model_validate_json(text)
    except ValidationError as exc:
        raise AssetError(f"{ASSET_TABLE}: {exc}") from None


_TABLE = load_asset_table()
MAG7_ASSETS: tuple[Asset, ...] = _TABLE.mag7
OTHER_ASSETS: tuple[Asset, ...] = _TABLE.other
KNOWN_ASSETS: dict[str, Asset] = {a.symbol: a for a in (*MAG7_ASSETS, *OTHER_ASSETS)}

SYNTHETIC_CHAIN = "synthetic"
"""The chain name of made-up assets of the synthetic market (never real assets)."""


def asset_for_symbol(symbol: str, source_id: str = "") -> Asset:
    """The on-chain asset for a constituent: a known asset by ticker, or, for an asset of the
    synthetic market (id ``synthetic-...``), a made-up asset on the ``synthetic`` chain."""
    if symbol.upper() in KNOWN_ASSETS:
        return KNOWN_ASSETS[symbol.upper()]
    if source_id.startswith("synthetic-"):
        return Asset(chain=SYNTHETIC_CHAIN, identity=source_id, symbol=symbol, decimals=18)
    raise AssetError(
        f"no on-chain asset for {symbol} ({source_id or 'unknown id'}): register it and add it "
        "to the table ssikit/core/known_assets.json"
    )
