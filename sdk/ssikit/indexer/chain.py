"""What the indexer reads from a node: the chain id, the head, block headers and logs. Nothing
else: no ``eth_call`` at all, so no historical state is ever needed (a non-archive RPC, or
Anvil after it dropped old states, serves every page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .errors import NodeUnreachableError

T = TypeVar("T")


@dataclass(frozen=True)
class BlockHeader:
    number: int
    hash: str  # 0x hex
    timestamp: int  # {unix seconds}


class ChainReader(Protocol):
    def chain_id(self) -> int: ...

    def head(self) -> int: ...

    def header(self, number: int) -> BlockHeader | None: ...

    def logs(self, from_block: int, to_block: int, addresses: list[str]) -> list[dict[str, Any]]:
        """``eth_getLogs`` over [from_block, to_block] (both included) for ``addresses``."""
        ...


def _hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return str(value)


class Web3Chain:
    """``ChainReader`` over a web3.py ``Web3`` (Ape's ``provider.web3`` or a plain
    ``Web3(HTTPProvider(url))``)."""

    def __init__(self, web3: Any) -> None:
        self.web3 = web3

    def _call(self, read: Callable[[], T]) -> T:
        import requests

        try:
            return read()
        except (requests.exceptions.ConnectionError, ConnectionError) as err:
            raise NodeUnreachableError(f"no node at {self.endpoint}") from err

    @property
    def endpoint(self) -> str:
        provider = getattr(self.web3, "provider", None)
        return str(getattr(provider, "endpoint_uri", None) or provider)

    def chain_id(self) -> int:
        return int(self._call(lambda: self.web3.eth.chain_id))

    def head(self) -> int:
        return int(self._call(lambda: self.web3.eth.block_number))

    def header(self, number: int) -> BlockHeader | None:
        """The block's header; None when the chain has no such block (yet, or any more)."""
        from web3.exceptions import BlockNotFound

        try:
            block = self._call(lambda: self.web3.eth.get_block(number, False))
        except BlockNotFound:
            return None
        return BlockHeader(int(block["number"]), _hex(block["hash"]), int(block["timestamp"]))

    def logs(self, from_block: int, to_block: int, addresses: list[str]) -> list[dict[str, Any]]:
        query = {"fromBlock": from_block, "toBlock": to_block, "address": addresses}
        found = self._call(lambda: self.web3.eth.get_logs(query))
        return [dict(log) for log in found]
