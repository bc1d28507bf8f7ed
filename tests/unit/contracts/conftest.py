"""Fixtures the lifecycle tests share (test_lifecycle.py, test_audit_lifecycle.py): a second
issuer version and the two-step move."""

from __future__ import annotations

import pytest
from lifecycle_support import configure_on

from ssikit.core.lifecycle import VersionKind

DAY = 86_400
ISSUER = int(VersionKind.ISSUER)


@pytest.fixture
def issuer_v2(project, roles, registry, vault, versions, deployer):
    """A second Issuer over the same vault: listed, bound to the vault, not yet used."""
    v2 = project.Issuer.deploy(roles, registry, vault, sender=deployer)
    versions.list(ISSUER, v2, "Issuer v2", sender=deployer)
    vault.bindIssuer(v2, sender=deployer)
    return v2


@pytest.fixture
def configure_v2(protocol, deployer, custodian, wlp, tmp_path):
    """configure_v2(issuer, token): the token's limits, fees and roles on another issuer."""

    def configure(issuer, token):
        path = tmp_path / "deployments.json"
        configure_on(protocol, deployer, path, issuer, token, [custodian.address], [wlp.address])
        return issuer

    return configure


@pytest.fixture
def signal(chain, deployer):
    """signal(token, kind, target, prepare=None) -> executableAt: signal, run `prepare()` (the
    admin making the target ready, which an issuer accepts only once the move is signalled),
    and set the next block's time to the end of the delay."""

    def run(token, kind, target, prepare=None):
        receipt = token.signalMove(kind, target, sender=deployer)
        if prepare is not None:
            prepare()
        at = receipt.decode_logs(token.MoveSignalled)[0].executableAt
        chain.pending_timestamp = at
        return at

    return run


@pytest.fixture
def move(signal, stranger):
    """move(token, kind, target, prepare=None): signal, prepare, wait, execute (by a stranger)."""

    def run(token, kind, target, prepare=None):
        signal(token, kind, target, prepare)
        return token.executeMove(kind, sender=stranger)

    return run
