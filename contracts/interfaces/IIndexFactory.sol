// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Component} from "../types/Component.sol";

/// @title Creates index tokens and keeps the registry of them
/// @notice Each index is an EIP-1167 clone of one IndexToken implementation, with its name,
///         symbol, fee cap and first issuer and oracle as immutable clone arguments (the issuer
///         and oracle may later move, per index, by the index's own two-step move). A symbol
///         maps to one index; it can be used again only once that index is deprecated and only
///         by `createIndexReusingSymbol`, and the deprecated index stays an index of this
///         factory (`isIndex`), so its holders can still redeem. Creation wires the per-index
///         roles in `IProtocolRoles`.
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

    /// @notice New indices start on `issuer` and `oracle`.
    event DefaultsSet(address indexed issuer, address indexed oracle);
    /// @notice `symbol` now maps to `index`; `previous` (deprecated) keeps working for redemption.
    event SymbolReused(string symbol, address indexed previous, address indexed index);

    /// @notice The index with this symbol is deprecated: pass it to `createIndexReusingSymbol`.
    error FactorySymbolDeprecated(string symbol, address index);
    /// @notice `createIndexReusingSymbol` needs a symbol whose index is deprecated.
    error FactorySymbolNotDeprecated(string symbol, address index);
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

    /// @notice The issuer and oracle new indices start on.
    function defaults() external view returns (address issuer, address oracle);

    /// @notice Sets the issuer and oracle new indices start on: both must be usable versions in
    ///         the version registry (`VersionNotListed`, `VersionIsDeprecated`,
    ///         `VersionCodeChanged`). Only the admin. Existing indices are not moved. Emits
    ///         `DefaultsSet`.
    function setDefaults(address issuer, address oracle) external;

    /// @notice Creates an index on the current defaults. Only the admin
    ///         (`AccessControlUnauthorizedAccount`). Reverts `FactoryInvalidName`,
    ///         `FactorySymbolTaken`, `FactorySymbolDeprecated`, `FactoryFeeRateInvalid`, the
    ///         registry's `VersionIsDeprecated` when a default was deprecated since it was set,
    ///         `FactoryZeroAddress`, and the basket errors of `IIndexToken.initialize`. Emits
    ///         `IndexCreated`.
    function createIndex(CreateIndexParams calldata params) external returns (address index);

    /// @notice As `createIndex`, for a symbol whose index is deprecated: the symbol maps to the
    ///         new index from now on, the old one stays `isIndex`. Only the admin. Reverts
    ///         `FactorySymbolNotDeprecated` when the symbol is free or its index not
    ///         deprecated. Emits `SymbolReused` and `IndexCreated`.
    function createIndexReusingSymbol(
        CreateIndexParams calldata params
    ) external returns (address index);

    /// @notice Whether `index` was created by this factory (its symbol maps to it, or it was
    ///         the deprecated index a reused symbol used to map to).
    function isIndex(address index) external view returns (bool);

    /// @notice The index with this symbol, or address(0).
    function indexOf(string calldata symbol) external view returns (address);
}
