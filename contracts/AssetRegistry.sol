// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";
import {RebalanceMath} from "./libraries/RebalanceMath.sol";
import {AggregatorV3Interface} from "./interfaces/external/AggregatorV3Interface.sol";

/// @title AssetRegistry
/// @notice The registry specified in `IAssetRegistry`; storage keeps what hot paths read in one
///         slot per asset (`Info`, `Feed`) and the strings apart.
contract AssetRegistry is IAssetRegistry {
    using RoleCheck for IProtocolRoles;

    /// @dev One slot read gives what hot paths need (decimals, token); strings are kept apart.
    struct Info {
        address token; // ERC-20 on this chain or address(0)
        uint8 decimals; // {base units per whole asset = 10**decimals}
        bool registered;
    }

    /// @dev Everything `feedPrices` needs of an asset in one slot: 160+32+8+8+8 bits. The feed
    ///      address cannot share `Info`'s slot (two addresses are 320 bits), so the asset's
    ///      decimals and whether it is local are copied here when the feed is set (both are fixed
    ///      at registration and never change), and a rebalance reads one slot per asset, not two.
    struct Feed {
        AggregatorV3Interface feed; // address(0) = none
        uint32 maxAge; // {seconds}
        uint8 feedDecimals; // answer {USD × 10^feedDecimals per whole asset}
        uint8 assetDecimals; // = Info.decimals
        bool local; // = Info.token != address(0)
    }

    uint8 public constant override MAX_DECIMALS = 24;
    /// @inheritdoc IAssetRegistry
    IProtocolRoles public immutable override ROLES;

    mapping(bytes32 id => Info) private _info;
    mapping(bytes32 id => string) private _chain;
    mapping(bytes32 id => string) private _symbol;
    mapping(bytes32 id => Feed) private _feeds;

    constructor(IProtocolRoles roles) {
        ROLES = roles;
    }

    /// @inheritdoc IAssetRegistry
    function assetId(
        string calldata chain,
        string calldata identity
    ) public pure override returns (bytes32) {
        return keccak256(abi.encode(chain, identity));
    }

    /// @inheritdoc IAssetRegistry
    function localChain() public view override returns (string memory) {
        return string.concat("eip155:", Strings.toString(block.chainid));
    }

    /// @inheritdoc IAssetRegistry
    function registerExternalAsset(
        string calldata chain,
        string calldata identity,
        string calldata symbol,
        uint8 decimals
    ) external override returns (bytes32 id) {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (bytes(chain).length == 0) revert AssetEmptyField("chain");
        if (bytes(identity).length == 0) revert AssetEmptyField("identity");
        if (keccak256(bytes(chain)) == keccak256(bytes(localChain())))
            revert AssetChainIsLocal(chain);
        id = assetId(chain, identity);
        _register(id, chain, identity, symbol, decimals, address(0));
    }

    /// @inheritdoc IAssetRegistry
    function registerLocalToken(address token) external override returns (bytes32 id) {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (token.code.length == 0) revert AssetTokenUnreadable(token);
        uint8 decimals;
        string memory symbol;
        try IERC20Metadata(token).decimals() returns (uint8 d) {
            decimals = d;
        } catch {
            revert AssetTokenUnreadable(token);
        }
        try IERC20Metadata(token).symbol() returns (string memory s) {
            symbol = s;
        } catch {
            revert AssetTokenUnreadable(token);
        }
        string memory chain = localChain();
        string memory identity = Strings.toHexString(token); // lowercase 0x-hex
        id = keccak256(abi.encode(chain, identity));
        _register(id, chain, identity, symbol, decimals, token);
    }

    function _register(
        bytes32 id,
        string memory chain,
        string memory identity,
        string memory symbol,
        uint8 decimals,
        address token
    ) private {
        if (bytes(symbol).length == 0) revert AssetEmptyField("symbol");
        if (decimals > MAX_DECIMALS) revert AssetDecimalsTooLarge(decimals, MAX_DECIMALS);
        if (_info[id].registered) revert AssetAlreadyRegistered(id);
        _info[id] = Info({token: token, decimals: decimals, registered: true});
        _chain[id] = chain;
        _symbol[id] = symbol;
        emit AssetRegistered(id, chain, identity, symbol, decimals, token);
    }

    /// @inheritdoc IAssetRegistry
    function asset(bytes32 id) external view override returns (Asset memory) {
        Info memory info = _known(id);
        return
            Asset({
                chain: _chain[id],
                symbol: _symbol[id],
                decimals: info.decimals,
                token: info.token
            });
    }

    /// @inheritdoc IAssetRegistry
    function assetInfo(bytes32 id) external view override returns (uint8 decimals, address token) {
        Info memory info = _known(id);
        return (info.decimals, info.token);
    }

    /// @inheritdoc IAssetRegistry
    function isRegistered(bytes32 id) external view override returns (bool) {
        return _info[id].registered;
    }

    /// @inheritdoc IAssetRegistry
    function requireRegistered(bytes32[] calldata ids) external view override {
        for (uint256 i; i < ids.length; ++i) {
            if (!_info[ids[i]].registered) revert AssetUnknown(ids[i]);
        }
    }

    /// @inheritdoc IAssetRegistry
    function tokensOf(
        bytes32[] calldata ids
    ) external view override returns (address[] memory tokens) {
        tokens = new address[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            Info memory info = _info[ids[i]];
            if (!info.registered) revert AssetUnknown(ids[i]);
            tokens[i] = info.token;
        }
    }

    /// @inheritdoc IAssetRegistry
    function setPriceFeed(bytes32 id, address feed, uint32 maxAge) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        Info memory info = _known(id);
        if (feed == address(0)) {
            delete _feeds[id];
            emit PriceFeedSet(id, address(0), 0, 0);
            return;
        }
        if (maxAge == 0 || feed.code.length == 0) revert AssetPriceFeedInvalid(feed, maxAge);
        uint8 decimals;
        // External call before the state change: a view, to a feed the admin chose.
        try AggregatorV3Interface(feed).decimals() returns (uint8 d) {
            decimals = d;
        } catch {
            revert AssetPriceFeedInvalid(feed, maxAge);
        }
        if (decimals > MAX_DECIMALS) revert AssetPriceFeedInvalid(feed, maxAge);
        _feeds[id] = Feed(
            AggregatorV3Interface(feed),
            maxAge,
            decimals,
            info.decimals,
            info.token != address(0)
        );
        emit PriceFeedSet(id, feed, maxAge, decimals);
    }

    /// @inheritdoc IAssetRegistry
    function priceFeed(bytes32 id) external view override returns (address, uint32, uint8) {
        _known(id);
        Feed memory f = _feeds[id];
        return (address(f.feed), f.maxAge, f.feedDecimals);
    }

    /// @inheritdoc IAssetRegistry
    function feedPrices(
        bytes32[] calldata ids
    ) external view override returns (uint256[] memory prices, bool[] memory local) {
        uint256 n = ids.length;
        prices = new uint256[](n);
        local = new bool[](n);
        for (uint256 i; i < n; ++i) {
            Feed memory f = _feeds[ids[i]];
            if (address(f.feed) == address(0)) {
                _known(ids[i]);
                revert AssetPriceFeedMissing(ids[i]);
            }
            prices[i] = _price(ids[i], f);
            local[i] = f.local;
        }
    }

    /// @dev The feed's latest answer, checked, in USD × 1e36 per base unit (rounded down).
    ///      Trust: the feed is the one the admin set; its answer is taken as the market price.
    function _price(bytes32 id, Feed memory f) private view returns (uint256 price) {
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = f
            .feed
            .latestRoundData();
        if (answeredInRound < roundId)
            revert AssetPriceRoundIncomplete(id, roundId, answeredInRound);
        if (answer <= 0) revert AssetPriceInvalid(id, answer);
        // updatedAt in the future (a feed's clock ahead of this chain's) counts as fresh.
        if (
            updatedAt == 0 ||
            (block.timestamp > updatedAt && block.timestamp - updatedAt > f.maxAge)
        ) {
            revert AssetPriceStale(id, updatedAt, f.maxAge);
        }
        price = RebalanceMath.feedPrice(uint256(answer), f.feedDecimals, f.assetDecimals);
        if (price == 0) revert AssetPriceInvalid(id, answer);
    }

    function _known(bytes32 id) private view returns (Info memory info) {
        info = _info[id];
        if (!info.registered) revert AssetUnknown(id);
    }
}
