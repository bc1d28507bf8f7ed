// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Holds the protocol's reserves of assets that live on this chain, per index
/// @notice The issuer moves a confirmed mint's escrow here and pays redemptions out of it. The
///         vault keeps a ledger per (index, token): what each index owns of each token. That
///         ledger, not the vault's raw balance, is the on-chain part of an index's reserves (the
///         reserve oracle reads `heldFor`), so tokens one index owns never cover another, and a
///         donation to the vault covers nothing (the admin can sweep it back out).
///
///         Only the issuer contract bound once by the admin (`bindIssuer`) deposits and releases:
///         no role holder, not even the admin, can move tokens an index owns.
interface ICustodyVault {
    /// @notice The issuer was bound; it alone deposits and releases from now on.
    event IssuerBound(address indexed issuer);
    /// @notice `amount` {base units} of `token` arrived for `index`.
    event Deposited(address indexed index, address indexed token, uint256 amount);
    /// @notice `amount` {base units} of `token` left `index`'s ledger for `to`.
    event Released(address indexed index, address indexed token, address indexed to, uint256 amount);
    /// @notice The admin sent `amount` of `token` the ledger does not account for to `to`.
    event Swept(address indexed token, address indexed to, uint256 amount);

    /// @notice The caller is not the bound issuer.
    error VaultNotIssuer(address caller);
    /// @notice `bindIssuer` was already called, or given address(0).
    error VaultIssuerBound(address issuer);
    /// @notice A deposit the vault's balance does not show (the tokens did not arrive).
    error VaultDepositMissing(address token, uint256 balance, uint256 accounted);
    /// @notice A release above what the index holds of the token.
    error VaultInsufficientHeld(address index, address token, uint256 held, uint256 amount);

    /// @notice Binds the issuer contract, once. Admin only.
    /// @dev Reverts `VaultIssuerBound`, `AccessControlUnauthorizedAccount`.
    function bindIssuer(address issuer) external;

    /// @notice Records that `amount` {base units} of `token`, already transferred to the vault,
    ///         belong to `index`. Only the issuer. Reverts `VaultDepositMissing` unless the
    ///         vault's balance covers every ledger entry of the token after this one.
    function deposit(address index, address token, uint256 amount) external;

    /// @notice Sends `amount` {base units} of `token` from `index`'s ledger to `to`. Only the
    ///         issuer. Reverts `VaultInsufficientHeld`.
    function release(address index, address token, address to, uint256 amount) external;

    /// @notice Sends what the vault holds of `token` beyond its ledger (donations, mistakes) to
    ///         `to`. Admin only; never touches what an index owns.
    function sweep(address token, address to) external returns (uint256 amount);

    /// @notice What `index` owns of `token` {base units}.
    function heldFor(address index, address token) external view returns (uint256);

    /// @notice What all indices own of `token` {base units}.
    function totalHeld(address token) external view returns (uint256);

    /// @notice The bound issuer (address(0) before `bindIssuer`).
    function issuer() external view returns (address);
}
