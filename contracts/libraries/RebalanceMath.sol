// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Component} from "../types/Component.sol";
import {Price} from "../types/Price.sol";
import {IIndexToken} from "../interfaces/IIndexToken.sol";

/// @title What a rebalance changes, at the prices its proposal declares
/// @notice Mirrored exactly by `ssikit.math.rebalance` (differential tests). Baskets and prices are
///         sorted by asset id; `prices` lists exactly the union of the old and new assets.
///         Values are USD × 1e18 per index token at fee factor 1 (stored amounts), each
///         component's value rounded down: value_i = floor(amount_i × price_i / 1e36).
library RebalanceMath {
    uint256 internal constant PRICE_SCALE = 1e36;
    uint256 internal constant BPS = 10_000;
    /// @notice A proposal may change the value per token by at most 1e-9 of it (plus one unit of
    ///         rounding per asset): it must repackage the same value, not add or remove any.
    uint256 internal constant VALUE_TOLERANCE = 1e9;

    struct Assessment {
        uint256 oldValue; // {USD × 1e18 per token}
        uint256 newValue; // {USD × 1e18 per token}
        uint256 turnoverBps; // one-way turnover Σ|Δvalue_i| / (2 × oldValue), rounded up
        uint256 changed; // max(assets added, assets removed)
    }

    /// @dev Walk state (a memory struct keeps the stack shallow).
    struct Walk {
        uint256 i; // next old component
        uint256 j; // next new component
        uint256 added;
        uint256 removed;
        uint256 moved; // Σ |value before - value after|
    }

    /// @param local Per entry of `prices`: the asset is an ERC-20 on this chain. Such components
    ///        cannot change in a rebalance (the custody vault has no path to trade them).
    function assess(
        Component[] memory oldBasket,
        Component[] calldata newBasket,
        Price[] calldata prices,
        bool[] memory local
    ) internal pure returns (Assessment memory a) {
        Walk memory w;
        for (uint256 k; k < prices.length; ++k) {
            bytes32 id = prices[k].assetId;
            if (prices[k].price == 0 || (k > 0 && id <= prices[k - 1].assetId)) {
                revert IIndexToken.RebalancePricesInvalid(k);
            }
            uint256 oldAmount;
            uint256 newAmount;
            if (w.i < oldBasket.length && oldBasket[w.i].assetId == id) oldAmount = oldBasket[w.i++].amount;
            if (w.j < newBasket.length && newBasket[w.j].assetId == id) newAmount = newBasket[w.j++].amount;
            if (oldAmount == 0 && newAmount == 0) revert IIndexToken.RebalancePricesInvalid(k);
            if (local[k] && oldAmount != newAmount) revert IIndexToken.RebalanceLocalComponentChanged(id);
            if (oldAmount == 0) ++w.added;
            if (newAmount == 0) ++w.removed;
            _value(a, w, oldAmount, newAmount, prices[k].price);
        }
        // Every asset of either basket must have had a price.
        if (w.i != oldBasket.length || w.j != newBasket.length) {
            revert IIndexToken.RebalancePricesInvalid(prices.length);
        }
        uint256 n = prices.length;
        // A basket worth nothing at these prices cannot be compared (prices far too small).
        if (
            a.oldValue == 0 || a.newValue > a.oldValue + n
                || a.newValue + n + a.oldValue / VALUE_TOLERANCE < a.oldValue
        ) {
            revert IIndexToken.RebalanceValueChanged(a.oldValue, a.newValue);
        }
        a.turnoverBps = Math.mulDiv(w.moved, BPS, 2 * a.oldValue, Math.Rounding.Ceil);
        a.changed = w.added > w.removed ? w.added : w.removed;
    }

    function _value(Assessment memory a, Walk memory w, uint256 oldAmount, uint256 newAmount, uint256 price)
        private
        pure
    {
        uint256 before = Math.mulDiv(oldAmount, price, PRICE_SCALE);
        uint256 after_ = Math.mulDiv(newAmount, price, PRICE_SCALE);
        a.oldValue += before;
        a.newValue += after_;
        w.moved += before > after_ ? before - after_ : after_ - before;
    }
}
