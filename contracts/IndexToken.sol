// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {LockableERC20} from "./base/LockableERC20.sol";
import {IIndexToken} from "./interfaces/IIndexToken.sol";
import {IIssuer} from "./interfaces/IIssuer.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {Component} from "./types/Component.sol";
import {BasketCodec} from "./libraries/BasketCodec.sol";
import {SSTORE2} from "solady/utils/SSTORE2.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {RebalanceMath} from "./libraries/RebalanceMath.sol";
import {IReserveOracle} from "./interfaces/IReserveOracle.sol";
import {IVersionRegistry} from "./interfaces/IVersionRegistry.sol";
import {ICustodyVault} from "./interfaces/ICustodyVault.sol";
import {Price} from "./types/Price.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {Units} from "./libraries/Units.sol";
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

    /// @dev What both proposal and activation read, in one slot: 160+32+24+40 bits.
    struct BasketSlot {
        address pointer; // SSTORE2 data contract of the current basket
        uint32 minDelay; // {seconds} from proposal to activation
        uint24 activationWindow; // {seconds} after the activation time
        uint40 pendingActivation; // {unix seconds}; 0 = no proposal pending
    }

    /// @dev What only a proposal reads, in one slot: 8+16+16+16+64 bits. All zero until the
    ///      admin first sets bounds, which reads as the DEFAULT_* bounds (`_boundsOf`): a zero
    ///      maxChanged is never valid, so it marks "never set", and creating an index writes no
    ///      extra slot.
    struct BoundsSlot {
        uint8 maxChanged; // max(assets added, assets removed)
        uint16 maxTurnoverBps; // {bps of the old value}
        uint16 maxComponentChangeBps; // {bps of the old value}
        uint16 priceBandBps; // {bps of the feed price}
        uint64 valueTolerance; // {USD × 1e18 per token}
    }

    uint256 public constant override MAX_COMPONENTS = 32;
    /// @notice Default minimum delay between a proposal and its activation: the methodology
    ///         announces on the third-to-last day and implements on the first of the next month
    ///         at 00:00 UTC, so a proposal made any time on the announcement day is >= 2 days out.
    uint32 public constant DEFAULT_REBALANCE_DELAY = 2 days;
    /// @notice No index can be rebalanced with less notice than this.
    uint32 public constant MIN_REBALANCE_DELAY = 1 hours;
    /// @notice Default time after the activation time during which a proposal may activate: the
    ///         custodians trade on the implementation day; a proposal not activated within three
    ///         days was made at prices too old to keep.
    uint24 public constant DEFAULT_ACTIVATION_WINDOW = 3 days;
    uint24 public constant MIN_ACTIVATION_WINDOW = 1 hours;
    uint24 public constant MAX_ACTIVATION_WINDOW = 30 days;
    /// @notice Default bounds, sized for a monthly top-N rebalance (MAG7 replaces one or two
    ///         constituents; its monthly one-way turnover on the 2021 data stays under ~35%).
    uint8 public constant DEFAULT_MAX_CHANGED = 3;
    uint16 public constant DEFAULT_MAX_TURNOVER_BPS = 5_000;
    uint16 public constant DEFAULT_MAX_COMPONENT_CHANGE_BPS = 3_500;
    /// @notice Default band around the feed: Chainlink's USD feeds deviate up to 0.5-2% from the
    ///         market before they update.
    uint16 public constant DEFAULT_PRICE_BAND_BPS = 200;
    uint16 public constant MAX_PRICE_BAND_BPS = 1_000;
    /// @notice Default value tolerance: 1e-6 USD per token {USD × 1e18 per token}; a plan's
    ///         rounding loses less than 1e-12 USD per token at any realistic price.
    uint64 public constant DEFAULT_VALUE_TOLERANCE = 1e12;
    uint256 private constant RAY = Units.RAY;
    /// @dev The implementation's own basket pointer: marks it initialised so it can never be used.
    address private constant SENTINEL = address(1);

    uint40 public constant override MOVE_DELAY = 31 days;
    /// @notice How long a former issuer may still mint for the requests it holds {seconds}: the
    ///         longest deadline (IIssuer.MAX_REQUEST_TTL, 30 days) plus the reclaim grace
    ///         (IIssuer.SETTLEMENT_GRACE, 14 days), after which each is reclaimable anyway.
    uint256 public constant override FORMER_MINT_WINDOW = 44 days;

    IProtocolRoles public immutable ROLES;
    IAssetRegistry public immutable REGISTRY;
    IVersionRegistry public immutable override VERSIONS;
    address private immutable FACTORY;
    address private immutable SELF; // the implementation's own address

    /// @dev The issuer and the deprecation flag, read together on every mint, lock and burn:
    ///      160+8 bits. `issuer` is zero until the first move: the clone argument stands.
    struct LifecycleSlot {
        address issuer;
        bool deprecated;
    }

    /// @dev A signalled move: 160+40 bits.
    struct Move {
        address target;
        uint40 executableAt; // {unix seconds}
    }

    FeeState private _fee;
    BasketSlot private _basket;
    BoundsSlot private _bounds;
    bytes32 private _pendingRebalance; // id of the pending proposal
    LifecycleSlot private _lifecycle;
    address private _oracle; // zero until the first move: the clone argument stands
    mapping(IVersionRegistry.Kind kind => Move) private _moves;
    address[] private _formerIssuers;
    /// @dev When each former issuer last stopped being the current one {unix seconds}; 0 = never.
    mapping(address account => uint256) private _retiredAt;
    // Backing units L {index wei at stored amounts} live next to the supply: LockableERC20._supply.

    constructor(IProtocolRoles roles, IAssetRegistry registry, IVersionRegistry versions) {
        ROLES = roles;
        REGISTRY = registry;
        VERSIONS = versions;
        FACTORY = msg.sender;
        SELF = address(this);
        _basket.pointer = SENTINEL;
    }

    /// @dev The current issuer, or a former one finishing its own requests.
    modifier onlyIssuer() {
        if (msg.sender != _issuer(_lifecycle.issuer) && _retiredAt[msg.sender] == 0)
            revert IndexNotIssuer(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- set-up

    /// @inheritdoc IIndexToken
    function initialize(Component[] calldata components, uint64 rate) external override {
        if (msg.sender != FACTORY) revert IndexNotFactory(msg.sender);
        if (_basket.pointer != address(0)) revert IndexAlreadyInitialized();
        uint64 cap = maxFeeRate();
        if (rate > cap) revert IndexFeeRateAboveMax(rate, cap);
        bool hasLocal = _validateBasket(components);
        _basket = BasketSlot(
            BasketCodec.store(components),
            DEFAULT_REBALANCE_DELAY,
            DEFAULT_ACTIVATION_WINDOW,
            0
        );
        // _bounds stays zero: the DEFAULT_* bounds (see BoundsSlot).
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
    function mint(address to, uint256 amount, uint256 feeAmount, uint256 factor) external override {
        LifecycleSlot memory l = _lifecycle;
        if (msg.sender != _issuer(l.issuer)) {
            // A former issuer confirms the mints it holds for a bounded time only: every one of
            // them is reclaimable by its requester by then.
            uint256 retired = _retiredAt[msg.sender];
            if (retired == 0) revert IndexNotIssuer(msg.sender);
            if (block.timestamp > retired + FORMER_MINT_WINDOW)
                revert IndexFormerIssuerExpired(msg.sender, retired + FORMER_MINT_WINDOW);
        }
        if (l.deprecated) revert IndexIsDeprecated();
        if (amount == 0 || feeAmount >= amount) revert IndexZeroInput();
        _checkFactor(factor, feeFactor());
        // The reserves grew by the backing of `amount` tokens at the delivery's factor;
        // `feeAmount` of them are not minted and so stay the fee recipient's share, as does the
        // decay since `factor`. Rounding up over-counts liabilities.
        _mint(to, amount - feeAmount, BasketMath.backing(amount, factor, Math.Rounding.Ceil));
    }

    /// @inheritdoc IIndexToken
    function lock(address holder, uint256 amount) external override {
        if (msg.sender != _issuer(_lifecycle.issuer)) revert IndexNotIssuer(msg.sender);
        _lock(holder, amount);
    }

    /// @inheritdoc IIndexToken
    function unlock(address holder, uint256 amount) external override onlyIssuer {
        _unlock(holder, amount);
    }

    /// @inheritdoc IIndexToken
    function burnLocked(
        address holder,
        uint256 amount,
        uint256 feeAmount,
        uint256 factor
    )
        external
        override
        onlyIssuer
        returns (uint32 version, bool hasLocalComponents, uint256 componentCount)
    {
        if (amount == 0 || feeAmount >= amount) revert IndexZeroInput();
        FeeState memory f = _fee;
        _checkFactor(factor, _factorNow(f));
        // Only `amount - feeAmount` tokens were paid out in assets, at `factor`; the backing of
        // the rest stays the fee recipient's share. Rounded down, so liabilities never fall by
        // more than the claim paid out. Checked subtraction in _burnLocked: never below zero.
        _burnLocked(
            holder,
            amount,
            BasketMath.backing(amount - feeAmount, factor, Math.Rounding.Floor)
        );
        return (f.basketVersion, f.hasLocalComponents, f.componentCount);
    }

    /// @dev A factor handed in by the issuer: from a moment no later than now (factors only
    ///      fall), never above 1.
    function _checkFactor(uint256 factor, uint256 current) private pure {
        if (factor < current || factor > RAY) revert IndexFactorInvalid(factor, current);
    }

    // ---------------------------------------------------------------- rebalancing

    /// @inheritdoc IIndexToken
    function proposeRebalance(
        Component[] calldata components,
        Price[] calldata prices,
        bytes32 commitment,
        uint40 activationTime,
        bytes32 replaces
    ) external override returns (bytes32 id) {
        ROLES.checkIndex(RoleIds.INDEX_COMPILER, address(this), msg.sender);
        BasketSlot memory b = _basket;
        uint256 earliest = block.timestamp + b.minDelay;
        if (activationTime < earliest) revert RebalanceTooSoon(activationTime, earliest);
        bytes32 pending = _pendingRebalance;
        if (replaces != pending) revert RebalancePending(pending);
        BoundsSlot memory bounds = _boundsOf(_bounds);
        RebalanceMath.Assessment memory a = _assess(b.pointer, components, prices, bounds);
        if (a.changed > bounds.maxChanged)
            revert RebalanceTooManyChanges(a.changed, bounds.maxChanged);
        if (a.turnoverBps > bounds.maxTurnoverBps) {
            revert RebalanceTurnoverTooHigh(a.turnoverBps, bounds.maxTurnoverBps);
        }
        if (a.maxChangeBps > bounds.maxComponentChangeBps) {
            revert RebalanceComponentChangeTooHigh(
                a.maxChangeAsset,
                a.maxChangeBps,
                bounds.maxComponentChangeBps
            );
        }
        uint32 version = _fee.basketVersion;
        id = _proposalId(
            version,
            BasketCodec.encode(components),
            commitment,
            activationTime,
            msg.sender
        );
        if (pending != bytes32(0)) emit RebalanceCancelled(pending, msg.sender);
        _pendingRebalance = id;
        _basket.pendingActivation = activationTime;
        emit RebalanceProposed(
            id,
            version,
            msg.sender,
            commitment,
            activationTime,
            components,
            prices,
            a.turnoverBps,
            a.changed,
            a.maxChangeBps
        );
    }

    /// @inheritdoc IIndexToken
    function cancelRebalance(bytes32 id) external override {
        if (id == bytes32(0) || id != _pendingRebalance) revert RebalanceNotPending(id);
        BasketSlot memory b = _basket;
        bool lapsed = block.timestamp > uint256(b.pendingActivation) + b.activationWindow;
        if (!lapsed && !ROLES.hasRole(RoleIds.ADMIN, msg.sender)) {
            ROLES.checkIndex(RoleIds.INDEX_COMPILER, address(this), msg.sender);
        }
        _pendingRebalance = bytes32(0);
        _basket.pendingActivation = 0;
        emit RebalanceCancelled(id, msg.sender);
    }

    /// @inheritdoc IIndexToken
    function activateRebalance(
        Component[] calldata components,
        bytes32 commitment,
        uint40 activationTime,
        address proposer
    ) external override {
        FeeState memory f = _fee;
        // BasketCodec keeps 20 bytes of each amount: checked again so that the packed form, which
        // the id binds, stands for these components and no others.
        _checkComponents(components);
        bytes memory packed = BasketCodec.encode(components);
        bytes32 id = _proposalId(f.basketVersion, packed, commitment, activationTime, proposer);
        if (id != _pendingRebalance) revert RebalanceNotPending(id);
        BasketSlot memory b = _basket;
        if (block.timestamp < activationTime)
            revert RebalanceNotDue(activationTime, block.timestamp);
        uint256 deadline = uint256(activationTime) + b.activationWindow;
        if (block.timestamp > deadline)
            revert RebalanceLapsed(activationTime, deadline, block.timestamp);
        // A proposal falls with its proposer's role: a compiler removed cannot leave a basket
        // behind.
        ROLES.checkIndex(RoleIds.INDEX_COMPILER, address(this), proposer);
        // Every acknowledged mint and accepted redemption settles at the basket it was made for.
        uint256 open = _openSettlements();
        if (open != 0) revert RebalanceSettlementsOpen(open);
        // Fail closed: fresh reserves attributed to this index must already cover the new
        // basket for every token owed.
        IReserveOracle(oracle()).requireCovered(address(this), components, _supply.backingUnits);
        bytes memory old = SSTORE2.read(b.pointer);
        // Components were validated when proposed; ERC-20 ones cannot change, so hasLocal stays.
        (b.pointer, b.pendingActivation) = (SSTORE2.write(packed), 0);
        _basket = b;
        _pendingRebalance = bytes32(0);
        (f.basketVersion, f.componentCount) = (f.basketVersion + 1, uint8(components.length));
        _fee = f;
        emit RebalanceActivated(id, f.basketVersion, msg.sender, commitment, old, packed);
    }

    /// @inheritdoc IIndexToken
    function setRebalanceBounds(RebalanceBounds calldata r) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (r.minDelay < MIN_REBALANCE_DELAY) revert RebalanceBoundsInvalid("minDelay", r.minDelay);
        if (
            r.activationWindow < MIN_ACTIVATION_WINDOW || r.activationWindow > MAX_ACTIVATION_WINDOW
        ) {
            revert RebalanceBoundsInvalid("activationWindow", r.activationWindow);
        }
        if (r.maxChanged == 0 || r.maxChanged > MAX_COMPONENTS) {
            revert RebalanceBoundsInvalid("maxChanged", r.maxChanged);
        }
        if (r.maxTurnoverBps == 0 || r.maxTurnoverBps > RebalanceMath.BPS) {
            revert RebalanceBoundsInvalid("maxTurnoverBps", r.maxTurnoverBps);
        }
        if (r.maxComponentChangeBps == 0 || r.maxComponentChangeBps > RebalanceMath.BPS) {
            revert RebalanceBoundsInvalid("maxComponentChangeBps", r.maxComponentChangeBps);
        }
        if (r.priceBandBps == 0 || r.priceBandBps > MAX_PRICE_BAND_BPS) {
            revert RebalanceBoundsInvalid("priceBandBps", r.priceBandBps);
        }
        (_basket.minDelay, _basket.activationWindow) = (r.minDelay, r.activationWindow);
        _bounds = BoundsSlot(
            r.maxChanged,
            r.maxTurnoverBps,
            r.maxComponentChangeBps,
            r.priceBandBps,
            r.valueTolerance
        );
        emit RebalanceBoundsSet(r);
    }

    /// @inheritdoc IIndexToken
    function pendingRebalance() external view override returns (bytes32, uint40) {
        return (_pendingRebalance, _basket.pendingActivation);
    }

    /// @inheritdoc IIndexToken
    function rebalanceBounds() external view override returns (RebalanceBounds memory) {
        (BasketSlot memory b, BoundsSlot memory r) = (_basket, _boundsOf(_bounds));
        return
            RebalanceBounds(
                b.minDelay,
                b.activationWindow,
                r.maxChanged,
                r.maxTurnoverBps,
                r.maxComponentChangeBps,
                r.priceBandBps,
                r.valueTolerance
            );
    }

    /// @inheritdoc IIndexToken
    function previewRebalance(
        Component[] calldata components,
        Price[] calldata prices
    ) external view override returns (uint256, uint256, uint256, uint256, uint256) {
        RebalanceMath.Assessment memory a = _assess(
            _basket.pointer,
            components,
            prices,
            _boundsOf(_bounds)
        );
        return (a.oldValue, a.newValue, a.turnoverBps, a.changed, a.maxChangeBps);
    }

    /// @dev Validates the new basket (size, order, amounts; registered assets with fresh feeds:
    ///      the registry reverts AssetUnknown, AssetPriceFeedMissing, AssetPriceStale, ...) and
    ///      assesses it against the current one at `prices`, each within the band of its feed.
    function _assess(
        address pointer,
        Component[] calldata components,
        Price[] calldata prices,
        BoundsSlot memory bounds
    ) private view returns (RebalanceMath.Assessment memory) {
        _checkComponents(components);
        bytes32[] memory ids = new bytes32[](prices.length);
        for (uint256 k; k < prices.length; ++k) {
            ids[k] = prices[k].assetId;
        }
        // External call before the state change: a view of the registry, which calls the feeds
        // the admin set (trusted to answer market prices, IAssetRegistry).
        (uint256[] memory feeds, bool[] memory local) = REGISTRY.feedPrices(ids);
        RebalanceMath.Market memory m = RebalanceMath.Market(
            feeds,
            local,
            bounds.priceBandBps,
            bounds.valueTolerance
        );
        return RebalanceMath.assess(BasketCodec.load(pointer), components, prices, m);
    }

    /// @dev The stored bounds, or the defaults when the admin never set any (see BoundsSlot).
    function _boundsOf(BoundsSlot memory stored) private pure returns (BoundsSlot memory) {
        if (stored.maxChanged != 0) return stored;
        return
            BoundsSlot(
                DEFAULT_MAX_CHANGED,
                DEFAULT_MAX_TURNOVER_BPS,
                DEFAULT_MAX_COMPONENT_CHANGE_BPS,
                DEFAULT_PRICE_BAND_BPS,
                DEFAULT_VALUE_TOLERANCE
            );
    }

    /// @dev Binds the token, the basket version it replaces, the packed new basket (BasketCodec),
    ///      the commitment, the activation time and the proposer.
    function _proposalId(
        uint32 version,
        bytes memory packed,
        bytes32 commitment,
        uint40 activationTime,
        address proposer
    ) private view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    address(this),
                    version,
                    keccak256(packed),
                    commitment,
                    activationTime,
                    proposer
                )
            );
    }

    // ---------------------------------------------------------------- fee

    /// @inheritdoc IIndexToken
    function accrueFee() public override returns (uint256 factor) {
        FeeState memory f = _fee;
        factor = _factorNow(f);
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
        // An accepted redemption's locked tokens are paid at their acceptance factor: while one
        // is open, the supply over-states what still pays the fee, so nothing is collected.
        uint256 open = _openSettlements();
        if (open != 0) revert RebalanceSettlementsOpen(open);
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
        return _factorNow(f);
    }

    /// @inheritdoc IIndexToken
    function feeRate() external view override returns (uint64) {
        return _fee.rate;
    }

    /// @inheritdoc IIndexToken
    function maxFeeRate() public view override returns (uint64) {
        (, , uint64 cap) = _cloneArgs();
        return cap;
    }

    /// @inheritdoc IIndexToken
    function basketVersion() external view override returns (uint32) {
        return _fee.basketVersion;
    }

    /// @inheritdoc IIndexToken
    function issuanceInfo()
        external
        view
        override
        returns (uint32 version, bool hasLocalComponents, uint256 componentCount, uint256 factor)
    {
        FeeState memory f = _fee;
        factor = _factorNow(f);
        return (f.basketVersion, f.hasLocalComponents, f.componentCount, factor);
    }

    /// @inheritdoc IIndexToken
    function basket() external view override returns (Component[] memory components) {
        components = BasketCodec.load(_basket.pointer);
        uint256 factor = feeFactor();
        for (uint256 i; i < components.length; ++i) {
            components[i].amount = BasketMath.amountPerToken(
                components[i].amount,
                factor,
                Math.Rounding.Floor
            );
        }
    }

    /// @inheritdoc IIndexToken
    function basketState()
        external
        view
        override
        returns (
            Component[] memory components,
            uint256 factor,
            uint256 units,
            uint32 version,
            bool hasLocal
        )
    {
        FeeState memory f = _fee;
        factor = _factorNow(f);
        return (
            BasketCodec.load(_basket.pointer),
            factor,
            _supply.backingUnits,
            f.basketVersion,
            f.hasLocalComponents
        );
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
    function lockedOf(
        address holder
    ) public view override(LockableERC20, IIndexToken) returns (uint256) {
        return super.lockedOf(holder);
    }

    /// @inheritdoc IIndexToken
    function issuer() public view override returns (address) {
        return _issuer(_lifecycle.issuer);
    }

    /// @inheritdoc IIndexToken
    function oracle() public view override returns (address) {
        address moved = _oracle;
        return moved != address(0) ? moved : _argAddress(ARG_ORACLE);
    }

    /// @inheritdoc IIndexToken
    function lifecycle() external view override returns (address, bool) {
        LifecycleSlot memory l = _lifecycle;
        return (_issuer(l.issuer), l.deprecated);
    }

    /// @inheritdoc IIndexToken
    function formerIssuers() external view override returns (address[] memory) {
        return _formerIssuers;
    }

    /// @inheritdoc IIndexToken
    function isIssuer(address account) external view override returns (bool) {
        return account == issuer() || _retiredAt[account] != 0;
    }

    /// @inheritdoc IIndexToken
    function pendingMove(
        IVersionRegistry.Kind kind
    ) external view override returns (address, uint256) {
        Move memory m = _moves[kind];
        return (m.target, m.executableAt);
    }

    // ---------------------------------------------------------------- lifecycle

    /// @inheritdoc IIndexToken
    function signalMove(IVersionRegistry.Kind kind, address target) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        address current = kind == IVersionRegistry.Kind.Issuer ? issuer() : oracle();
        if (target == current) revert IndexMoveToCurrent(kind, target);
        if (kind == IVersionRegistry.Kind.Issuer && _lifecycle.deprecated)
            revert IndexIsDeprecated();
        Move memory m = _moves[kind];
        if (m.target != address(0)) revert IndexMovePending(kind, m.target);
        bytes32 codeHash = VERSIONS.requireUsable(kind, target);
        uint40 at = uint40(block.timestamp) + MOVE_DELAY;
        _moves[kind] = Move(target, at);
        emit MoveSignalled(kind, current, target, codeHash, at);
    }

    /// @inheritdoc IIndexToken
    function executeMove(IVersionRegistry.Kind kind) external override {
        Move memory m = _moves[kind];
        if (m.target == address(0)) revert IndexNoMovePending(kind);
        if (block.timestamp < m.executableAt)
            revert IndexMoveNotDue(m.executableAt, block.timestamp);
        bytes32 codeHash = VERSIONS.requireUsable(kind, m.target);
        delete _moves[kind];
        address from;
        if (kind == IVersionRegistry.Kind.Issuer) {
            // A deprecated index keeps its issuer: the move was signalled before deprecation.
            if (_lifecycle.deprecated) revert IndexIsDeprecated();
            from = issuer();
            _requireReady(from, m.target);
            // The old issuer keeps finishing what it holds; it can never take a new redemption
            // (lock) and refuses new requests itself, as it is no longer `issuer()`.
            if (_retiredAt[from] == 0) _formerIssuers.push(from); // listed once
            _retiredAt[from] = block.timestamp;
            _lifecycle.issuer = m.target;
        } else {
            from = oracle();
            _oracle = m.target;
        }
        emit MoveExecuted(kind, from, m.target, codeHash);
    }

    /// @inheritdoc IIndexToken
    function cancelMove(IVersionRegistry.Kind kind) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        address target = _moves[kind].target;
        if (target == address(0)) revert IndexNoMovePending(kind);
        delete _moves[kind];
        emit MoveCancelled(kind, target);
    }

    /// @inheritdoc IIndexToken
    function deprecate() external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (_lifecycle.deprecated) revert IndexIsDeprecated();
        _lifecycle.deprecated = true;
        emit IndexDeprecated(msg.sender, block.timestamp);
    }

    function name() public view override(IERC20Metadata) returns (string memory) {
        (ShortString n, , ) = _cloneArgs();
        return n.toString();
    }

    function symbol() public view override(IERC20Metadata) returns (string memory) {
        (, ShortString s, ) = _cloneArgs();
        return s.toString();
    }

    function decimals() public pure override(IERC20Metadata) returns (uint8) {
        return 18;
    }

    function nonces(
        address owner
    ) public view override(LockableERC20, IERC20Permit) returns (uint256) {
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

    /// @dev Clone args layout (112 bytes): ShortString name (32) | ShortString symbol (32) |
    ///      uint64 maxFeeRate (8) | address initial issuer (20) | address initial oracle (20).
    ///      The implementation itself has no clone args: its name and symbol are empty.
    uint256 private constant ARG_NAME = 0x20; // memory offsets past the bytes length word
    uint256 private constant ARG_SYMBOL = 0x40;
    uint256 private constant ARG_FEE_CAP = 0x60;
    uint256 private constant ARG_ISSUER = 0x68;
    uint256 private constant ARG_ORACLE = 0x7c;

    function _cloneArgs() private view returns (ShortString n, ShortString s, uint64 cap) {
        if (address(this) == SELF) return (ShortString.wrap(0), ShortString.wrap(0), 0);
        bytes memory args = Clones.fetchCloneArgs(address(this));
        assembly ("memory-safe") {
            n := mload(add(args, ARG_NAME))
            s := mload(add(args, ARG_SYMBOL))
            cap := shr(192, mload(add(args, ARG_FEE_CAP)))
        }
    }

    /// @dev The fee factor now {RAY} from a checkpointed fee state: the one place the token
    ///      evaluates FeeMath.decay (rounded down: the holders' claim never rounds up).
    function _factorNow(FeeState memory f) private view returns (uint256) {
        return FeeMath.decay(f.factor, f.rate, block.timestamp - f.checkpoint);
    }

    /// @dev `moved` is the lifecycle slot's issuer: zero until the first move.
    function _issuer(address moved) private view returns (address) {
        return moved != address(0) ? moved : _argAddress(ARG_ISSUER);
    }

    /// @dev The address clone argument at memory offset `at` of the args as `_cloneArgs` loads
    ///      them (code offset 0x2d + at - 0x20, past the 45-byte EIP-1167 proxy), copied alone:
    ///      the hot paths read one address, not all 112 bytes. Zero in the implementation.
    function _argAddress(uint256 at) private view returns (address a) {
        if (address(this) == SELF) return address(0);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0)
            extcodecopy(address(), ptr, add(0x0d, at), 20) // 0x2d + at - 0x20
            a := shr(96, mload(ptr))
        }
    }

    /// @dev A new issuer must take this index's requests from the moment it lands (redemption is
    ///      never blocked by a move) and use the vault the index's on-chain reserves are in,
    ///      bound to it.
    function _requireReady(address from, address target) private view {
        ICustodyVault vault = IIssuer(from).VAULT();
        if (
            IIssuer(target).limits(address(this)).window == 0 ||
            IIssuer(target).VAULT() != vault ||
            !vault.isBoundIssuer(target)
        ) revert IndexMoveTargetNotReady(target);
    }

    /// @dev Open settlements of the current and every former issuer: each settles at the basket
    ///      it was accepted or acknowledged for, so activation and fee collection wait for all.
    function _openSettlements() private view returns (uint256 open) {
        address current = issuer();
        if (current.code.length != 0) open = IIssuer(current).openSettlements(address(this));
        uint256 n = _formerIssuers.length;
        for (uint256 i; i < n; ++i) {
            address former = _formerIssuers[i];
            if (former != current && former.code.length != 0)
                open += IIssuer(former).openSettlements(address(this));
        }
    }

    function _storedAmount(bytes32 assetId) private view returns (uint256) {
        Component[] memory components = BasketCodec.load(_basket.pointer);
        for (uint256 i; i < components.length; ++i) {
            if (components[i].assetId == assetId) return components[i].amount;
        }
        revert IndexAssetNotInBasket(assetId);
    }

    /// @dev Size, order (strictly ascending ids, which also rules out duplicates), and non-zero
    ///      amounts that fit the basket's encoding.
    function _checkComponents(Component[] calldata components) private pure {
        uint256 n = components.length;
        if (n == 0 || n > MAX_COMPONENTS) revert BasketSizeInvalid(n, MAX_COMPONENTS);
        for (uint256 i; i < n; ++i) {
            bytes32 id = components[i].assetId;
            uint256 amount = components[i].amount;
            if (amount == 0) revert BasketZeroAmount(id);
            if (amount > BasketCodec.MAX_AMOUNT) revert BasketAmountTooLarge(id, amount);
            if (i > 0) {
                bytes32 previous = components[i - 1].assetId;
                if (id == previous) revert BasketDuplicateAsset(id);
                if (id < previous) revert BasketNotSorted(i);
            }
        }
    }

    /// @dev `_checkComponents` and registration of every asset (the registry reverts
    ///      AssetUnknown). Returns whether any asset is on this chain.
    function _validateBasket(Component[] calldata components) private view returns (bool hasLocal) {
        _checkComponents(components);
        uint256 n = components.length;
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = components[i].assetId;
        }
        address[] memory tokens = REGISTRY.tokensOf(ids);
        for (uint256 i; i < n; ++i) {
            if (tokens[i] != address(0)) return true;
        }
    }
}
