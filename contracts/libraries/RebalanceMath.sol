// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Component} from "../types/Component.sol";
import {Price} from "../types/Price.sol";
import {IIndexToken} from "../interfaces/IIndexToken.sol";

/// @title What a rebalance changes, at the prices its proposal declares, bounded by price feeds
/// @notice Mirrored exactly by `ssikit.math.rebalance` (differential tests). Baskets and prices are
///         sorted by asset id; `prices` lists exactly the union of the old and new assets, and
///         `feeds` the feed price of each entry of `prices`. Values are USD × 1e18 per index token
///         at fee factor 1 (stored amounts), each component's value rounded down:
///         value_i = floor(amount_i × price_i / 1e36).
///
///         Why declared prices cannot game the judgement: every declared price must lie within
///         `bandBps` of its feed, so the values, the turnover and each component's change are
///         those at market prices within a factor 1 ± band; and the value tolerance is absolute
///         {USD × 1e18 per token}, so inflating prices does not widen it. What a compiler acting
///         within the bounds can still move: at feed prices the new basket may be worth less than
///         the old by up to about band × Σ|Δvalue_i| = 2 × band × turnover of the old value
///         (declaring what it sells low and what it buys high, each by the band), plus the
///         tolerance.
library RebalanceMath {
    uint256 internal constant PRICE_SCALE = 1e36;
    uint256 internal constant BPS = 10_000;

    struct Assessment {
        uint256 oldValue; // {USD × 1e18 per token}
        uint256 newValue; // {USD × 1e18 per token}
        uint256 turnoverBps; // one-way turnover Σ|Δvalue_i| / (2 × oldValue), rounded up
        uint256 changed; // max(assets added, assets removed)
        uint256 maxChangeBps; // max_i |Δvalue_i| / oldValue {bps}, rounded up
        bytes32 maxChangeAsset; // the asset with the largest |Δvalue_i| (the first of equals)
    }

    /// @notice What the judgement needs beyond the baskets and declared prices.
    struct Market {
        uint256[] feeds; // per entry of `prices`: the asset's feed price {USD × 1e36 per base unit}
        bool[] local; // per entry of `prices`: the asset is an ERC-20 on this chain
        uint256 bandBps; // how far a declared price may be from its feed {bps of the feed price}
        uint256 tolerance; // how much less the new basket may be worth {USD × 1e18 per token}
    }

    /// @dev Walk state (a memory struct keeps the stack shallow).
    struct Walk {
        uint256 i; // next old component
        uint256 j; // next new component
        uint256 added;
        uint256 removed;
        uint256 moved; // Σ |value before - value after|
        uint256 maxMoved; // max |value before - value after|
    }

    /// @notice Judges a proposal. Reverts `RebalancePricesInvalid` (a zero or unsorted price, a
    ///         price for an asset in neither basket, an asset without a price),
    ///         `RebalancePriceOutsideBand`, `RebalanceLocalComponentChanged` and
    ///         `RebalanceValueChanged` (the new basket worth more than the old by over one unit
    ///         per asset, or less by over `tolerance` plus one unit per asset, or the old basket
    ///         worth nothing).
    ///         Local components (ERC-20s on this chain) cannot change in a rebalance: the custody
    ///         vault has no path to trade them.
    function assess(
        Component[] memory oldBasket,
        Component[] calldata newBasket,
        Price[] calldata prices,
        Market memory m
    ) internal pure returns (Assessment memory a) {
        Walk memory w;
        for (uint256 k; k < prices.length; ++k) {
            bytes32 id = prices[k].assetId;
            uint256 price = prices[k].price;
            if (price == 0 || (k > 0 && id <= prices[k - 1].assetId)) {
                revert IIndexToken.RebalancePricesInvalid(k);
            }
            checkBand(id, price, m.feeds[k], m.bandBps);
            uint256 oldAmount;
            uint256 newAmount;
            if (w.i < oldBasket.length && oldBasket[w.i].assetId == id)
                oldAmount = oldBasket[w.i++].amount;
            if (w.j < newBasket.length && newBasket[w.j].assetId == id)
                newAmount = newBasket[w.j++].amount;
            if (oldAmount == 0 && newAmount == 0) revert IIndexToken.RebalancePricesInvalid(k);
            if (m.local[k] && oldAmount != newAmount)
                revert IIndexToken.RebalanceLocalComponentChanged(id);
            if (oldAmount == 0) ++w.added;
            if (newAmount == 0) ++w.removed;
            if (_value(a, w, oldAmount, newAmount, price)) a.maxChangeAsset = id;
        }
        // Every asset of either basket must have had a price.
        if (w.i != oldBasket.length || w.j != newBasket.length) {
            revert IIndexToken.RebalancePricesInvalid(prices.length);
        }
        uint256 n = prices.length;
        // A basket worth nothing at these prices cannot be compared. One unit per asset on either
        // side is the rounding of value_i; `tolerance` is absolute, so no price widens it.
        if (
            a.oldValue == 0 ||
            a.newValue > a.oldValue + n ||
            a.newValue + n + m.tolerance < a.oldValue
        ) {
            revert IIndexToken.RebalanceValueChanged(a.oldValue, a.newValue);
        }
        a.turnoverBps = Math.mulDiv(w.moved, BPS, 2 * a.oldValue, Math.Rounding.Ceil);
        a.maxChangeBps = Math.mulDiv(w.maxMoved, BPS, a.oldValue, Math.Rounding.Ceil);
        a.changed = w.added > w.removed ? w.added : w.removed;
    }

    /// @notice Reverts `RebalancePriceOutsideBand` unless |declared - feed| <= feed × bandBps /
    ///         1e4, the allowance rounded down (a price exactly on the edge passes).
    function checkBand(
        bytes32 assetId,
        uint256 declared,
        uint256 feed,
        uint256 bandBps
    ) internal pure {
        uint256 allowed = Math.mulDiv(feed, bandBps, BPS); // {USD × 1e36 per base unit}
        uint256 off = declared > feed ? declared - feed : feed - declared;
        if (off > allowed)
            revert IIndexToken.RebalancePriceOutsideBand(assetId, declared, feed, bandBps);
    }

    /// @notice A feed's answer {USD × 10^feedDecimals per whole asset} in the Price unit {USD ×
    ///         1e36 per base unit}, rounded down: floor(answer × 1e36 / 10^(feedDecimals +
    ///         assetDecimals)). Dimensions: USD/asset × 1e36 / (10^fd × base units/asset) = USD ×
    ///         1e36 per base unit. Both decimals are at most 24 (`IAssetRegistry.MAX_DECIMALS`:
    ///         the registry refuses more), so the power is at most 1e48.
    /// @dev Reverts (OpenZeppelin `Math.mulDiv`'s panic) when the result does not fit 256 bits.
    function feedPrice(
        uint256 answer,
        uint256 feedDecimals,
        uint256 assetDecimals
    ) internal pure returns (uint256) {
        return Math.mulDiv(answer, PRICE_SCALE, 10 ** (feedDecimals + assetDecimals));
    }

    /// @return larger Whether this component moved more than any before it.
    function _value(
        Assessment memory a,
        Walk memory w,
        uint256 oldAmount,
        uint256 newAmount,
        uint256 price
    ) private pure returns (bool larger) {
        uint256 before = Math.mulDiv(oldAmount, price, PRICE_SCALE);
        uint256 after_ = Math.mulDiv(newAmount, price, PRICE_SCALE);
        a.oldValue += before;
        a.newValue += after_;
        uint256 delta = before > after_ ? before - after_ : after_ - before;
        w.moved += delta;
        if (delta > w.maxMoved) (w.maxMoved, larger) = (delta, true);
    }
}
