// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Where a reserve feed reads reserves from
/// @notice The reserve oracle's read of the reserves attributed to one index, per asset.
interface IReserveSource {
    /// @notice Reserves of `assetId` held for `index`, and how old they are. A view anyone may
    ///         call; an account that does not exist answers (0, 0) rather than reverting.
    /// @return reserves {asset base units}, exact (no rounding)
    /// @return asOf {unix seconds} as-of time of the oldest report counted; block.timestamp for
    ///         an asset on this chain; 0 when nothing has been reported
    function reservesOf(
        address index,
        bytes32 assetId
    ) external view returns (uint256 reserves, uint256 asOf);
}
