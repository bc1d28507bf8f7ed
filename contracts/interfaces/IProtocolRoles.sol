// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title The roles of an ssikit deployment
/// @notice One OpenZeppelin AccessControl holds every role of the deployment, so that a single
///         admin (meant to be a timelock or a multisig, transferred in two steps with a delay) can
///         see and change who may do what. Roles are separated by duty:
///         - admin (`DEFAULT_ADMIN_ROLE`): grants roles, registers assets, creates indices, sets fees;
///         - `ISSUER_ROLE`: mints and burns index tokens (held by the issuer contract);
///         - `PAUSER_ROLE`: pauses minting or redemption;
///         - `CUSTODIAN_ROLE`: confirms deliveries and reports reserves;
///         - `INDEX_FACTORY_ROLE`: wires the per-index roles of a new index (held by the factory);
///         and, per index (role id from `indexRole(role, index)`):
///         - `WLP_ROLE`: whitelisted participant allowed to mint and redeem that index;
///         - `INDEX_COMPILER_ROLE`: proposes that index's rebalances;
///         - `FEE_RECIPIENT_ROLE`: collects that index's management fee.
///         Unauthorised calls anywhere in the protocol revert with OpenZeppelin's
///         `IAccessControl.AccessControlUnauthorizedAccount(account, neededRole)`.
interface IProtocolRoles is IAccessControl {
    /// @notice Wiring was asked with a zero address for a role holder.
    error RolesZeroAccount();

    function ISSUER_ROLE() external view returns (bytes32);
    function PAUSER_ROLE() external view returns (bytes32);
    function CUSTODIAN_ROLE() external view returns (bytes32);
    function INDEX_FACTORY_ROLE() external view returns (bytes32);
    function WLP_ROLE() external view returns (bytes32);
    function INDEX_COMPILER_ROLE() external view returns (bytes32);
    function FEE_RECIPIENT_ROLE() external view returns (bytes32);

    /// @notice The role id of a per-index role: keccak256(abi.encode(role, index)).
    function indexRole(bytes32 role, address index) external pure returns (bytes32);

    /// @notice Whether `account` holds the per-index `role` of `index`.
    function hasIndexRole(
        bytes32 role,
        address index,
        address account
    ) external view returns (bool);

    /// @notice Grants the index compiler and fee recipient roles of a newly created index
    ///         (OpenZeppelin's RoleGranted events record it).
    /// @dev Only `INDEX_FACTORY_ROLE`. Reverts `RolesZeroAccount` for a zero address.
    function wireIndex(address index, address compiler, address feeRecipient) external;
}
