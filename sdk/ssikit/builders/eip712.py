"""The EIP-712 domain every ssikit contract signs under (name, version, chainId, contract)."""

from __future__ import annotations

from typing import Any

from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def typed_message(
    domain_name: str,
    chain_id: int,
    contract: str,
    primary: str,
    types: dict[str, Any],
    message: dict[str, Any],
) -> dict[str, Any]:
    """A full EIP-712 message under the domain (domain_name, "1", chain_id, contract)."""
    return {
        "types": {"EIP712Domain": DOMAIN_FIELDS, **types},
        "primaryType": primary,
        "domain": {
            "name": domain_name,
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(contract),
        },
        "message": message,
    }


def digest(message: dict[str, Any]) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))."""
    signable = encode_typed_data(full_message=message)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)
