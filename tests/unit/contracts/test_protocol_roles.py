"""ProtocolRoles: per-index roles and who may wire them."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak


def test_index_role__is_keccak_of_abi_encoded_role_and_index(roles, stranger):
    role = roles.WLP_ROLE()
    expected = keccak(encode(["bytes32", "address"], [role, stranger.address]))
    assert roles.indexRole(role, stranger.address) == expected


def test_wire_index__without_factory_role__reverts(
    expect_revert, roles, stranger, index_compiler, fee_recipient
):
    with expect_revert(
        roles.AccessControlUnauthorizedAccount,
        account=stranger.address,
        neededRole=roles.INDEX_FACTORY_ROLE(),
    ):
        roles.wireIndex(stranger, index_compiler, fee_recipient, sender=stranger)


def test_wire_index__zero_account__reverts(
    expect_revert, roles, deployer, stranger, index_compiler
):
    roles.grantRole(roles.INDEX_FACTORY_ROLE(), stranger, sender=deployer)
    zero = "0x0000000000000000000000000000000000000000"
    with expect_revert(roles.RolesZeroAccount):
        roles.wireIndex(stranger, index_compiler, zero, sender=stranger)
    assert not roles.hasIndexRole(roles.INDEX_COMPILER_ROLE(), stranger, index_compiler)


def test_default_admin__is_the_deployer_and_transfers_in_two_steps(
    roles, deployer, stranger, chain
):
    assert roles.defaultAdmin() == deployer.address
    roles.beginDefaultAdminTransfer(stranger, sender=deployer)
    assert roles.defaultAdmin() == deployer.address  # nothing changes until accepted
    chain.pending_timestamp += 1
    roles.acceptDefaultAdminTransfer(sender=stranger)
    assert roles.defaultAdmin() == stranger.address


def test_grant_role__by_non_admin__reverts(expect_revert, roles, stranger, wlp):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        roles.grantRole(roles.ISSUER_ROLE(), wlp, sender=stranger)
    assert not roles.hasRole(roles.ISSUER_ROLE(), wlp)
