// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {SSTORE2} from "solady/utils/SSTORE2.sol";
import {Component} from "../types/Component.sol";

/// @title Stores a basket as the code of a data contract (SSTORE2) and reads it back
/// @notice Layout: for each component, 32 bytes asset id then the amount in 20 bytes (amounts
///         are at most 2^160 - 1: see `MAX_AMOUNT`), no header. A 7-component basket is 364 bytes:
///         writing it as code costs ~105k gas (code deposit is 200 gas a byte, so the packed
///         amounts save ~17k on every basket written: each index creation and each rebalance)
///         against ~310k for 14 fresh storage slots; reading it is one EXTCODECOPY.
library BasketCodec {
    uint256 internal constant COMPONENT_BYTES = 52;
    /// @notice The largest amount a basket can hold {1e-18 base units per token}: 1.46e30 base
    ///         units (1.46e12 whole tokens of an 18-decimal asset) per index token.
    uint256 internal constant MAX_AMOUNT = type(uint160).max;

    /// @notice Writes `components` to a new data contract.
    function store(Component[] calldata components) internal returns (address pointer) {
        pointer = SSTORE2.write(encode(components));
    }

    /// @notice The packed form of `components` (the bytes a data contract holds).
    function encode(Component[] calldata components) internal pure returns (bytes memory data) {
        uint256 n = components.length;
        // 12 spare bytes: each amount is written as a full word whose low 12 bytes the next id
        // overwrites; the last word's spill stays inside the allocation.
        data = new bytes(n * COMPONENT_BYTES + 12);
        for (uint256 i; i < n; ++i) {
            bytes32 id = components[i].assetId;
            uint256 amount = components[i].amount;
            assembly ("memory-safe") {
                let p := add(add(data, 0x20), mul(i, 52))
                mstore(p, id)
                mstore(add(p, 0x20), shl(96, amount))
            }
        }
        assembly ("memory-safe") {
            mstore(data, mul(n, 52))
        }
    }

    /// @notice Reads the basket stored at `pointer`.
    function load(address pointer) internal view returns (Component[] memory components) {
        return decode(SSTORE2.read(pointer));
    }

    /// @notice Components from their packed form.
    function decode(bytes memory data) internal pure returns (Component[] memory components) {
        uint256 n = data.length / COMPONENT_BYTES;
        components = new Component[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 id;
            uint256 amount;
            assembly ("memory-safe") {
                let p := add(add(data, 0x20), mul(i, 52))
                id := mload(p)
                amount := shr(96, mload(add(p, 0x20)))
            }
            components[i] = Component(id, amount);
        }
    }
}
