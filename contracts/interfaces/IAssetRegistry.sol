// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IProtocolRoles} from "./IProtocolRoles.sol";

/// @title Registry of the underlying assets an index can hold
/// @notice Every asset has a `bytes32` id derived as keccak256(abi.encode(chain, identity)) —
///         never encodePacked, so ("ab","c") and ("a","bc") cannot collide. `chain` names the
///         chain the asset lives on ("bitcoin", "solana", "xrpl", or "eip155:<chainId>" for EVM
///         chains, as in CAIP-2) and `identity` the asset on that chain ("native", a mint address,
///         or an ERC-20 address written as lowercase 0x-hex). Metadata is stored once: chain,
///         symbol, decimals, and the token address for assets that live on this chain.
///
///         Price feeds. The admin may give each asset a USD price feed (Chainlink's
///         AggregatorV3Interface: answer {USD × 10^feed.decimals() per whole asset}) with a
///         staleness limit. Index tokens read them through `feedPrices` to bound the prices a
///         rebalance proposal declares. Trust assumption: a feed's answer is the market price
///         within the feed's deviation threshold, and `updatedAt` is when it was last true.
///
///         Roles. Registering assets and setting feeds is for the protocol admin
///         (`DEFAULT_ADMIN_ROLE` of `IProtocolRoles`) alone; a missing role reverts
///         `AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)`. Every view is open to
///         anyone. An asset, once registered, is never changed or removed.
///
///         Supported ranges: decimals 0 ..= `MAX_DECIMALS` (24) for assets and feeds alike;
///         feed staleness limits 1 ..= 2^32 - 1 {seconds}.
interface IAssetRegistry {
    struct Asset {
        string chain; // CAIP-2 style chain name
        string symbol; // display symbol, e.g. "BTC"
        uint8 decimals; // {base units per whole asset = 10**decimals}
        address token; // ERC-20 on this chain, or address(0) for an asset on another chain
    }

    /// @notice The admin registered an asset. `identity` is kept in the event only; `decimals`
    ///         {base units per whole asset = 10**decimals}; `token` is address(0) for an asset
    ///         on another chain.
    event AssetRegistered(
        bytes32 indexed assetId,
        string chain,
        string identity,
        string symbol,
        uint8 decimals,
        address indexed token
    );

    /// @notice The asset's price feed was set (`feed` = address(0): removed). `decimals` are the
    ///         feed's, read once when it is set; `maxAge` {seconds}.
    event PriceFeedSet(
        bytes32 indexed assetId,
        address indexed feed,
        uint32 maxAge,
        uint8 decimals
    );

    /// @notice The id is already registered.
    error AssetAlreadyRegistered(bytes32 assetId);
    /// @notice No asset with this id is registered.
    error AssetUnknown(bytes32 assetId);
    /// @notice Decimals above 24 are refused: reserve reports (uint128) and basket amounts (2^160
    ///         precise base units per token) are sized for them (3.4e14 and 1.4e6 whole units).
    error AssetDecimalsTooLarge(uint8 decimals, uint8 maxDecimals);
    /// @notice Chain, identity or symbol is empty.
    error AssetEmptyField(string field);
    /// @notice An asset on this chain must be registered with `registerLocalToken`, so that its
    ///         id is derived from its address and nothing else.
    error AssetChainIsLocal(string chain);
    /// @notice The token has no code or does not answer `decimals()`/`symbol()`.
    error AssetTokenUnreadable(address token);

    /// @notice `setPriceFeed` with a feed that has no code or whose `decimals()` cannot be read
    ///         or are above MAX_DECIMALS, or with a zero `maxAge`.
    error AssetPriceFeedInvalid(address feed, uint32 maxAge);
    /// @notice The asset has no price feed.
    error AssetPriceFeedMissing(bytes32 assetId);
    /// @notice The feed's last answer is older than the asset's staleness limit {seconds}
    ///         (`updatedAt` 0: the feed has no answer).
    error AssetPriceStale(bytes32 assetId, uint256 updatedAt, uint256 maxAge);
    /// @notice The feed answers a price <= 0, or one that is zero in USD × 1e36 per base unit.
    error AssetPriceInvalid(bytes32 assetId, int256 answer);
    /// @notice The feed's round was not answered in that round (answeredInRound < roundId).
    error AssetPriceRoundIncomplete(bytes32 assetId, uint80 roundId, uint80 answeredInRound);

    /// @notice Largest number of decimals an asset, or a price feed, may have (24).
    function MAX_DECIMALS() external view returns (uint8);

    /// @notice The deployment's roles, whose admin alone may register assets and set feeds;
    ///         fixed at deployment.
    function ROLES() external view returns (IProtocolRoles);

    /// @notice The id of an asset: keccak256(abi.encode(chain, identity)), whether registered
    ///         or not.
    function assetId(
        string calldata chain,
        string calldata identity
    ) external pure returns (bytes32);

    /// @notice This chain's name in asset ids: "eip155:<block.chainid>".
    function localChain() external view returns (string memory);

    /// @notice Admin only. Registers an asset that lives on another chain (native BTC, SOL,
    ///         XRP, ...): stores its chain, symbol and decimals under `assetId(chain, identity)`
    ///         with no token address, and emits `AssetRegistered`.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `AssetEmptyField` ("chain", "identity" or
    ///      "symbol"), `AssetChainIsLocal` (chain is `localChain()`), `AssetDecimalsTooLarge`,
    ///      `AssetAlreadyRegistered`.
    /// @param decimals {base units per whole asset = 10**decimals}, at most `MAX_DECIMALS`
    /// @return id The asset id.
    function registerExternalAsset(
        string calldata chain,
        string calldata identity,
        string calldata symbol,
        uint8 decimals
    ) external returns (bytes32 id);

    /// @notice Admin only. Registers an ERC-20 on this chain: chain is `localChain()`, identity
    ///         the lowercase 0x-hex address, symbol and decimals are read from the token (once:
    ///         they are never read again). Emits `AssetRegistered`.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `AssetTokenUnreadable` (no code, or
    ///      `decimals()` / `symbol()` reverts), `AssetEmptyField` ("symbol"),
    ///      `AssetDecimalsTooLarge`, `AssetAlreadyRegistered`. External calls before the state
    ///      change: the two metadata views of the token the admin names.
    /// @return id The asset id.
    function registerLocalToken(address token) external returns (bytes32 id);

    /// @notice The metadata of a registered asset.
    /// @dev Reverts `AssetUnknown`.
    function asset(bytes32 id) external view returns (Asset memory);

    /// @notice Decimals {base units per whole asset = 10**decimals} and token address
    ///         (address(0) for an asset on another chain) of a registered asset, in one storage
    ///         read.
    /// @dev Reverts `AssetUnknown`.
    function assetInfo(bytes32 id) external view returns (uint8 decimals, address token);

    /// @notice Whether `id` is a registered asset. Never reverts.
    function isRegistered(bytes32 id) external view returns (bool);

    /// @notice Returns when every id is registered.
    /// @dev Reverts `AssetUnknown(id)` for the first id that is not registered.
    function requireRegistered(bytes32[] calldata ids) external view;

    /// @notice The token address of each asset, in the order given (address(0) for assets on
    ///         other chains).
    /// @dev Reverts `AssetUnknown(id)` for the first id that is not registered.
    function tokensOf(bytes32[] calldata ids) external view returns (address[] memory tokens);

    // ---------------------------------------------------------------- price feeds

    /// @notice Admin only. Sets the asset's USD price feed and its staleness limit `maxAge`
    ///         {seconds, > 0}, replacing any feed set before, and reads the feed's `decimals()`
    ///         once (the feed must keep them); `feed` = address(0) removes it (`maxAge` is then
    ///         ignored and stored as 0). Emits `PriceFeedSet`. Takes effect for the next
    ///         `feedPrices` call, so for rebalance proposals made after it.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `AssetUnknown`, `AssetPriceFeedInvalid`
    ///      (maxAge 0, no code, `decimals()` reverts or is above `MAX_DECIMALS`). External call
    ///      before the state change: the feed's `decimals()` view, of a feed the admin chose.
    function setPriceFeed(bytes32 assetId, address feed, uint32 maxAge) external;

    /// @notice The asset's feed (address(0): none), staleness limit {seconds} and the feed's
    ///         decimals (answer {USD × 10^decimals per whole asset}).
    /// @dev Reverts `AssetUnknown`.
    function priceFeed(
        bytes32 assetId
    ) external view returns (address feed, uint32 maxAge, uint8 decimals);

    /// @notice For each asset, in the order given, its feed's latest answer in USD × 1e36 per
    ///         base unit, rounded down (`RebalanceMath.feedPrice`): floor(answer × 1e36 /
    ///         10^(feed decimals + asset decimals)); and whether it is an ERC-20 on this chain
    ///         (as `tokensOf`). One storage read and one feed call per asset. An `updatedAt`
    ///         ahead of this chain's clock counts as fresh. Supported answers: answer × 1e36 /
    ///         10^(decimals) below 2^256.
    /// @dev Reverts, for the first asset that fails: `AssetUnknown`; `AssetPriceFeedMissing`;
    ///      `AssetPriceRoundIncomplete` when answeredInRound < roundId; `AssetPriceInvalid` when
    ///      answer <= 0 or the converted price is 0; `AssetPriceStale` when updatedAt is 0 or
    ///      now - updatedAt > maxAge; and whatever the feed's `latestRoundData` reverts with.
    /// @return prices {USD × 1e36 per base unit}
    /// @return local Whether each asset is an ERC-20 on this chain.
    function feedPrices(
        bytes32[] calldata ids
    ) external view returns (uint256[] memory prices, bool[] memory local);
}
