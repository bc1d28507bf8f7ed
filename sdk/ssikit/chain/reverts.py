"""Contract reverts as people read them: ``ErrorName(arg=value, ...)``, whichever of the
project's contracts declares the error (Ape names an error only when the called contract's ABI
has it, and the provider may leave only raw data or Anvil's ``custom error 0x..`` text)."""

from __future__ import annotations

import string
from typing import Any


def revert_data(message: str) -> bytes:
    """Revert data from what the provider left of it: ``0x<hex>``, or Anvil's text for an error
    it could not decode, ``custom error 0x<selector>: <data>``, where the data is printed as
    text when it is valid UTF-8 and as hex otherwise."""
    if message.startswith("0x"):
        try:
            return bytes.fromhex(message[2:])
        except ValueError:
            return b""
    prefix = "custom error 0x"
    if not message.startswith(prefix):
        return b""
    selector, _, payload = message[len(prefix) :].partition(":")
    payload = payload[1:] if payload.startswith(" ") else payload
    is_hex = len(payload) % 2 == 0 and all(c in string.hexdigits for c in payload)
    return bytes.fromhex(selector) + (bytes.fromhex(payload) if is_hex else payload.encode())


def describe(err: Exception) -> str:
    """``ErrorName(arg=value, ...)`` for a revert of any project contract, else ``str(err)``."""
    from ape import project
    from ape.exceptions import CustomError
    from eth_abi import decode
    from eth_utils import keccak

    if isinstance(err, CustomError):  # Ape decoded it: the called contract declares it
        args = ", ".join(f"{k}={_show(v)}" for k, v in err.inputs.items())
        return f"{err.abi.name}({args})"
    message = getattr(err, "revert_message", None) or str(err)
    raw = revert_data(message)
    if len(raw) < 4:
        return str(err)
    for contract_type in project.contracts.values():
        for abi in contract_type.errors:
            if keccak(text=abi.selector)[:4] != raw[:4]:
                continue
            types = [i.canonical_type for i in abi.inputs]
            values = decode(types, raw[4:])
            args = ", ".join(
                f"{i.name}={_show(v)}" for i, v in zip(abi.inputs, values, strict=True)
            )
            return f"{abi.name}({args})"
    return str(err)


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)
