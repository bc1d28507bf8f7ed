// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Registry of the underlying assets an index can hold
/// @notice Every asset has a `bytes32` id derived as keccak256(abi.encode(chain, identity)) —
///         never encodePacked, so ("ab","c") and ("a","bc") cannot collide. `chain` names the
///         chain the asset lives on ("bitcoin", "solana", "xrpl", or "eip155:<chainId>" for EVM
///         chains, as in CAIP-2) and `identity` the asset on that chain ("native", a mint address,
///         or an ERC-20 address written as lowercase 0x-hex). Metadata is stored once: chain,
///         symbol, decimals, and the token address for assets that live on this chain.
interface IAssetRegistry {
    struct Asset {
        string chain; // CAIP-2 style chain name
        string symbol; // display symbol, e.g. "BTC"
        uint8 decimals; // {base units per whole asset = 10**decimals}
        address token; // ERC-20 on this chain, or address(0) for an asset on another chain
    }

    /// @notice An asset was registered. `identity` is kept in the event only.
    event AssetRegistered(
        bytes32 indexed assetId, string chain, string identity, string symbol, uint8 decimals, address indexed token
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

    /// @notice Largest number of decimals an asset may have.
    function MAX_DECIMALS() external view returns (uint8);

    /// @notice The id of an asset: keccak256(abi.encode(chain, identity)).
    function assetId(string calldata chain, string calldata identity) external pure returns (bytes32);

    /// @notice This chain's name in asset ids: "eip155:<block.chainid>".
    function localChain() external view returns (string memory);

    /// @notice Registers an asset that lives on another chain (native BTC, SOL, XRP, ...). Admin only.
    /// @return id The asset id.
    function registerExternalAsset(
        string calldata chain,
        string calldata identity,
        string calldata symbol,
        uint8 decimals
    ) external returns (bytes32 id);

    /// @notice Registers an ERC-20 on this chain; chain is `localChain()`, identity the lowercase
    ///         hex address, symbol and decimals are read from the token. Admin only.
    function registerLocalToken(address token) external returns (bytes32 id);

    /// @notice The metadata of a registered asset. Reverts `AssetUnknown`.
    function asset(bytes32 id) external view returns (Asset memory);

    /// @notice Decimals and token address of a registered asset, in one storage read. Reverts `AssetUnknown`.
    function assetInfo(bytes32 id) external view returns (uint8 decimals, address token);

    function isRegistered(bytes32 id) external view returns (bool);

    /// @notice Reverts `AssetUnknown(id)` for the first id that is not registered.
    function requireRegistered(bytes32[] calldata ids) external view;

    /// @notice The token address of each asset (address(0) for assets on other chains);
    ///         reverts `AssetUnknown(id)` for the first id that is not registered.
    function tokensOf(bytes32[] calldata ids) external view returns (address[] memory tokens);
}
