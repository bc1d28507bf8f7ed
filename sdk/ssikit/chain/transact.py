"""Transactions that tell the truth before they act: every state-changing call the SDK makes is
simulated first (``eth_call`` from the sender, at the pending state), and one that would revert
is refused with its decoded custom error, before anything is signed or sent. No gas is spent
and no nonce is used on a transaction that would fail (on a local chain, Ape otherwise mines a
reverted transaction with its fixed gas limit).

    transact(issuer.cancel, request_id, sender=wlp)   # -> the receipt, or raises Refused
"""

from __future__ import annotations

from typing import Any

from ..core.errors import SsikitError


class Refused(SsikitError):
    """A transaction the chain would revert, refused before it was sent: ``reason`` is the decoded
    custom error (``ErrorName(arg=value, ...)``) or the revert's text; nothing was sent."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"{action} refused: {reason}" if action else reason)
        self.action = action
        self.reason = reason


def simulate(method: Any, *args: Any, action: str = "", **kwargs: Any) -> Any:
    """The value ``method(*args)`` would return if sent now by ``kwargs['sender']`` (with its
    ``value``, if any); raises Refused, decoded from the shipped ABIs, when it would revert."""
    from ape.exceptions import ContractLogicError

    from .reverts import describe

    call_kwargs = {k: v for k, v in kwargs.items() if k in ("sender", "value")}
    try:
        return method.call(*args, **call_kwargs)
    except ContractLogicError as err:
        raise Refused(action or _name(method), describe(err)) from err


def transact(method: Any, *args: Any, action: str = "", **kwargs: Any) -> Any:
    """Simulates ``method(*args, **kwargs)`` (Refused, nothing sent, when it would revert), then
    sends it and returns the receipt. ``kwargs`` are Ape's transaction options (``sender``,
    ``value``, gas settings)."""
    simulate(method, *args, action=action, **kwargs)
    return method(*args, **kwargs)


def _name(method: Any) -> str:
    abis = getattr(method, "abis", None)
    return str(abis[0].name) if abis else ""
