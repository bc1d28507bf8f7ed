// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IProtocolRoles} from "../interfaces/IProtocolRoles.sol";

/// @title Role checks against the deployment's IProtocolRoles
/// @notice Reverts with OpenZeppelin's `AccessControlUnauthorizedAccount(account, role)`, the one
///         error for a missing role everywhere in the protocol.
library RoleCheck {
    /// @notice Checks the protocol-wide role `role` (e.g. `RoleIds.ADMIN`, `RoleIds.CUSTODIAN`).
    /// @dev Reverts `AccessControlUnauthorizedAccount(account, role)`. One external view call
    ///      to the deployment's roles contract, trusted (it is the deployment's own).
    function check(IProtocolRoles roles, bytes32 role, address account) internal view {
        if (!roles.hasRole(role, account))
            revert IAccessControl.AccessControlUnauthorizedAccount(account, role);
    }

    /// @notice Checks the per-index role `role` of `index`, whose id is
    ///         keccak256(abi.encode(role, index)) (as `IProtocolRoles.indexRole`, computed here
    ///         to save a call).
    /// @dev Reverts `AccessControlUnauthorizedAccount(account, indexRoleId)`.
    function checkIndex(
        IProtocolRoles roles,
        bytes32 role,
        address index,
        address account
    ) internal view {
        bytes32 id = keccak256(abi.encode(role, index));
        if (!roles.hasRole(id, account))
            revert IAccessControl.AccessControlUnauthorizedAccount(account, id);
    }
}
