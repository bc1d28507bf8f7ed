"""Parameters of an index, as ``IIndexFactory.CreateIndexParams``."""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .basket import Basket
from .units import FEE_RATE_CEILING, Ray


def _short_string(value: str) -> str:
    size = len(value.encode())
    if not 1 <= size <= 31:
        raise ValueError(f"must be 1..31 bytes, got {size}")
    return value


class IndexParams(BaseModel):
    """Everything the factory needs to create an index. Validated like the contracts do."""

    model_config = ConfigDict(frozen=True)

    name: str
    symbol: str
    basket: Basket
    fee_rate: int = Field(ge=0, description="{RAY per second}")
    max_fee_rate: int = Field(ge=0, le=FEE_RATE_CEILING, description="{RAY per second}")
    compiler: str
    fee_recipient: str

    _name = field_validator("name", "symbol")(_short_string)

    @field_validator("compiler", "fee_recipient")
    @classmethod
    def _address(cls, value: str) -> str:
        if not is_address(value) or int(value, 16) == 0:
            raise ValueError(f"not a non-zero address: {value!r}")
        return to_checksum_address(value)

    @model_validator(mode="after")
    def _fee_within_cap(self) -> IndexParams:
        if self.fee_rate > self.max_fee_rate:
            raise ValueError(f"fee_rate {self.fee_rate} is above max_fee_rate {self.max_fee_rate}")
        return self

    @property
    def fee_rate_ray(self) -> Ray:
        return Ray(self.fee_rate)
