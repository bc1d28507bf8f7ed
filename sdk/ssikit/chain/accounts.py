"""Choosing the account that signs: Anvil's test accounts locally, Ape's encrypted accounts on
live networks (never a private key in a file or on the command line)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from ..core.errors import SsikitError


class LocalRole(IntEnum):
    """Which of Anvil's test accounts plays each role on a local chain: the one map the tests'
    fixtures, the scripts, the demo and the gas benchmark share."""

    DEPLOYER = 0  # deploys the system, holds the admin role
    INDEX_COMPILER = 1
    CUSTODIAN = 2
    WLP = 3
    FEE_RECIPIENT = 4
    ISSUER = 5  # stands in for the Issuer contract where a token is driven directly
    HOLDER = 6  # an ordinary token holder (the demo's trader)
    STRANGER = 7  # holds no role at all (the demo's "anyone")
    PAUSER = 8


def role_accounts(accounts: Sequence[Any], *roles: LocalRole) -> tuple[Any, ...]:
    """The test accounts (Ape's ``accounts`` or ``accounts.test_accounts``) for ``roles``."""
    return tuple(accounts[role] for role in roles)


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
