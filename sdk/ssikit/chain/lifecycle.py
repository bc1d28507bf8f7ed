"""Thin client for an index's lifecycle: which issuer and oracle it points at, the two-step
moves between listed versions (signal, execute, cancel), and deprecation."""

from __future__ import annotations

from typing import Any

from ..core.errors import SsikitError
from ..core.lifecycle import VersionKind
from .issuance import _index
from .protocol import Protocol

ZERO = "0x" + "00" * 20


class LifecycleError(SsikitError):
    """A lifecycle step cannot be taken as asked (bad address, nothing pending)."""


def _address(text: str) -> str:
    body = text.removeprefix("0x")
    if not text.startswith("0x") or len(body) != 40:
        raise LifecycleError(f"not an address: {text!r} (0x and 40 hex digits)")
    try:
        int(body, 16)
    except ValueError:
        raise LifecycleError(f"not an address: {text!r} (0x and 40 hex digits)") from None
    return text


class LifecycleClient:
    """The index admin's view (the protocol admin: a timelock or Safe on a live network)."""

    def __init__(self, protocol: Protocol, account: Any) -> None:
        self.protocol = protocol
        self.account = account

    def _label(self, kind: VersionKind, address: str) -> str:
        version = self.protocol.versions.versionOf(int(kind), address)
        return str(version.label) if int(version.listedAt) else "(not listed)"

    def status(self, index: str) -> dict[str, Any]:
        """Issuer, oracle, former issuers, pending moves and deprecation of ``index``."""
        token = _index(self.protocol, index)
        issuer, deprecated = token.lifecycle()
        oracle = token.oracle()
        moves: dict[str, dict[str, Any] | None] = {}
        for kind in VersionKind:
            target, at = token.pendingMove(int(kind))
            if target.lower() == ZERO:
                moves[kind.name.lower()] = None
                continue
            version = self.protocol.versions.versionOf(int(kind), target)
            moves[kind.name.lower()] = {
                "target": target,
                "label": self._label(kind, target),
                "code_hash": "0x" + bytes(version.codeHash).hex(),
                "executable_at": int(at),
            }
        return {
            "index": token.address,
            "symbol": token.symbol(),
            "issuer": issuer,
            "issuer_version": self._label(VersionKind.ISSUER, issuer),
            "former_issuers": list(token.formerIssuers()),
            "oracle": oracle,
            "oracle_version": self._label(VersionKind.ORACLE, oracle),
            "deprecated": bool(deprecated),
            "pending_moves": moves,
        }

    def signal(self, index: str, kind: VersionKind, target: str) -> dict[str, Any]:
        token = _index(self.protocol, index)
        receipt = token.signalMove(int(kind), _address(target), sender=self.account)
        log = receipt.decode_logs(token.MoveSignalled)[0]
        return {
            "index": token.address,
            "kind": kind.name.lower(),
            "from": log.event_arguments["from"],
            "to": log.to,
            "code_hash": "0x" + bytes(log.codeHash).hex(),
            "executable_at": int(log.executableAt),
        }

    def execute(self, index: str, kind: VersionKind) -> dict[str, Any]:
        token = _index(self.protocol, index)
        receipt = token.executeMove(int(kind), sender=self.account)
        log = receipt.decode_logs(token.MoveExecuted)[0]
        return {
            "index": token.address,
            "kind": kind.name.lower(),
            "from": log.event_arguments["from"],
            "to": log.to,
            "code_hash": "0x" + bytes(log.codeHash).hex(),
        }

    def cancel(self, index: str, kind: VersionKind) -> dict[str, Any]:
        token = _index(self.protocol, index)
        receipt = token.cancelMove(int(kind), sender=self.account)
        log = receipt.decode_logs(token.MoveCancelled)[0]
        return {"index": token.address, "kind": kind.name.lower(), "cancelled": log.to}

    def deprecate(self, index: str) -> dict[str, Any]:
        token = _index(self.protocol, index)
        receipt = token.deprecate(sender=self.account)
        log = receipt.decode_logs(token.IndexDeprecated)[0]
        return {"index": token.address, "deprecated": True, "at": int(log.at)}
