// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {SSTORE2} from "solady/utils/SSTORE2.sol";
import {Component} from "../types/Component.sol";

/// @title Stores a basket as the code of a data contract (SSTORE2) and reads it back
/// @notice Layout: for each component, 32 bytes asset id then the amount in 20 bytes (amounts
///         are at most 2^160 - 1: see `MAX_AMOUNT`), no header. A 7-component basket is 364
///         bytes: writing it as code costs ~105k gas (code deposit is 200 gas a byte, so the
///         packed amounts save ~17k on every basket written: each index creation and each
///         rebalance) against ~310k for 14 fresh storage slots; reading it is one EXTCODECOPY.
///
///         One component, at byte `i × COMPONENT_BYTES` of the data:
///
///             bytes 0 ..= 31    asset id                       (ID_OFFSET)
///             bytes 32 ..= 51   amount, big-endian uint160     (AMOUNT_OFFSET, AMOUNT_BYTES)
///
///         The amount is read and written as the 32-byte word at `AMOUNT_OFFSET`: its top 160
///         bits are the amount, its low `AMOUNT_SHIFT` bits (12 bytes) belong to the next
///         component (or, after the last one, to spare bytes inside the allocation).
library BasketCodec {
    /// @notice Bytes per component: a 32-byte asset id and a 20-byte amount.
    uint256 internal constant COMPONENT_BYTES = 52;
    /// @dev {bytes from the component's start} where the asset id begins.
    uint256 private constant ID_OFFSET = 0;
    /// @dev {bytes from the component's start} where the amount begins.
    uint256 private constant AMOUNT_OFFSET = 32;
    /// @dev {bytes} of the amount: 160 bits, so `MAX_AMOUNT` = 2^160 - 1.
    uint256 private constant AMOUNT_BYTES = 20;
    /// @dev {bits} to shift a uint160 amount up to the top of the word at `AMOUNT_OFFSET` (and
    ///      back down): 256 - 8 × AMOUNT_BYTES.
    uint256 private constant AMOUNT_SHIFT = 96;
    /// @dev {bytes} the last amount's word spills past the data: 32 - AMOUNT_BYTES.
    uint256 private constant SPILL_BYTES = 12;
    /// @notice The largest amount a basket can hold {1e-18 base units per token}: 1.46e30 base
    ///         units (1.46e12 whole tokens of an 18-decimal asset) per index token.
    uint256 internal constant MAX_AMOUNT = type(uint160).max;

    /// @notice Writes `components` to a new data contract.
    /// @dev Reverts Solady's `SSTORE2.DeploymentFailed` if the data contract cannot be created.
    ///      Amounts must be at most `MAX_AMOUNT` (see `encode`).
    /// @return pointer the data contract's address
    function store(Component[] calldata components) internal returns (address pointer) {
        pointer = SSTORE2.write(encode(components));
    }

    /// @notice The packed form of `components` (the bytes a data contract holds),
    ///         `components.length × COMPONENT_BYTES` bytes.
    /// @dev The caller checks every amount is at most `MAX_AMOUNT` (the index token refuses
    ///      larger ones with `BasketAmountTooLarge`): a larger amount would lose its top bits.
    function encode(Component[] calldata components) internal pure returns (bytes memory data) {
        uint256 n = components.length;
        // SPILL_BYTES spare bytes: each amount is written as a full word whose low SPILL_BYTES
        // the next id overwrites; the last word's spill stays inside the allocation.
        data = new bytes(n * COMPONENT_BYTES + SPILL_BYTES);
        for (uint256 i; i < n; ++i) {
            bytes32 id = components[i].assetId;
            uint256 amount = components[i].amount;
            assembly ("memory-safe") {
                let p := add(add(data, 0x20), mul(i, COMPONENT_BYTES))
                mstore(add(p, ID_OFFSET), id)
                mstore(add(p, AMOUNT_OFFSET), shl(AMOUNT_SHIFT, amount))
            }
        }
        assembly ("memory-safe") {
            mstore(data, mul(n, COMPONENT_BYTES))
        }
    }

    /// @notice Reads the basket stored at `pointer`.
    /// @dev Reverts Solady's `SSTORE2.InvalidPointer` if `pointer` holds no code.
    function load(address pointer) internal view returns (Component[] memory components) {
        return decode(SSTORE2.read(pointer));
    }

    /// @notice Components from their packed form; trailing bytes short of a whole component
    ///         are ignored.
    function decode(bytes memory data) internal pure returns (Component[] memory components) {
        uint256 n = data.length / COMPONENT_BYTES;
        components = new Component[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 id;
            uint256 amount;
            assembly ("memory-safe") {
                let p := add(add(data, 0x20), mul(i, COMPONENT_BYTES))
                id := mload(add(p, ID_OFFSET))
                amount := shr(AMOUNT_SHIFT, mload(add(p, AMOUNT_OFFSET)))
            }
            components[i] = Component(id, amount);
        }
    }
}
