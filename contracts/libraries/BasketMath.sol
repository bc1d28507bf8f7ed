// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Units} from "./Units.sol";

/// @title Basket arithmetic: amounts per token, quantities for an index amount, liabilities
/// @notice Units: index amounts in index wei (1e18 per token); basket amounts in precise base
///         units (asset base units × 1e18) per whole token; factors in RAY. Every function names
///         its rounding: what a participant pays or the protocol owes rounds up, what a
///         participant receives rounds down. Mirrored in `ssikit.math.basket`.
library BasketMath {
    uint256 internal constant RAY = Units.RAY;
    /// @dev 1e18 (index wei per token) × 1e18 (extra precision of basket amounts).
    uint256 internal constant SCALE = Units.SCALE;

    /// @notice Amount per whole token after the fee factor.
    /// @return {1e-18 base units per token} = {1e-18 base units per token} × {RAY} / {RAY}
    function amountPerToken(
        uint256 storedAmount,
        uint256 factor,
        Math.Rounding rounding
    ) internal pure returns (uint256) {
        return Math.mulDiv(storedAmount, factor, RAY, rounding);
    }

    /// @notice Base units of an asset for `indexAmount` index wei.
    /// @return {base units} = {1e-18 base units per token} × {index wei} / 1e36
    function quantity(
        uint256 perToken,
        uint256 indexAmount,
        Math.Rounding rounding
    ) internal pure returns (uint256) {
        return Math.mulDiv(perToken, indexAmount, SCALE, rounding);
    }

    /// @notice Backing units for `indexAmount` at fee factor `factor`.
    /// @return {index wei at stored amounts} = {index wei} × {RAY} / {RAY}
    function backing(
        uint256 indexAmount,
        uint256 factor,
        Math.Rounding rounding
    ) internal pure returns (uint256) {
        return Math.mulDiv(indexAmount, factor, RAY, rounding);
    }

    /// @notice What the reserves must hold of a component, rounded up.
    /// @return {base units} = {1e-18 base units per token} × {index wei at stored amounts} / 1e36
    function liability(uint256 storedAmount, uint256 backingUnits) internal pure returns (uint256) {
        return Math.mulDiv(storedAmount, backingUnits, SCALE, Math.Rounding.Ceil);
    }

    /// @notice The most backing units `reserves` of a component cover: the largest L with
    ///         liability(storedAmount, L) <= reserves, since reserves >= ceil(stored × L / 1e36)
    ///         <=> L <= floor(reserves × 1e36 / stored). Rounded down (the oracle's headroom).
    /// @dev Panics (division by zero) for a zero `storedAmount`; baskets hold none.
    /// @return {index wei at stored amounts} = {base units} × 1e36 / {1e-18 base units per token}
    function maxBackingUnits(
        uint256 reserves,
        uint256 storedAmount
    ) internal pure returns (uint256) {
        return Math.mulDiv(reserves, SCALE, storedAmount, Math.Rounding.Floor);
    }

    /// @notice What a mint of `indexAmount` must deliver of a component, rounded up: exactly the
    ///         liability the mint adds (its backing units rounded up, then the amount rounded up),
    ///         so a covered index stays covered after the mint.
    /// @return {base units} = {1e-18 base units per token} × ceil({index wei} × {RAY} / {RAY})
    ///         / 1e36
    function depositFor(
        uint256 storedAmount,
        uint256 factor,
        uint256 indexAmount
    ) internal pure returns (uint256) {
        return liability(storedAmount, backing(indexAmount, factor, Math.Rounding.Ceil));
    }

    /// @notice What a redemption of `indexAmount` pays out of a component, rounded down: the
    ///         liability it removes (backing units rounded down, then the amount rounded down), so
    ///         a redemption never leaves the rest less covered.
    /// @return {base units}
    function payoutFor(
        uint256 storedAmount,
        uint256 factor,
        uint256 indexAmount
    ) internal pure returns (uint256) {
        return
            Math.mulDiv(
                storedAmount,
                backing(indexAmount, factor, Math.Rounding.Floor),
                SCALE,
                Math.Rounding.Floor
            );
    }

    /// @notice Index tokens the fee recipient's share is worth, rounded down (0 if none).
    /// @return {index wei} = {index wei at stored amounts} × RAY / {RAY} − {index wei}
    function feeShare(
        uint256 backingUnits,
        uint256 supply,
        uint256 factor
    ) internal pure returns (uint256) {
        uint256 all = Math.mulDiv(backingUnits, RAY, factor, Math.Rounding.Floor);
        return all > supply ? all - supply : 0;
    }
}
