// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title The protocol's fixed-point units, each defined once
/// @notice Mirrored in `ssikit.math.units`.
library Units {
    /// @notice 1.0 in RAY fixed point: fee factors and per-second fee rates.
    uint256 internal constant RAY = 1e27;
    /// @notice 1.0 in WAD fixed point: coverage ratios.
    uint256 internal constant WAD = 1e18;
    /// @notice 100% in basis points.
    uint256 internal constant BPS = 10_000;
    /// @notice 1e18 index wei per token × 1e18 extra decimals of basket amounts: amount × index
    ///         wei / SCALE is base units.
    uint256 internal constant SCALE = 1e36;
}
