"""Mint and redeem requests: the struct the issuer binds every request to, and its EIP-712 id.

The id is computed exactly as ``Issuer._hash``: EIP-712 over ``MintRequest(...)`` or
``RedeemRequest(...)`` with the domain ``("ssikit Issuer", "1", chainId, issuer)``.
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.units import RAY
from .eip712 import digest, typed_message

ISSUER_DOMAIN_NAME = "ssikit Issuer"

_REQUEST_FIELDS = [
    {"name": "requester", "type": "address"},
    {"name": "index", "type": "address"},
    {"name": "amount", "type": "uint256"},
    {"name": "basketVersion", "type": "uint32"},
    {"name": "maxFeeBps", "type": "uint16"},
    {"name": "nonce", "type": "uint64"},
    {"name": "deadline", "type": "uint40"},
    {"name": "factor", "type": "uint96"},
]


class Request(BaseModel):
    """``IIssuer.Request``."""

    model_config = ConfigDict(frozen=True)

    requester: str
    index: str
    amount: int = Field(gt=0, description="{index wei}")
    basket_version: int = Field(ge=1, lt=2**32)
    max_fee_bps: int = Field(ge=0, le=10_000)
    nonce: int = Field(ge=0, lt=2**64)
    deadline: int = Field(ge=0, lt=2**40, description="{unix seconds}")
    factor: int = Field(
        ge=0, le=RAY, description="{RAY} fee factor when requested; filled in by the issuer"
    )

    @field_validator("requester", "index")
    @classmethod
    def _address(cls, value: str) -> str:
        return to_checksum_address(value)

    def as_abi(self) -> tuple[str, str, int, int, int, int, int, int]:
        return (
            self.requester,
            self.index,
            self.amount,
            self.basket_version,
            self.max_fee_bps,
            self.nonce,
            self.deadline,
            self.factor,
        )


class Settlement(BaseModel):
    """``IIssuer.Settlement``: the terms an accepted redemption settles at (in its event)."""

    model_config = ConfigDict(frozen=True)

    fee_bps: int = Field(ge=0, le=10_000)
    factor: int = Field(gt=0, le=RAY, description="{RAY} fee factor at acceptance")

    def as_abi(self) -> tuple[int, int]:
        return (self.fee_bps, self.factor)


def request_typed_data(
    request: Request, is_mint: bool, chain_id: int, issuer: str
) -> dict[str, Any]:
    """The EIP-712 message whose hash is the request id."""
    primary = "MintRequest" if is_mint else "RedeemRequest"
    message = {
        "requester": request.requester,
        "index": request.index,
        "amount": request.amount,
        "basketVersion": request.basket_version,
        "maxFeeBps": request.max_fee_bps,
        "nonce": request.nonce,
        "deadline": request.deadline,
        "factor": request.factor,
    }
    return typed_message(
        ISSUER_DOMAIN_NAME, chain_id, issuer, primary, {primary: _REQUEST_FIELDS}, message
    )


def request_id(request: Request, is_mint: bool, chain_id: int, issuer: str) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ structHash): the request's id on chain."""
    return digest(request_typed_data(request, is_mint, chain_id, issuer))
