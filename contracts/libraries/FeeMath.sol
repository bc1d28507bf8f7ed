// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Units} from "./Units.sol";

/// @title Streaming management fee arithmetic
/// @notice Mirrored function for function in `ssikit.math.fees` (differential test in
///         tests/differential). All values are in RAY (1e27 = 1.0).
library FeeMath {
    uint256 internal constant RAY = Units.RAY;

    /// @notice x^n in RAY fixed point, by binary exponentiation, every product rounded down.
    /// @dev Requires x <= RAY (a decay base), so every intermediate product is <= 1e54 and the
    ///      `unchecked` block cannot overflow. Cost grows with log2(n): at most 40 rounds for any
    ///      elapsed time a uint40 timestamp can express, so accrual is O(1) in practice.
    /// @return z {RAY} rounded down (never above the exact power).
    function rpowDown(uint256 x, uint256 n) internal pure returns (uint256 z) {
        unchecked {
            z = (n & 1) != 0 ? x : RAY;
            for (n >>= 1; n != 0; n >>= 1) {
                x = (x * x) / RAY;
                if ((n & 1) != 0) z = (z * x) / RAY;
            }
        }
    }

    /// @notice The fee factor after `elapsed` seconds at `ratePerSecond`, rounded down
    ///         (the holders' claim never rounds up; the fee recipient's share absorbs the dust).
    /// @param factor {RAY} factor at the start
    /// @param ratePerSecond {RAY per second}, <= RAY
    /// @param elapsed {seconds}
    /// @return {RAY} factor × (1 − rate)^elapsed
    function decay(
        uint256 factor,
        uint256 ratePerSecond,
        uint256 elapsed
    ) internal pure returns (uint256) {
        if (elapsed == 0 || ratePerSecond == 0) return factor;
        // {RAY} = {RAY} × {RAY} / {RAY}; factor <= RAY so the product fits.
        return (factor * rpowDown(RAY - ratePerSecond, elapsed)) / RAY;
    }

    /// @notice The mint or redeem fee on `amount`, rounded up (the participant pays).
    /// @return {index wei} = {index wei} × {bps} / 10,000
    function issuanceFee(uint256 amount, uint256 feeBps) internal pure returns (uint256) {
        return Math.mulDiv(amount, feeBps, Units.BPS, Math.Rounding.Ceil);
    }
}
