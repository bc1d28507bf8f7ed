"""The memo that binds a custody-chain transfer to one request (``builders.custody``)."""

from __future__ import annotations

import pytest
from eth_abi import decode

from ssikit.builders.custody import (
    TRANSFER_SELECTOR,
    MemoError,
    erc20_transfer_data,
    memo_of,
    native_memo,
)

REQUEST = bytes(range(32))
PAYEE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


def test_erc20_transfer_data__is_transfer_calldata_then_the_request_id():
    data = erc20_transfer_data(PAYEE, 123, REQUEST)
    assert data[:4] == TRANSFER_SELECTOR
    to, amount = decode(["address", "uint256"], data[4:68])
    assert (to.lower(), amount) == (PAYEE.lower(), 123)
    assert memo_of(data, native=False) == REQUEST


def test_native_memo__round_trips():
    assert memo_of(native_memo(REQUEST), native=True) == REQUEST


@pytest.mark.parametrize(
    "data, native",
    [
        (b"", True),
        (REQUEST + b"\0", True),
        (erc20_transfer_data(PAYEE, 1, REQUEST)[:-1], False),  # memo cut short
        (b"\xa9\x05\x9c\xbb" + bytes(64), False),  # a plain transfer: no memo
        (b"\x23\xb8\x72\xdd" + bytes(96), False),  # another function's calldata
    ],
)
def test_memo_of__no_memo__none(data, native):
    assert memo_of(data, native) is None


@pytest.mark.parametrize("length", [0, 31, 33])
def test_request_id_not_32_bytes__memo_error(length):
    with pytest.raises(MemoError, match="32 bytes"):
        native_memo(bytes(length))
    with pytest.raises(MemoError, match="32 bytes"):
        erc20_transfer_data(PAYEE, 1, bytes(length))
