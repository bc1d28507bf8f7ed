// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Role ids of the protocol, as constants (no external call needed to know them)
/// @notice Per-index roles are keccak256(abi.encode(role, index)); see IProtocolRoles.
library RoleIds {
    bytes32 internal constant ADMIN = 0x00; // OpenZeppelin DEFAULT_ADMIN_ROLE
    bytes32 internal constant ISSUER = keccak256("ssikit.role.issuer");
    bytes32 internal constant PAUSER = keccak256("ssikit.role.pauser");
    bytes32 internal constant CUSTODIAN = keccak256("ssikit.role.custodian");
    bytes32 internal constant INDEX_FACTORY = keccak256("ssikit.role.index-factory");
    bytes32 internal constant WLP = keccak256("ssikit.role.wlp");
    bytes32 internal constant INDEX_COMPILER = keccak256("ssikit.role.index-compiler");
    bytes32 internal constant FEE_RECIPIENT = keccak256("ssikit.role.fee-recipient");
}
