"""Delivery transfers on a custody chain, bound to one request by a memo (no I/O).

A WLP's delivery for a mint request carries the request's 32-byte id, so a transfer can only
ever back the request it names:

- native coin: the transaction's data is the request id (32 bytes);
- ERC-20: the data is ``transfer(to, amount)``'s calldata with the request id appended
  (ABI decoders ignore trailing bytes, so any ERC-20 accepts it).

Redemption payouts carry the redemption's id the same way, so anyone can match a payout on the
custody chain to the request it settles.
"""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from ..core.errors import SsikitError

TRANSFER_SELECTOR = keccak(text="transfer(address,uint256)")[:4]
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
"""topic0 of ERC-20 ``Transfer(address indexed from, address indexed to, uint256 value)``."""
_TRANSFER_DATA = 4 + 32 + 32  # selector, to, amount


class MemoError(SsikitError, ValueError):
    """A request id that is not 32 bytes, or transaction data that carries no memo."""


def _request_id(request_id: bytes) -> bytes:
    if len(request_id) != 32:
        raise MemoError(f"a request id is 32 bytes, not {len(request_id)}")
    return bytes(request_id)


def native_memo(request_id: bytes) -> bytes:
    """The data of a native-coin delivery or payout for ``request_id``."""
    return _request_id(request_id)


def erc20_transfer_data(to: str, amount: int, request_id: bytes) -> bytes:
    """``transfer(to, amount {token base units})`` calldata followed by the request id."""
    args = encode(["address", "uint256"], [to_checksum_address(to), amount])
    return TRANSFER_SELECTOR + args + _request_id(request_id)


def memo_of(data: bytes, native: bool) -> bytes | None:
    """The request id a transaction's ``data`` carries (native coin: the whole data; ERC-20:
    the 32 bytes after ``transfer``'s arguments), or None when it carries none."""
    if native:
        return bytes(data) if len(data) == 32 else None
    if len(data) != _TRANSFER_DATA + 32 or bytes(data[:4]) != TRANSFER_SELECTOR:
        return None
    return bytes(data[_TRANSFER_DATA:])
