// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @notice An asset's price as declared in a rebalance proposal (and committed with it).
/// @dev `price` is in USD × 1e36 per base unit (satoshi, lamport, wei, ...), so an amount in
///      precise base units (Component.amount) times a price, divided by 1e36, is USD × 1e18:
///      BTC at $43,000 is 43,000 × 1e36 / 1e8 = 4.3e32; a $0.00001 18-decimal token is 1e13.
struct Price {
    bytes32 assetId;
    uint256 price; // {USD × 1e36 per base unit}
}
