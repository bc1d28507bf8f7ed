// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {LockableERC20} from "./base/LockableERC20.sol";
import {IIndexToken} from "./interfaces/IIndexToken.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {Component} from "./types/Component.sol";
import {BasketCodec} from "./libraries/BasketCodec.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title IndexToken
/// @notice Implementation behind every index clone. Name, symbol and fee cap are immutable clone
///         arguments (72 bytes appended to the EIP-1167 proxy), so creating an index writes only
///         three storage slots plus the basket's data contract.
contract IndexToken is LockableERC20, IIndexToken {
    using RoleCheck for IProtocolRoles;
    using ShortStrings for ShortString;

    /// @dev Everything the fee and the issuer's hot paths need in one slot: 96+40+64+32+8+8 bits.
    struct FeeState {
        uint96 factor; // {RAY} fee factor at `checkpoint`
        uint40 checkpoint; // {unix seconds}
        uint64 rate; // {RAY per second}
        uint32 basketVersion;
        bool hasLocalComponents; // some component is an ERC-20 on this chain
        uint8 componentCount;
    }

    uint256 public constant override MAX_COMPONENTS = 32;
    uint256 private constant RAY = 1e27;
    /// @dev The implementation's own basket pointer: marks it initialised so it can never be used.
    address private constant SENTINEL = address(1);

    IProtocolRoles public immutable ROLES;
    IAssetRegistry public immutable REGISTRY;
    address private immutable FACTORY;
    /// @dev The one contract that mints, locks and burns: fixed when the factory is deployed, so
    ///      no role grant can ever add another minter.
    address private immutable ISSUER;

    FeeState private _fee;
    address private _basketPointer; // SSTORE2 data contract of the current basket
    // Backing units L {index wei at stored amounts} live next to the supply: LockableERC20._supply.

    constructor(IProtocolRoles roles, IAssetRegistry registry, address issuer_) {
        ROLES = roles;
        REGISTRY = registry;
        FACTORY = msg.sender;
        ISSUER = issuer_;
        _basketPointer = SENTINEL;
    }

    modifier onlyIssuer() {
        if (msg.sender != ISSUER) revert IndexNotIssuer(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- set-up

    /// @inheritdoc IIndexToken
    function initialize(Component[] calldata components, uint64 rate) external override {
        if (msg.sender != FACTORY) revert IndexNotFactory(msg.sender);
        if (_basketPointer != address(0)) revert IndexAlreadyInitialized();
        uint64 cap = maxFeeRate();
        if (rate > cap) revert IndexFeeRateAboveMax(rate, cap);
        bool hasLocal = _validateBasket(components);
        _basketPointer = BasketCodec.store(components);
        _fee = FeeState({
            factor: uint96(RAY),
            checkpoint: uint40(block.timestamp),
            rate: rate,
            basketVersion: 1,
            hasLocalComponents: hasLocal,
            componentCount: uint8(components.length) // <= MAX_COMPONENTS = 32
        });
        emit BasketUpdated(1, components);
    }

    // ---------------------------------------------------------------- issuer

    /// @inheritdoc IIndexToken
    function mint(address to, uint256 amount, uint256 feeAmount) external override onlyIssuer {
        if (amount == 0 || feeAmount >= amount) revert IndexZeroInput();
        // The reserves grew by the backing of `amount` tokens; `feeAmount` of them are not
        // minted and so stay the fee recipient's share. Rounding up over-counts liabilities.
        _mint(to, amount - feeAmount, BasketMath.backing(amount, feeFactor(), Math.Rounding.Ceil));
    }

    /// @inheritdoc IIndexToken
    function lock(address holder, uint256 amount) external override onlyIssuer {
        _lock(holder, amount);
    }

    /// @inheritdoc IIndexToken
    function unlock(address holder, uint256 amount) external override onlyIssuer {
        _unlock(holder, amount);
    }

    /// @inheritdoc IIndexToken
    function burnLocked(address holder, uint256 amount, uint256 feeAmount)
        external
        override
        onlyIssuer
        returns (uint32 version, bool hasLocalComponents, uint256 componentCount)
    {
        if (amount == 0 || feeAmount >= amount) revert IndexZeroInput();
        FeeState memory f = _fee;
        uint256 factor = FeeMath.decay(f.factor, f.rate, block.timestamp - f.checkpoint);
        // Only `amount - feeAmount` tokens were paid out in assets; the backing of the rest stays
        // as the fee recipient's share. Rounded down, so liabilities never fall by more than the
        // claim paid out. Cannot underflow: L >= supply × F / RAY >= amount × F / RAY.
        _burnLocked(holder, amount, BasketMath.backing(amount - feeAmount, factor, Math.Rounding.Floor));
        return (f.basketVersion, f.hasLocalComponents, f.componentCount);
    }

    // ---------------------------------------------------------------- fee

    /// @inheritdoc IIndexToken
    function accrueFee() public override returns (uint256 factor) {
        FeeState memory f = _fee;
        factor = FeeMath.decay(f.factor, f.rate, block.timestamp - f.checkpoint);
        // factor <= RAY < 2^96, so the narrowing is exact.
        (f.factor, f.checkpoint) = (uint96(factor), uint40(block.timestamp));
        _fee = f;
        emit FeeAccrued(factor, block.timestamp);
    }

    /// @inheritdoc IIndexToken
    function setFeeRate(uint64 rate) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        uint64 cap = maxFeeRate();
        if (rate > cap) revert IndexFeeRateAboveMax(rate, cap);
        accrueFee(); // the time so far is charged at the old rate
        uint64 old = _fee.rate;
        _fee.rate = rate;
        emit FeeRateUpdated(old, rate);
    }

    /// @inheritdoc IIndexToken
    function collectFees(address to) external override returns (uint256 amount) {
        ROLES.checkIndex(RoleIds.FEE_RECIPIENT, address(this), msg.sender);
        if (to == address(0)) revert IndexZeroInput();
        Supply memory supply = _supply;
        amount = BasketMath.feeShare(supply.backingUnits, supply.total, feeFactor());
        if (amount == 0) revert IndexZeroInput();
        // Backing units are unchanged: the tokens minted are the fee recipient's existing share.
        _mint(to, amount, 0);
        emit FeesCollected(msg.sender, to, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IIndexToken
    function feeFactor() public view override returns (uint256) {
        FeeState memory f = _fee;
        return FeeMath.decay(f.factor, f.rate, block.timestamp - f.checkpoint);
    }

    /// @inheritdoc IIndexToken
    function feeRate() external view override returns (uint64) {
        return _fee.rate;
    }

    /// @inheritdoc IIndexToken
    function maxFeeRate() public view override returns (uint64) {
        (,, uint64 cap) = _cloneArgs();
        return cap;
    }

    /// @inheritdoc IIndexToken
    function basketVersion() external view override returns (uint32) {
        return _fee.basketVersion;
    }

    /// @inheritdoc IIndexToken
    function basketInfo()
        external
        view
        override
        returns (uint32 version, bool hasLocalComponents, uint256 componentCount)
    {
        FeeState memory f = _fee;
        return (f.basketVersion, f.hasLocalComponents, f.componentCount);
    }

    /// @inheritdoc IIndexToken
    function basket() external view override returns (Component[] memory components) {
        components = BasketCodec.load(_basketPointer);
        uint256 factor = feeFactor();
        for (uint256 i; i < components.length; ++i) {
            components[i].amount = BasketMath.amountPerToken(components[i].amount, factor, Math.Rounding.Floor);
        }
    }

    /// @inheritdoc IIndexToken
    function basketState()
        external
        view
        override
        returns (Component[] memory components, uint256 factor, uint256 units, uint32 version, bool hasLocal)
    {
        FeeState memory f = _fee;
        factor = FeeMath.decay(f.factor, f.rate, block.timestamp - f.checkpoint);
        return (BasketCodec.load(_basketPointer), factor, _supply.backingUnits, f.basketVersion, f.hasLocalComponents);
    }

    /// @inheritdoc IIndexToken
    function amountPerToken(bytes32 assetId) external view override returns (uint256) {
        return BasketMath.amountPerToken(_storedAmount(assetId), feeFactor(), Math.Rounding.Floor);
    }

    /// @inheritdoc IIndexToken
    function liability(bytes32 assetId) external view override returns (uint256) {
        return BasketMath.liability(_storedAmount(assetId), _supply.backingUnits);
    }

    /// @inheritdoc IIndexToken
    function backingUnits() external view override returns (uint256) {
        return _supply.backingUnits;
    }

    /// @inheritdoc IIndexToken
    function feeShare() external view override returns (uint256) {
        Supply memory supply = _supply;
        return BasketMath.feeShare(supply.backingUnits, supply.total, feeFactor());
    }

    /// @inheritdoc IIndexToken
    function factory() external view override returns (address) {
        return FACTORY;
    }

    /// @inheritdoc IIndexToken
    function lockedOf(address holder) public view override(LockableERC20, IIndexToken) returns (uint256) {
        return super.lockedOf(holder);
    }

    /// @inheritdoc IIndexToken
    function issuer() external view override returns (address) {
        return ISSUER;
    }

    function name() public view override(IERC20Metadata) returns (string memory) {
        (ShortString n,,) = _cloneArgs();
        return n.toString();
    }

    function symbol() public view override(IERC20Metadata) returns (string memory) {
        (, ShortString s,) = _cloneArgs();
        return s.toString();
    }

    function decimals() public pure override(IERC20Metadata) returns (uint8) {
        return 18;
    }

    function nonces(address owner) public view override(LockableERC20, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    // ---------------------------------------------------------------- internal

    /// @dev EIP-712 domain: name = the token's name, version "1"; nothing stored.
    function _EIP712Name() internal view override returns (string memory) {
        return name();
    }

    function _EIP712Version() internal pure override returns (string memory) {
        return "1";
    }

    /// @dev Clone args layout: ShortString name (32) | ShortString symbol (32) | uint64 maxFeeRate (8).
    function _cloneArgs() private view returns (ShortString n, ShortString s, uint64 cap) {
        bytes memory args = Clones.fetchCloneArgs(address(this));
        assembly ("memory-safe") {
            n := mload(add(args, 0x20))
            s := mload(add(args, 0x40))
            cap := shr(192, mload(add(args, 0x60)))
        }
    }

    function _storedAmount(bytes32 assetId) private view returns (uint256) {
        Component[] memory components = BasketCodec.load(_basketPointer);
        for (uint256 i; i < components.length; ++i) {
            if (components[i].assetId == assetId) return components[i].amount;
        }
        revert IndexAssetNotInBasket(assetId);
    }

    /// @dev Size, order (strictly ascending ids, which also rules out duplicates), non-zero
    ///      amounts, and registration of every asset. Returns whether any asset is on this chain.
    function _validateBasket(Component[] calldata components) private view returns (bool hasLocal) {
        uint256 n = components.length;
        if (n == 0 || n > MAX_COMPONENTS) revert BasketSizeInvalid(n, MAX_COMPONENTS);
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 id = components[i].assetId;
            if (components[i].amount == 0) revert BasketZeroAmount(id);
            if (i > 0) {
                if (id == ids[i - 1]) revert BasketDuplicateAsset(id);
                if (id < ids[i - 1]) revert BasketNotSorted(i);
            }
            ids[i] = id;
        }
        address[] memory tokens = REGISTRY.tokensOf(ids);
        for (uint256 i; i < n; ++i) {
            if (tokens[i] != address(0)) return true;
        }
    }
}
