// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {BasketMath} from "../libraries/BasketMath.sol";
import {FeeMath} from "../libraries/FeeMath.sol";
import {RebalanceMath} from "../libraries/RebalanceMath.sol";
import {Component} from "../types/Component.sol";
import {Price} from "../types/Price.sol";

/// @notice Exposes the pure libraries to the differential tests (Solidity vs `ssikit.math`).
contract MathHarness {
    function rpowDown(uint256 x, uint256 n) external pure returns (uint256) {
        return FeeMath.rpowDown(x, n);
    }

    function decay(uint256 factor, uint256 rate, uint256 elapsed) external pure returns (uint256) {
        return FeeMath.decay(factor, rate, elapsed);
    }

    /// @notice The gas `FeeMath.decay` itself takes {gas}, measured around the call (calldata
    ///         and the call's overhead excluded, so elapsed times of any bit pattern compare).
    function decayGas(
        uint256 factor,
        uint256 rate,
        uint256 elapsed
    ) external view returns (uint256 result, uint256 gasUsed) {
        uint256 before = gasleft();
        result = FeeMath.decay(factor, rate, elapsed); // returned: the call cannot be dropped
        gasUsed = before - gasleft();
    }

    function amountPerToken(
        uint256 stored,
        uint256 factor,
        bool roundUp
    ) external pure returns (uint256) {
        return
            BasketMath.amountPerToken(
                stored,
                factor,
                roundUp ? Math.Rounding.Ceil : Math.Rounding.Floor
            );
    }

    function quantity(
        uint256 perToken,
        uint256 indexAmount,
        bool roundUp
    ) external pure returns (uint256) {
        return
            BasketMath.quantity(
                perToken,
                indexAmount,
                roundUp ? Math.Rounding.Ceil : Math.Rounding.Floor
            );
    }

    function backing(
        uint256 indexAmount,
        uint256 factor,
        bool roundUp
    ) external pure returns (uint256) {
        return
            BasketMath.backing(
                indexAmount,
                factor,
                roundUp ? Math.Rounding.Ceil : Math.Rounding.Floor
            );
    }

    function liability(uint256 stored, uint256 units) external pure returns (uint256) {
        return BasketMath.liability(stored, units);
    }

    function depositFor(
        uint256 stored,
        uint256 factor,
        uint256 indexAmount
    ) external pure returns (uint256) {
        return BasketMath.depositFor(stored, factor, indexAmount);
    }

    function payoutFor(
        uint256 stored,
        uint256 factor,
        uint256 indexAmount
    ) external pure returns (uint256) {
        return BasketMath.payoutFor(stored, factor, indexAmount);
    }

    function maxBackingUnits(uint256 reserves, uint256 stored) external pure returns (uint256) {
        return BasketMath.maxBackingUnits(reserves, stored);
    }

    function issuanceFee(uint256 amount, uint256 feeBps) external pure returns (uint256) {
        return FeeMath.issuanceFee(amount, feeBps);
    }

    function feeShare(
        uint256 units,
        uint256 supply,
        uint256 factor
    ) external pure returns (uint256) {
        return BasketMath.feeShare(units, supply, factor);
    }

    function rebalanceAssess(
        Component[] memory oldBasket,
        Component[] calldata newBasket,
        Price[] calldata prices,
        uint256[] memory feeds,
        bool[] memory local,
        uint256 bandBps,
        uint256 tolerance
    )
        external
        pure
        returns (
            uint256 oldValue,
            uint256 newValue,
            uint256 turnoverBps,
            uint256 changed,
            uint256 maxChangeBps,
            bytes32 maxChangeAsset
        )
    {
        RebalanceMath.Market memory m = RebalanceMath.Market(feeds, local, bandBps, tolerance);
        RebalanceMath.Assessment memory a = RebalanceMath.assess(oldBasket, newBasket, prices, m);
        return (a.oldValue, a.newValue, a.turnoverBps, a.changed, a.maxChangeBps, a.maxChangeAsset);
    }

    function feedPrice(
        uint256 answer,
        uint256 feedDecimals,
        uint256 assetDecimals
    ) external pure returns (uint256) {
        return RebalanceMath.feedPrice(answer, feedDecimals, assetDecimals);
    }
}
