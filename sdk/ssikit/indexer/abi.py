"""Event ABIs and log decoding, without ape: the compiled contract types Ape writes to
``.build/__local__.json`` (or any ``{name: abi}`` mapping), decoded with eth-abi.

Decoded values are JSON-ready: addresses checksummed, ``bytes``/``bytesN`` as ``0x`` hex, tuples
as objects keyed by their component names, integers as Python ints. An indexed argument of a
dynamic type (string, bytes, array, tuple) is only its topic (a hash) and is kept as hex.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from .errors import IndexerError

Abi = list[dict[str, Any]]

BUILD_DIR = Path(__file__).resolve().parents[3] / ".build"
"""Where ``ape compile`` writes the project's contract types."""


def load_abis(build_dir: Path = BUILD_DIR) -> dict[str, Abi]:
    """Every contract's ABI from Ape's ``__local__.json`` manifest in ``build_dir``."""
    manifest = build_dir / "__local__.json"
    if not manifest.exists():
        raise IndexerError(f"no compiled contracts at {manifest}: run `ape compile` (make compile)")
    types = json.loads(manifest.read_text()).get("contractTypes", {})
    return {name: list(t.get("abi", [])) for name, t in types.items()}


def canonical_type(param: Mapping[str, Any]) -> str:
    """The ABI type string eth-abi and the event signature use: tuples spelled out."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _is_dynamic(kind: str) -> bool:
    return kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")


def _jsonable(param: Mapping[str, Any], value: Any) -> Any:
    kind = str(param["type"])
    if kind.endswith("]"):
        element = {**param, "type": kind[: kind.rindex("[")]}
        return [_jsonable(element, v) for v in value]
    if kind == "tuple":
        return {c["name"]: _jsonable(c, v) for c, v in zip(param["components"], value, strict=True)}
    if kind == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return value


@dataclass(frozen=True)
class EventType:
    """One event of one contract's ABI."""

    contract: str
    name: str
    inputs: tuple[dict[str, Any], ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(canonical_type(i) for i in self.inputs)})"

    @property
    def topic(self) -> bytes:
        return keccak(text=self.signature)

    def decode(self, topics: list[bytes], data: bytes) -> dict[str, Any]:
        """The arguments of a log of this event, by name."""
        indexed = [i for i in self.inputs if i.get("indexed")]
        plain = [i for i in self.inputs if not i.get("indexed")]
        if len(topics) != len(indexed) + 1:
            raise IndexerError(f"{self.contract}.{self.signature}: {len(topics)} topics")
        args: dict[str, Any] = {}
        for param, topic in zip(indexed, topics[1:], strict=True):
            kind = canonical_type(param)
            if _is_dynamic(kind):
                args[param["name"]] = "0x" + bytes(topic).hex()
            else:
                args[param["name"]] = _jsonable(param, decode([kind], bytes(topic))[0])
        values = decode([canonical_type(p) for p in plain], bytes(data))
        for param, value in zip(plain, values, strict=True):
            args[param["name"]] = _jsonable(param, value)
        return args


def event_types(contract: str, abi: Iterable[Mapping[str, Any]]) -> dict[bytes, EventType]:
    """topic0 -> event, for every (non-anonymous) event of ``abi``."""
    out: dict[bytes, EventType] = {}
    for item in abi:
        if item.get("type") == "event" and not item.get("anonymous"):
            event = EventType(contract, str(item["name"]), tuple(dict(i) for i in item["inputs"]))
            out[event.topic] = event
    return out
