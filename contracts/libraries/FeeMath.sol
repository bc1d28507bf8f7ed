// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IIndexToken} from "../interfaces/IIndexToken.sol";
import {Units} from "./Units.sol";

/// @title Streaming management fee arithmetic
/// @notice Mirrored function for function in `ssikit.math.fees` (differential test in
///         tests/differential). All values are in RAY (1e27 = 1.0).
library FeeMath {
    uint256 internal constant RAY = Units.RAY;

    /// @notice Bits of the exponent `rpowDown` evaluates: every elapsed time a uint40 timestamp
    ///         can express. Supported range of `n`: 0 to MAX_EXPONENT {seconds}, ~34,800 years.
    uint256 internal constant EXPONENT_BITS = 40;
    uint256 internal constant MAX_EXPONENT = (1 << EXPONENT_BITS) - 1;

    /// @notice x^n in RAY fixed point, by binary exponentiation over a fixed EXPONENT_BITS bits,
    ///         every product rounded down.
    /// @dev Constant cost: every bit of n takes the same steps (`_bitStep`: a multiply by x or by
    ///      exactly 1.0, chosen arithmetically rather than by a jump, then a squaring), so a
    ///      transaction's gas does not depend on the seconds elapsed and an estimate made seconds
    ///      before the transaction is mined still holds. Multiplying by RAY then dividing by RAY
    ///      is exact, so the integers are those of the square-and-multiply loop that skips zero
    ///      bits (the last squaring is never used). Four bits per iteration: a quarter of the
    ///      loop's own overhead. Requires x <= RAY (a decay base; see `_bitStep`).
    /// @return z {RAY} rounded down (never above the exact power).
    function rpowDown(uint256 x, uint256 n) internal pure returns (uint256 z) {
        if (n > MAX_EXPONENT) revert IIndexToken.IndexFeeElapsedOutOfRange(n, MAX_EXPONENT);
        z = RAY;
        unchecked {
            // i < EXPONENT_BITS = 40, a multiple of 4: no overflow, no bit left out
            for (uint256 i; i < EXPONENT_BITS; i += 4) {
                (z, x) = _bitStep(z, x, (n >> i) & 1);
                (z, x) = _bitStep(z, x, (n >> (i + 1)) & 1);
                (z, x) = _bitStep(z, x, (n >> (i + 2)) & 1);
                (z, x) = _bitStep(z, x, (n >> (i + 3)) & 1);
            }
        }
    }

    /// @dev One bit of `rpowDown`: z × (bit == 1 ? x : 1.0), then x². `RAY ^ (bit × (x ^ RAY))`
    ///      is x when bit = 1 and RAY when bit = 0, without a branch. Requires z, x <= RAY (a
    ///      decay base), so each product is <= 1e54 < 2^256 and the unchecked arithmetic
    ///      cannot overflow.
    /// @return {RAY} z × x^bit, rounded down; {RAY} x², rounded down
    function _bitStep(uint256 z, uint256 x, uint256 bit) private pure returns (uint256, uint256) {
        unchecked {
            return ((z * (RAY ^ (bit * (x ^ RAY)))) / RAY, (x * x) / RAY);
        }
    }

    /// @notice The fee factor after `elapsed` seconds at `ratePerSecond`, rounded down
    ///         (the holders' claim never rounds up; the fee recipient's share absorbs the dust).
    /// @param factor {RAY} factor at the start
    /// @param ratePerSecond {RAY per second}, <= RAY
    /// @param elapsed {seconds}, at most MAX_EXPONENT
    /// @return {RAY} factor × (1 − rate)^elapsed
    /// @dev Same cost for every `elapsed` (no shortcut at zero: rpowDown gives exactly RAY
    ///      there); only a zero rate, which does not move between an estimate and its block,
    ///      returns early.
    function decay(
        uint256 factor,
        uint256 ratePerSecond,
        uint256 elapsed
    ) internal pure returns (uint256) {
        if (ratePerSecond == 0) return factor;
        // {RAY} = {RAY} × {RAY} / {RAY}; factor <= RAY so the product fits.
        return (factor * rpowDown(RAY - ratePerSecond, elapsed)) / RAY;
    }

    /// @notice The mint or redeem fee on `amount`, rounded up (the participant pays).
    /// @return {index wei} = {index wei} × {bps} / 10,000
    function issuanceFee(uint256 amount, uint256 feeBps) internal pure returns (uint256) {
        return Math.mulDiv(amount, feeBps, Units.BPS, Math.Rounding.Ceil);
    }
}
