"""Baskets: the list of (asset id, amount per whole index token), mirroring ``IndexToken.sol``.

Amounts are in precise units {asset base units × 1e18 per whole index token}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .assets import Asset
from .errors import BasketError
from .units import MAX_AMOUNT, MAX_COMPONENTS, PRECISION


class Component(BaseModel):
    """One line of a basket."""

    model_config = ConfigDict(frozen=True)

    asset_id: bytes = Field(description="32-byte asset id")
    amount: int = Field(description="{base units × 1e18 per whole index token}")

    @field_validator("asset_id", mode="before")
    @classmethod
    def _bytes32(cls, value: object) -> bytes:
        if isinstance(value, str):
            value = bytes.fromhex(value.removeprefix("0x"))
        if not isinstance(value, bytes) or len(value) != 32:
            raise ValueError("asset_id must be 32 bytes")
        return value

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("amount must be positive")
        if value > MAX_AMOUNT:
            raise ValueError(f"amount {value} is above the largest a basket holds ({MAX_AMOUNT})")
        return value

    def as_tuple(self) -> tuple[bytes, int]:
        """The ABI tuple ``(bytes32 assetId, uint256 amount)``."""
        return (self.asset_id, self.amount)


class Basket(BaseModel):
    """A valid basket: 1..32 components, sorted by ascending asset id, no duplicates."""

    model_config = ConfigDict(frozen=True)

    components: tuple[Component, ...]

    @classmethod
    def of(cls, components: Iterable[Component]) -> Basket:
        """Sorts the components by asset id (the order the contracts require) and validates."""
        items = sorted(components, key=lambda c: c.asset_id)
        check_basket(items)
        return cls(components=tuple(items))

    def amount_of(self, asset_id: bytes) -> int:
        for component in self.components:
            if component.asset_id == asset_id:
                return component.amount
        raise BasketError(f"asset 0x{asset_id.hex()} is not in the basket")

    def as_abi(self) -> list[tuple[bytes, int]]:
        return [c.as_tuple() for c in self.components]


def check_basket(components: list[Component]) -> None:
    """Raises BasketError naming the first rule broken, in the contract's order of checks."""
    n = len(components)
    if n == 0 or n > MAX_COMPONENTS:
        raise BasketError(f"basket size {n} is outside 1..{MAX_COMPONENTS}")
    for i in range(1, n):
        previous, current = components[i - 1].asset_id, components[i].asset_id
        if current == previous:
            raise BasketError(f"duplicate asset 0x{current.hex()}")
        if current < previous:
            raise BasketError(f"components not sorted by asset id at position {i}")


def basket_from_weights(
    weights: Mapping[Asset, Fraction],
    prices: Mapping[Asset, Fraction],
    value_per_token: Fraction,
) -> Basket:
    """Amounts per whole token so that ``value_per_token`` (in the prices' currency) is split by
    ``weights``. Each amount is rounded down to a precise unit, so one token is never worth more
    than ``value_per_token`` at these prices, and less by under 1e-18 base units per component.

    amount_i {base units × 1e18} = w_i × V / p_i {whole assets} × 10**decimals × 1e18
    """
    total = sum(weights.values(), Fraction(0))
    if total != 1:
        raise BasketError(f"weights sum to {total}, not 1")
    components = []
    for asset, weight in weights.items():
        if weight <= 0:
            raise BasketError(f"weight of {asset.symbol} is not positive")
        price = prices[asset]
        if price <= 0:
            raise BasketError(f"price of {asset.symbol} is not positive")
        exact = weight * value_per_token / price * 10**asset.decimals * PRECISION
        amount = exact.numerator // exact.denominator
        if amount == 0:
            raise BasketError(f"{asset.symbol} amount rounds to zero")
        components.append(Component(asset_id=asset.id, amount=amount))
    return Basket.of(components)


COMPONENT_BYTES = 52
"""Packed basket layout (BasketCodec.sol): per component a 32-byte asset id then the amount in
20 bytes, big-endian, no header. Index tokens store baskets and log rebalances in this form."""


def pack_basket(components: Sequence[tuple[bytes, int]]) -> bytes:
    """The packed bytes of (asset id, amount) pairs (BasketCodec.encode)."""
    return b"".join(bytes(a) + int(x).to_bytes(20, "big") for a, x in components)


def unpack_basket(data: bytes) -> list[tuple[bytes, int]]:
    """(asset id, amount) pairs from packed bytes (BasketCodec.decode)."""
    if len(data) % COMPONENT_BYTES:
        raise BasketError(f"packed basket length {len(data)} is not a multiple of 52")
    return [
        (data[i : i + 32], int.from_bytes(data[i + 32 : i + 52], "big"))
        for i in range(0, len(data), COMPONENT_BYTES)
    ]
