// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Component} from "../types/Component.sol";

/// @title Creates index tokens and keeps the registry of them
/// @notice Each index is an EIP-1167 clone of one IndexToken implementation, with its name,
///         symbol and fee cap as immutable clone arguments. A symbol can be used once. Creation
///         wires the per-index roles in `IProtocolRoles`.
interface IIndexFactory {
    struct CreateIndexParams {
        string name; // ERC-20 name, 1..31 bytes
        string symbol; // ERC-20 symbol, 1..31 bytes, unique in this factory
        Component[] basket; // sorted by ascending asset id
        uint64 feeRate; // {RAY per second}
        uint64 maxFeeRate; // {RAY per second}, fixed forever, <= FEE_RATE_CEILING
        address compiler; // gets INDEX_COMPILER_ROLE of the index
        address feeRecipient; // gets FEE_RECIPIENT_ROLE of the index
    }

    /// @notice A new index was created.
    event IndexCreated(
        address indexed index,
        string symbol,
        string name,
        uint64 feeRate,
        uint64 maxFeeRate,
        address indexed compiler,
        address indexed feeRecipient
    );

    /// @notice Name or symbol empty or longer than 31 bytes.
    error FactoryInvalidName(string value);
    /// @notice An index with this symbol exists.
    error FactorySymbolTaken(string symbol, address index);
    /// @notice The fee cap is above the protocol's ceiling, or the fee above the cap.
    error FactoryFeeRateInvalid(uint256 feeRate, uint256 maxFeeRate, uint256 ceiling);
    /// @notice A role holder is the zero address.
    error FactoryZeroAddress();

    /// @notice Highest fee cap any index may have {RAY per second}; 1e19 ≈ 27% a year.
    function FEE_RATE_CEILING() external view returns (uint64);

    /// @notice The IndexToken implementation every index clones.
    function implementation() external view returns (address);

    /// @notice Creates an index. Only the admin.
    function createIndex(CreateIndexParams calldata params) external returns (address index);

    /// @notice Whether `index` was created by this factory (its symbol maps to it).
    function isIndex(address index) external view returns (bool);

    /// @notice The index with this symbol, or address(0).
    function indexOf(string calldata symbol) external view returns (address);
}
