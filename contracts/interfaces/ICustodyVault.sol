// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Holds the protocol's reserves of assets that live on this chain, per index
/// @notice Mint deposits of ERC-20 components are pulled here as escrow of their request (the WLP
///         approves the vault), credited to the index when the mint is confirmed, or made
///         claimable by the requester when it is not (one token at a time, so a token that
///         blocks transfers cannot freeze the others). Redemptions are paid out of it. The
///         vault keeps a ledger per (index, token): what each index owns of each token. That
///         ledger, not the vault's raw balance, is the on-chain part of an index's reserves (the
///         reserve oracle reads `heldFor`), so tokens one index owns never cover another, and a
///         donation to the vault covers nothing (the admin can sweep it back out).
///
///         Only issuer contracts the admin bound (`bindIssuer`), each a usable issuer version in
///         the `IVersionRegistry` when bound, deposit and release; a bound issuer stays bound,
///         so one that indices have moved away from can still finish its requests. The vault
///         itself never moves: it holds assets, and has no logic worth replacing. No role holder,
///         not even the admin, can move tokens an index owns; the admin's only other power is
///         `sweep`, of what the ledger does not account for.
interface ICustodyVault {
    /// @notice `issuer` was bound: it deposits and releases from now on, for good.
    event IssuerBound(address indexed issuer);
    /// @notice `amount` {base units} of `token` arrived for `index`.
    event Deposited(address indexed index, address indexed token, uint256 amount);
    /// @notice `amount` of `token` was pulled from `from` into escrow for request `id`.
    event Escrowed(bytes32 indexed id, address indexed from, address indexed token, uint256 amount);
    /// @notice Request `id`'s escrow of `token` became claimable by `account`.
    event RefundClaimable(
        bytes32 indexed id,
        address indexed account,
        address indexed token,
        uint256 amount
    );
    /// @notice `account` withdrew its claimable `token` to `to`.
    event RefundClaimed(address indexed account, address indexed token, address to, uint256 amount);
    /// @notice `amount` {base units} of `token` left `index`'s ledger, claimable by `to`.
    event Released(
        address indexed index,
        address indexed token,
        address indexed to,
        uint256 amount
    );
    /// @notice The admin sent `amount` of `token` the ledger does not account for to `to`.
    event Swept(address indexed token, address indexed to, uint256 amount);

    /// @notice The caller is not a bound issuer.
    error VaultNotIssuer(address caller);
    /// @notice `issuer` is already bound.
    error VaultIssuerBound(address issuer);
    /// @notice A deposit the vault's balance does not show (the tokens did not arrive).
    error VaultDepositMissing(address token, uint256 balance, uint256 accounted);
    /// @notice A token delivered less than asked into escrow.
    error VaultTransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice Nothing of this token is claimable by the caller.
    error VaultNothingToClaim(address account, address token);
    /// @notice A zero address where one is needed.
    error VaultZeroAddress();
    /// @notice A release above what the index holds of the token.
    error VaultInsufficientHeld(address index, address token, uint256 held, uint256 amount);

    /// @notice Binds an issuer contract, for good. Admin only; `issuer` must be a usable issuer
    ///         version in the version registry.
    /// @dev Reverts `VaultIssuerBound`, `AccessControlUnauthorizedAccount`, and the registry's
    ///      `VersionNotListed`, `VersionIsDeprecated`, `VersionCodeChanged`.
    function bindIssuer(address issuer) external;

    /// @notice Pulls `amounts[i]` {base units} of `tokens[i]` from `from` into escrow for request
    ///         `id`. Only the issuer. Reverts `VaultTransferShortfall` when a token delivers less
    ///         than asked (fee on transfer).
    function pull(
        bytes32 id,
        address from,
        address[] calldata tokens,
        uint256[] calldata amounts
    ) external;

    /// @notice Credits request `id`'s escrow to `index` (a confirmed mint). Only the issuer.
    /// @return count Escrow entries moved (the request's on-chain components).
    function settle(bytes32 id, address index) external returns (uint256 count);

    /// @notice Makes request `id`'s escrow claimable by `to` (a mint that did not happen). Only
    ///         the issuer.
    function refund(bytes32 id, address to) external;

    /// @notice Sends the caller's claimable `token` (refunded escrow, redemption payouts) to `to`.
    /// @dev Reverts `VaultNothingToClaim`, `VaultZeroAddress`.
    function claim(address token, address to) external returns (uint256 amount);

    /// @notice Moves `amount` {base units} of `token` from `index`'s ledger to what `to` can
    ///         claim (`claim`): a redemption's on-chain payout. Nothing is pushed, so no
    ///         recipient can make its own redemption's confirmation fail. Only the issuer.
    ///         Reverts `VaultInsufficientHeld`.
    function release(address index, address token, address to, uint256 amount) external;

    /// @notice Sends what the vault holds of `token` beyond its ledger (donations, mistakes) to
    ///         `to`. Admin only; never touches what an index owns.
    function sweep(address token, address to) external returns (uint256 amount);

    /// @notice What `index` owns of `token` {base units}.
    function heldFor(address index, address token) external view returns (uint256);

    /// @notice What all indices own of `token` {base units}.
    function totalHeld(address token) external view returns (uint256);

    /// @notice Escrow of `token` for open mint requests {base units}.
    function escrowed(address token) external view returns (uint256);

    /// @notice The escrow of request `id`: tokens and amounts {base units}.
    function escrowOf(
        bytes32 id
    ) external view returns (address[] memory tokens, uint256[] memory amounts);

    /// @notice Refunds of `token` waiting for `account` to claim {base units}.
    function claimable(address account, address token) external view returns (uint256);

    /// @notice Σ of every account's claimable `token`. The vault's balance of a token is at
    ///         least `totalHeld + escrowed + claimableTotal` (more only by donations).
    function claimableTotal(address token) external view returns (uint256);

    /// @notice Whether `account` is a bound issuer.
    function isBoundIssuer(address account) external view returns (bool);
}
