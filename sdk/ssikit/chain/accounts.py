"""Choosing the account that signs: Anvil's test accounts locally, Ape's encrypted accounts on
live networks (never a private key in a file or on the command line)."""

from __future__ import annotations

from typing import Any

from ..core.errors import SsikitError


class AccountError(SsikitError):
    """No account to sign with: a live network without an ``ape accounts`` alias."""


def is_local_network() -> bool:
    from ape import chain

    return chain.provider.network.name in ("local", "development") or chain.chain_id == 31337


def resolve_sender(alias: str | None, index: int = 0) -> Any:
    """``alias`` from ``ape accounts``; without one, test account ``index`` on a local chain
    (AccountError on a live network)."""
    from ape import accounts

    if alias:
        return accounts.load(alias)
    if not is_local_network():
        raise AccountError("a live network needs --account ALIAS (see `ape accounts list`)")
    return accounts.test_accounts[index]
