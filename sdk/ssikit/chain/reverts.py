"""Contract reverts as people read them: ``ErrorName(arg=value, ...)``, whichever contract the SDK
ships declares the error (Ape names an error only when the called contract's ABI has it, and the
provider may leave only raw data or Anvil's ``custom error 0x..`` text). The errors are looked up
by selector in the ABIs shipped with the package (``ssikit.chain.artifacts``): no compiler, no
project, no network.
"""

from __future__ import annotations

import string
from functools import cache
from typing import Any

from .artifacts import abis


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
    """``ErrorName(arg=value, ...)`` for a revert of any shipped contract, else ``str(err)``."""
    from ape.exceptions import CustomError

    if isinstance(err, CustomError):  # Ape decoded it: the called contract declares it
        args = ", ".join(f"{k}={_show(v)}" for k, v in err.inputs.items())
        return f"{err.abi.name}({args})"
    # Ape's revert message, web3's ``data`` (a ContractCustomError of a plain eth_call), or text
    for text in (getattr(err, "revert_message", None), getattr(err, "data", None), str(err)):
        decoded = decode_error(revert_data(text)) if isinstance(text, str) else None
        if decoded is not None:
            return decoded
    return str(err)


def decode_error(raw: bytes) -> str | None:
    """``ErrorName(arg=value, ...)`` for revert data of an error some shipped ABI declares (its
    4-byte selector, then the ABI-encoded arguments); None when no ABI has that selector or the
    arguments do not decode as its inputs."""
    from eth_abi import decode
    from eth_abi.exceptions import DecodingError

    for error in error_table().get(raw[:4], []) if len(raw) >= 4 else []:
        inputs = error["inputs"]
        try:
            values = decode([_canonical(i) for i in inputs], raw[4:])
        except DecodingError:
            continue
        args = ", ".join(f"{i['name']}={_show(v)}" for i, v in zip(inputs, values, strict=True))
        return f"{error['name']}({args})"
    return None


@cache
def error_table() -> dict[bytes, list[dict[str, Any]]]:
    """4-byte selector -> the custom errors with it (one, bar a clash), from every shipped ABI;
    an error declared by several contracts is listed once."""
    from eth_utils import keccak

    table: dict[bytes, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for abi in abis().values():
        for item in abi:
            if item.get("type") != "error":
                continue
            signature = f"{item['name']}({','.join(_canonical(i) for i in item['inputs'])})"
            if signature in seen:
                continue
            seen.add(signature)
            table.setdefault(keccak(text=signature)[:4], []).append(item)
    return table


def _canonical(param: dict[str, Any]) -> str:
    """The ABI type of a parameter as a selector spells it: tuples as ``(type,...)``."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)
