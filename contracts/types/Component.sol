// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @notice One line of an index token's basket.
/// @dev `amount` is written in "precise base units": the asset's smallest unit (satoshi, lamport,
///      wei, ...) times 1e18, per one whole index token (1e18 index wei). Keeping 18 extra decimals
///      means a fee or rebalance step loses at most 1e-18 base units per token, instead of whole
///      base units as in the production SSI token.
struct Component {
    bytes32 assetId; // id from IAssetRegistry.assetId(chain, identity)
    uint256 amount; // {1e-18 asset base units per 1e18 index wei}
}
