"""ERC-2612 permits: the typed message a holder signs to approve a spender without a transaction
(index tokens, and ERC-20 components of a mint deposit)."""

from __future__ import annotations

from typing import Any

from .eip712 import typed_message

PERMIT_FIELDS = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


def permit_typed_data(
    token_name: str,
    chain_id: int,
    token: str,
    owner: str,
    spender: str,
    value: int,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """The EIP-712 Permit message (domain: the token's name, version "1")."""
    message = {
        "owner": owner,
        "spender": spender,
        "value": value,
        "nonce": nonce,
        "deadline": deadline,
    }
    return typed_message(token_name, chain_id, token, "Permit", {"Permit": PERMIT_FIELDS}, message)


def sign_permit(typed: dict[str, Any], private_key: Any) -> tuple[int, bytes, bytes]:
    """(v, r, s) of a permit signed with ``private_key``."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    signed = Account.sign_message(encode_typed_data(full_message=typed), private_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
