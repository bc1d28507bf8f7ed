// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Holds the protocol's reserves of assets that live on this chain
/// @notice The issuer moves a confirmed mint's escrow here and pays redemptions out of it. Its
///         token balances are the on-chain part of the reserves: the reserve oracle reads them
///         directly instead of trusting a report.
interface ICustodyVault {
    /// @notice `amount` of `token` left the vault for `to`.
    event Released(address indexed token, address indexed to, uint256 amount, address indexed by);

    /// @notice Sends `amount` {base units} of `token` to `to`. Only `ISSUER_ROLE`.
    function release(address token, address to, uint256 amount) external;
}
