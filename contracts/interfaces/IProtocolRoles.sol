// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title The roles of an ssikit deployment
/// @notice One OpenZeppelin AccessControl holds every role of the deployment, so that a single
///         admin (meant to be a timelock or a multisig, transferred in two steps with a delay) can
///         see and change who may do what. Roles are separated by duty:
///         - admin (`DEFAULT_ADMIN_ROLE`): grants roles, registers assets, creates indices, sets
///           fees;
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
///
///         Granting and revoking. `DEFAULT_ADMIN_ROLE` is the admin role of every role,
///         per-index ones included: only the admin may `grantRole` / `revokeRole` (reverts
///         `AccessControlUnauthorizedAccount`), and any holder may `renounceRole` its own role
///         (reverts `AccessControlBadConfirmation` for another account). The default admin
///         itself follows OpenZeppelin's `IAccessControlDefaultAdminRules`: it is never granted
///         or revoked with `grantRole` / `revokeRole` (reverts
///         `AccessControlEnforcedDefaultAdminRules`) but moved by `beginDefaultAdminTransfer`
///         (admin only) then, once the delay {seconds} set at deployment has passed,
///         `acceptDefaultAdminTransfer` by the new admin (reverts
///         `AccessControlInvalidDefaultAdmin` for anyone else,
///         `AccessControlEnforcedDefaultAdminDelay` before the delay).
interface IProtocolRoles is IAccessControl {
    /// @notice Wiring was asked with a zero address for the index or a role holder.
    error RolesZeroAccount();

    /// @notice keccak256("ssikit.role.issuer"): mints and burns index tokens; held by the
    ///         issuer contract only.
    function ISSUER_ROLE() external view returns (bytes32);
    /// @notice keccak256("ssikit.role.pauser"): pauses minting, or redemption for a bounded
    ///         time (see `IIssuer`).
    function PAUSER_ROLE() external view returns (bytes32);
    /// @notice keccak256("ssikit.role.custodian"): settles mint and redeem requests and reports
    ///         reserves (for the accounts the reserve oracle's admin made it custodian of).
    function CUSTODIAN_ROLE() external view returns (bytes32);
    /// @notice keccak256("ssikit.role.index-factory"): calls `wireIndex`; held by the factory.
    function INDEX_FACTORY_ROLE() external view returns (bytes32);
    /// @notice keccak256("ssikit.role.wlp"): base of the per-index WLP role (`indexRole(WLP_ROLE,
    ///         index)`), the participants allowed to request mints and redemptions.
    function WLP_ROLE() external view returns (bytes32);
    /// @notice keccak256("ssikit.role.index-compiler"): base of the per-index compiler role,
    ///         which proposes and cancels that index's rebalances.
    function INDEX_COMPILER_ROLE() external view returns (bytes32);
    /// @notice keccak256("ssikit.role.fee-recipient"): base of the per-index fee recipient
    ///         role, which collects that index's management fee.
    function FEE_RECIPIENT_ROLE() external view returns (bytes32);

    /// @notice The role id of a per-index role: keccak256(abi.encode(role, index)). Pure: the
    ///         same id for any index, registered or not.
    function indexRole(bytes32 role, address index) external pure returns (bytes32);

    /// @notice Whether `account` holds the per-index `role` of `index`
    ///         (`hasRole(indexRole(role, index), account)`).
    function hasIndexRole(
        bytes32 role,
        address index,
        address account
    ) external view returns (bool);

    /// @notice `INDEX_FACTORY_ROLE` only. Grants the per-index `INDEX_COMPILER_ROLE` of `index`
    ///         to `compiler` and its `FEE_RECIPIENT_ROLE` to `feeRecipient` (OpenZeppelin's
    ///         `RoleGranted` events record it; granting a role already held changes nothing).
    ///         Other holders of those roles are not revoked.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `RolesZeroAccount` (index, compiler or
    ///      fee recipient is address(0)).
    function wireIndex(address index, address compiler, address feeRecipient) external;
}
