// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title ProtocolRoles
/// @notice The deployment's single AccessControl. The default admin changes only in two steps
///         with a delay (OpenZeppelin AccessControlDefaultAdminRules), as befits a timelock or
///         multisig.
contract ProtocolRoles is AccessControlDefaultAdminRules, IProtocolRoles {
    bytes32 public constant override ISSUER_ROLE = RoleIds.ISSUER;
    bytes32 public constant override PAUSER_ROLE = RoleIds.PAUSER;
    bytes32 public constant override CUSTODIAN_ROLE = RoleIds.CUSTODIAN;
    bytes32 public constant override INDEX_FACTORY_ROLE = RoleIds.INDEX_FACTORY;
    bytes32 public constant override WLP_ROLE = RoleIds.WLP;
    bytes32 public constant override INDEX_COMPILER_ROLE = RoleIds.INDEX_COMPILER;
    bytes32 public constant override FEE_RECIPIENT_ROLE = RoleIds.FEE_RECIPIENT;

    /// @param adminTransferDelay {seconds} delay of a default-admin transfer
    /// @param admin the initial admin (a timelock or multisig in production)
    constructor(
        uint48 adminTransferDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {}

    /// @inheritdoc IProtocolRoles
    function indexRole(bytes32 role, address index) public pure override returns (bytes32) {
        return keccak256(abi.encode(role, index));
    }

    /// @inheritdoc IProtocolRoles
    function hasIndexRole(
        bytes32 role,
        address index,
        address account
    ) external view override returns (bool) {
        return hasRole(indexRole(role, index), account);
    }

    /// @inheritdoc IProtocolRoles
    function wireIndex(
        address index,
        address compiler,
        address feeRecipient
    ) external override onlyRole(INDEX_FACTORY_ROLE) {
        if (index == address(0) || compiler == address(0) || feeRecipient == address(0))
            revert RolesZeroAccount();
        _grantRole(indexRole(INDEX_COMPILER_ROLE, index), compiler);
        _grantRole(indexRole(FEE_RECIPIENT_ROLE, index), feeRecipient);
    }
}
