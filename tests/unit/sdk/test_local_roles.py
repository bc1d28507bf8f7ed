"""One map of roles to Anvil's test accounts (ssikit.chain.accounts.LocalRole), shared by the
tests' fixtures, the scripts, the demo and the gas benchmark."""

from __future__ import annotations

from pathlib import Path

from ssikit.chain.accounts import LocalRole, role_accounts

ROOT = Path(__file__).resolve().parents[3]


def test_local_roles__one_account_each():
    assert len({int(role) for role in LocalRole}) == len(LocalRole)
    assert LocalRole.DEPLOYER == 0  # the account Ape and Anvil fund and sign with by default


def test_role_accounts__picks_by_role():
    accounts = [f"account{i}" for i in range(10)]
    assert role_accounts(accounts, LocalRole.WLP, LocalRole.CUSTODIAN) == ("account3", "account2")


def test_role_map__no_other_copy_by_index():
    """No module picks role accounts by bare index any more (``accounts[i] for i in range``)."""
    users = [
        "sdk/ssikit/bench/gas.py",
        "sdk/ssikit/flows/demo/steps.py",
        "sdk/ssikit/flows/local_index.py",
    ]
    for path in (*users, "tests/conftest.py"):
        text = (ROOT / path).read_text()
        assert "for i in range(" not in text or "accounts[i]" not in text, path
        assert "role_accounts(" in text or "LocalRole" in text, path
