// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IIssuer} from "./interfaces/IIssuer.sol";
import {IIndexToken} from "./interfaces/IIndexToken.sol";
import {IIndexFactory} from "./interfaces/IIndexFactory.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IReserveOracle} from "./interfaces/IReserveOracle.sol";
import {ICustodyVault} from "./interfaces/ICustodyVault.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {IVersionRegistry} from "./interfaces/IVersionRegistry.sol";
import {Component} from "./types/Component.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title Issuer
/// @notice Checks-effects-interactions throughout: a request's status changes before any token
///         moves, and every entry point that moves tokens is `nonReentrant` (transient storage).
///         Trust assumptions: index tokens are this protocol's clones (checked by the factory
///         registry when an index is configured); ERC-20 components are registered assets, and a
///         token that delivers less than asked (fee on transfer) is refused, never accounted short.
///         Custodians are trusted to acknowledge only deliveries that arrived and to pay what
///         `RedeemAccepted` states; the contract makes every step of theirs final and
///         attributable, and never lets a requester undo a step a custodian has taken.
contract Issuer is IIssuer, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RoleCheck for IProtocolRoles;

    /// @dev The slot every request reads: 48+48+16+16+40+8+8+32+16 = 232 bits.
    struct Config {
        uint48 minAmount; // {1e12 index wei}
        uint48 maxAmount; // {1e12 index wei}
        uint16 mintFeeBps;
        uint16 redeemFeeBps;
        uint40 redeemPausedUntil; // {unix seconds}
        bool mintPaused;
        bool breakerTripped;
        uint32 window; // {seconds}; 0 = index not configured
        uint16 openSettlements; // acknowledged mints + accepted redemptions not yet settled
    }

    /// @dev Rolling capacity as a leaky bucket: `used` drains linearly, `capacity` per window.
    struct Bucket {
        uint96 capacity; // {index wei per window}
        uint120 used; // {index wei} at `updatedAt`
        uint40 updatedAt; // {unix seconds}
    }

    /// @dev Per-WLP settings of an index and the redeem pause's cool-down: 96+96+40 bits.
    struct ParticipantLimits {
        uint96 mintCapacity; // {index wei per window} each WLP's own
        uint96 redeemCapacity; // {index wei per window} each WLP's own
        uint40 nextPauseAt; // {unix seconds} earliest start of the next redeem pause
    }

    struct IndexState {
        Config config;
        Bucket mintBucket;
        Bucket redeemBucket;
        ParticipantLimits participant;
    }

    /// @dev What a WLP has open on one index {index wei}: requested and not yet acknowledged,
    ///      accepted, confirmed, cancelled, rejected or expired. One slot for both sides.
    ///      `used` is set on first use and never cleared, so the slot never returns to zero and
    ///      an active WLP's request rewrites it (2.9k gas) instead of filling it anew (22k).
    struct OpenAmounts {
        uint120 mint;
        uint120 redeem;
        bool used;
    }

    bytes32 private constant MINT_TYPEHASH =
        keccak256(
            "MintRequest(address requester,address index,uint256 amount,uint32 basketVersion,uint16 maxFeeBps,uint64 nonce,uint40 deadline,uint96 factor)"
        );
    bytes32 private constant REDEEM_TYPEHASH =
        keccak256(
            "RedeemRequest(address requester,address index,uint256 amount,uint32 basketVersion,uint16 maxFeeBps,uint64 nonce,uint40 deadline,uint96 factor)"
        );
    uint16 public constant override MAX_FEE_BPS = 500;
    uint40 public constant override MAX_REDEEM_PAUSE = 7 days;
    uint40 public constant override SETTLEMENT_GRACE = 14 days;
    uint256 public constant override RING_SIZE = 16;
    uint40 public constant override MAX_REQUEST_TTL = 30 days;
    /// @dev Request limits are stored in units of 1e12 index wei (a millionth of a token).
    uint256 private constant LIMIT_UNIT = 1e12;

    /// @dev Record layout (one word per request): bits 255..68 the top 188 bits of the request
    ///      id — or, once a redemption is accepted, of keccak256(id, settlement) — | bits 67..4
    ///      the nonce | bits 3..0 the status.
    uint256 private constant STATUS_MASK = 0xf;
    uint256 private constant NONCE_OFFSET = 4;
    uint256 private constant ID_OFFSET = 68;

    IProtocolRoles public immutable ROLES;
    IAssetRegistry public immutable REGISTRY;
    ICustodyVault public immutable override VAULT;

    mapping(address index => IndexState) private _state;
    /// @dev Request records: per requester a ring of RING_SIZE slots, slot = nonce % RING_SIZE.
    ///      The id bits bind every later call to the exact request made (a struct with any field
    ///      changed has another id); a finished request's slot is reused by a later nonce, so an
    ///      active WLP's request rewrites a warm slot (5k gas) instead of filling a fresh one.
    mapping(address requester => mapping(uint256 slot => uint256)) private _records;
    mapping(address index => mapping(address wlp => OpenAmounts)) private _open;

    constructor(
        IProtocolRoles roles,
        IAssetRegistry registry,
        ICustodyVault vault
    ) EIP712("ssikit Issuer", "1") {
        ROLES = roles;
        REGISTRY = registry;
        VAULT = vault;
    }

    // ================================================================ WLP

    /// @inheritdoc IIssuer
    function requestMint(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline
    ) external override nonReentrant returns (bytes32) {
        return
            _requestMint(
                Request(msg.sender, index, amount, basketVersion, maxFeeBps, nonce, deadline, 0)
            );
    }

    /// @inheritdoc IIssuer
    function requestMintWithPermits(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline,
        TokenPermit[] calldata permits
    ) external override nonReentrant returns (bytes32) {
        for (uint256 i; i < permits.length; ++i) {
            TokenPermit calldata p = permits[i];
            // A permit front-run by someone else has already set the allowance: ignore failure,
            // the transfer below is what must succeed.
            try
                IERC20Permit(p.token).permit(
                    msg.sender,
                    address(VAULT),
                    p.value,
                    p.deadline,
                    p.v,
                    p.r,
                    p.s
                )
            {} catch {}
        }
        return
            _requestMint(
                Request(msg.sender, index, amount, basketVersion, maxFeeBps, nonce, deadline, 0)
            );
    }

    function _requestMint(Request memory r) private returns (bytes32 id) {
        IndexState storage s = _state[r.index];
        Config memory c = s.config;
        if (c.window == 0) revert IssuerIndexNotConfigured(r.index);
        if (c.mintPaused || c.breakerTripped) revert IssuerMintPaused(r.index);
        // Only the index's current issuer takes new mints, and none once it is deprecated.
        (address current, bool deprecated) = IIndexToken(r.index).lifecycle();
        if (current != address(this)) revert IssuerRetired(r.index, current);
        if (deprecated) revert IssuerIndexDeprecated(r.index);
        ROLES.checkIndex(RoleIds.WLP, r.index, msg.sender);
        _checkTerms(c, c.mintFeeBps, r);
        bool hasLocal;
        (r.factor, hasLocal) = _current(r.index, r.basketVersion);
        _takeParticipant(s, r, true);
        id = _hash(r, true);
        _initStatus(r.requester, r.nonce, id, Status.MintPending);

        address[] memory tokens;
        uint256[] memory amounts;
        if (hasLocal) (tokens, amounts) = _pullDeposit(id, r);
        emit MintRequested(
            id,
            r.requester,
            r.index,
            r.nonce,
            r.amount,
            r.basketVersion,
            r.maxFeeBps,
            r.deadline,
            r.factor,
            tokens,
            amounts
        );
    }

    /// @dev Pulls the ERC-20 components into the vault's escrow for `id`: `BasketMath.depositFor`
    ///      at the request's factor, the liability the mint adds, rounded up.
    function _pullDeposit(
        bytes32 id,
        Request memory r
    ) private returns (address[] memory tokens, uint256[] memory amounts) {
        (Component[] memory stored, , , , ) = IIndexToken(r.index).basketState();
        (tokens, amounts) = _onChainAmounts(stored, r.factor, r.amount, true);
        VAULT.pull(id, r.requester, tokens, amounts);
    }

    /// @inheritdoc IIssuer
    /// @dev No reentrancy guard: the only external calls are to the roles contract and to the
    ///      index (a protocol clone, checked when the index was configured); no token moves.
    function requestRedeem(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline
    ) external override returns (bytes32 id) {
        Request memory r = Request(
            msg.sender,
            index,
            amount,
            basketVersion,
            maxFeeBps,
            nonce,
            deadline,
            0
        );
        IndexState storage s = _state[index];
        Config memory c = s.config;
        if (c.window == 0) revert IssuerIndexNotConfigured(index);
        if (block.timestamp < c.redeemPausedUntil)
            revert IssuerRedeemPaused(index, c.redeemPausedUntil);
        ROLES.checkIndex(RoleIds.WLP, index, msg.sender);
        _checkTerms(c, c.redeemFeeBps, r);
        (r.factor, ) = _current(index, basketVersion);
        _takeParticipant(s, r, false);
        id = _hash(r, false);
        _initStatus(msg.sender, nonce, id, Status.RedeemPending);
        emit RedeemRequested(
            id,
            msg.sender,
            index,
            nonce,
            amount,
            basketVersion,
            maxFeeBps,
            deadline,
            r.factor
        );
        // Interaction last: the tokens stay in the requester's balance, locked until the request
        // ends (reverts ERC20InsufficientBalance when the free balance is short).
        IIndexToken(index).lock(msg.sender, amount);
    }

    /// @inheritdoc IIssuer
    function cancel(Request calldata r, bool isMint) external override nonReentrant {
        if (msg.sender != r.requester) revert IssuerNotRequester(msg.sender, r.requester);
        bytes32 id = _finish(r, _hash(r, isMint), _pending(isMint), Status.Cancelled);
        _releaseParticipant(r, isMint);
        emit RequestCancelled(id);
        _unwind(id, r, isMint);
    }

    /// @inheritdoc IIssuer
    function expire(Request calldata r, bool isMint) external override nonReentrant {
        (uint32 current, , , ) = IIndexToken(r.index).issuanceInfo();
        bytes32 id = _hash(r, isMint);
        if (block.timestamp <= r.deadline && current == r.basketVersion)
            revert IssuerNotExpirable(id, r.deadline);
        _finish(r, id, _pending(isMint), Status.Expired);
        _releaseParticipant(r, isMint);
        emit RequestExpired(id, msg.sender);
        _unwind(id, r, isMint);
    }

    /// @inheritdoc IIssuer
    function reclaimMint(Request calldata r) external override nonReentrant {
        bytes32 id = _hash(r, true);
        _checkReclaim(r, id);
        _finish(r, id, Status.MintAcknowledged, Status.Reclaimed);
        _closeSettlement(r.index);
        emit RequestReclaimed(id);
        _unwind(id, r, true);
    }

    /// @inheritdoc IIssuer
    function reclaimRedeem(
        Request calldata r,
        Settlement calldata t
    ) external override nonReentrant {
        bytes32 id = _hash(r, false);
        _checkReclaim(r, id);
        _finish(r, _settled(id, t), Status.RedeemAccepted, Status.Reclaimed);
        _closeSettlement(r.index);
        emit RequestReclaimed(id);
        _unwind(id, r, false);
    }

    function _checkReclaim(Request calldata r, bytes32 id) private view {
        if (msg.sender != r.requester) revert IssuerNotRequester(msg.sender, r.requester);
        uint256 at = uint256(r.deadline) + SETTLEMENT_GRACE;
        if (block.timestamp <= at) revert IssuerNotReclaimable(id, at + 1);
    }

    // ================================================================ custodian

    /// @inheritdoc IIssuer
    function acknowledgeMint(Request calldata r, bytes32[] calldata refs) external override {
        ROLES.checkIndex(RoleIds.CUSTODIAN, r.index, msg.sender);
        if (block.timestamp > r.deadline) revert IssuerDeadlinePassed(r.deadline, block.timestamp);
        (uint32 version, bool hasLocal, uint256 count, ) = IIndexToken(r.index).issuanceInfo();
        if (version != r.basketVersion)
            revert IssuerBasketVersionMismatch(r.basketVersion, version);
        bytes32 id = _hash(r, true);
        uint256 offChain = count - (hasLocal ? _escrowCount(id) : 0);
        if (refs.length != offChain) revert IssuerDeliveryRefsMismatch(refs.length, offChain);
        _finish(r, id, Status.MintPending, Status.MintAcknowledged);
        _releaseParticipant(r, true);
        _state[r.index].config.openSettlements += 1;
        emit MintAcknowledged(id, msg.sender, refs);
    }

    /// @inheritdoc IIssuer
    function confirmMint(
        Request calldata r,
        bytes32[] calldata refs
    ) external override nonReentrant {
        ROLES.checkIndex(RoleIds.CUSTODIAN, r.index, msg.sender);
        IndexState storage s = _state[r.index];
        Config memory c = s.config;
        if (c.mintPaused || c.breakerTripped) revert IssuerMintPaused(r.index);
        if (c.mintFeeBps > r.maxFeeBps) revert IssuerFeeAboveMax(c.mintFeeBps, r.maxFeeBps);
        bytes32 id = _hash(r, true);
        uint256 record = _records[r.requester][r.nonce % RING_SIZE];
        bool acknowledged = record == _record(id, r.nonce, Status.MintAcknowledged);
        if (acknowledged) {
            // The delivery's refs are in MintAcknowledged; the deadline no longer applies.
            if (refs.length != 0) revert IssuerDeliveryRefsMismatch(refs.length, 0);
            s.config.openSettlements = c.openSettlements - 1;
            _records[r.requester][r.nonce % RING_SIZE] = _record(id, r.nonce, Status.Confirmed);
        } else {
            if (block.timestamp > r.deadline)
                revert IssuerDeadlinePassed(r.deadline, block.timestamp);
            _finish(r, id, Status.MintPending, Status.Confirmed);
            _releaseParticipant(r, true);
        }
        _consume(s.mintBucket, c.window, r.amount);
        _settleMint(r, id, FeeMath.issuanceFee(r.amount, c.mintFeeBps), refs, acknowledged);
    }

    /// @dev Moves the escrow to the vault (credited to the index), checks coverage after the
    ///      mint, mints. Fails closed: fresh reserves attributed to the index must cover every
    ///      component for the backing units after this mint. The backing added is the request's:
    ///      amount × factor at request time (rounded up), exactly what was delivered.
    function _settleMint(
        Request calldata r,
        bytes32 id,
        uint256 fee,
        bytes32[] calldata refs,
        bool acknowledged
    ) private {
        BasketView memory b = _basket(r.index);
        if (b.version != r.basketVersion)
            revert IssuerBasketVersionMismatch(r.basketVersion, b.version);
        uint256 moved = b.hasLocal ? VAULT.settle(id, r.index) : 0;
        if (!acknowledged && refs.length != b.stored.length - moved) {
            revert IssuerDeliveryRefsMismatch(refs.length, b.stored.length - moved);
        }
        uint256 units = BasketMath.backing(r.amount, r.factor, Math.Rounding.Ceil);
        _oracleOf(r.index).checkMint(r.index, b.stored, b.version, b.units + units, b.hasLocal);
        emit MintConfirmed(id, msg.sender, r.amount - fee, fee, refs);
        IIndexToken(r.index).mint(r.requester, r.amount, fee, r.factor);
    }

    /// @dev An index's basket state (IIndexToken.basketState) in one memory struct.
    struct BasketView {
        Component[] stored;
        uint256 factor;
        uint256 units;
        uint32 version;
        bool hasLocal;
    }

    function _basket(address index) private view returns (BasketView memory b) {
        (b.stored, b.factor, b.units, b.version, b.hasLocal) = IIndexToken(index).basketState();
    }

    function _escrowCount(bytes32 id) private view returns (uint256) {
        (address[] memory tokens, ) = VAULT.escrowOf(id);
        return tokens.length;
    }

    /// @inheritdoc IIssuer
    function acceptRedeem(Request calldata r) external override returns (Settlement memory t) {
        ROLES.checkIndex(RoleIds.CUSTODIAN, r.index, msg.sender);
        IndexState storage s = _state[r.index];
        Config memory c = s.config;
        if (block.timestamp < c.redeemPausedUntil)
            revert IssuerRedeemPaused(r.index, c.redeemPausedUntil);
        if (c.redeemFeeBps > r.maxFeeBps) revert IssuerFeeAboveMax(c.redeemFeeBps, r.maxFeeBps);
        if (block.timestamp > r.deadline) revert IssuerDeadlinePassed(r.deadline, block.timestamp);
        (uint96 factor, ) = _current(r.index, r.basketVersion);
        bytes32 id = _hash(r, false);
        t = Settlement(c.redeemFeeBps, factor);
        _finish(r, id, Status.RedeemPending, Status.RedeemAccepted);
        _releaseParticipant(r, false);
        // The stored word now binds the settlement too: confirm and reclaim must pass it back.
        _records[r.requester][r.nonce % RING_SIZE] = _record(
            _settled(id, t),
            r.nonce,
            Status.RedeemAccepted
        );
        _consume(s.redeemBucket, c.window, r.amount);
        s.config.openSettlements = c.openSettlements + 1;
        uint256 fee = FeeMath.issuanceFee(r.amount, t.feeBps);
        emit RedeemAccepted(
            id,
            msg.sender,
            r.basketVersion,
            t.feeBps,
            t.factor,
            fee,
            r.amount - fee
        );
    }

    /// @inheritdoc IIssuer
    function confirmRedeem(
        Request calldata r,
        Settlement calldata t,
        bytes32[] calldata refs
    ) external override nonReentrant {
        ROLES.checkIndex(RoleIds.CUSTODIAN, r.index, msg.sender);
        bytes32 id = _hash(r, false);
        _finish(r, _settled(id, t), Status.RedeemAccepted, Status.Confirmed);
        _closeSettlement(r.index);
        uint256 fee = FeeMath.issuanceFee(r.amount, t.feeBps);
        // Burns the whole locked amount and removes the backing of what was paid for, at the
        // acceptance factor (rounded down). The fee's backing stays the fee recipient's share.
        // No rebalance activated since acceptance (activation waits for open settlements), so
        // the basket is the one the payout was stated for.
        (, bool hasLocal, uint256 count) = IIndexToken(r.index).burnLocked(
            r.requester,
            r.amount,
            fee,
            t.factor
        );
        if (!hasLocal) {
            if (refs.length != count) revert IssuerDeliveryRefsMismatch(refs.length, count);
            emit RedeemConfirmed(id, msg.sender, r.amount, r.amount - fee, fee, refs);
            return;
        }
        _payOnChain(r, id, t, fee, refs);
    }

    /// @dev A redemption with on-chain components: pay them out of the index's vault ledger.
    function _payOnChain(
        Request calldata r,
        bytes32 id,
        Settlement calldata t,
        uint256 fee,
        bytes32[] calldata refs
    ) private {
        (Component[] memory stored, , , , ) = IIndexToken(r.index).basketState();
        (address[] memory paidTokens, uint256[] memory paidAmounts) = _onChainAmounts(
            stored,
            t.factor,
            r.amount - fee,
            false
        );
        uint256 offChain = stored.length - paidTokens.length;
        if (refs.length != offChain) revert IssuerDeliveryRefsMismatch(refs.length, offChain);
        emit RedeemConfirmed(id, msg.sender, r.amount, r.amount - fee, fee, refs);
        emit RedeemPaidOnChain(id, paidTokens, paidAmounts);
        for (uint256 i; i < paidTokens.length; ++i) {
            VAULT.release(r.index, paidTokens[i], r.requester, paidAmounts[i]);
        }
    }

    /// @inheritdoc IIssuer
    function reject(
        Request calldata r,
        bool isMint,
        uint16 reasonCode
    ) external override nonReentrant {
        ROLES.checkIndex(RoleIds.CUSTODIAN, r.index, msg.sender);
        bytes32 id = _hash(r, isMint);
        uint256 record = _records[r.requester][r.nonce % RING_SIZE];
        if (isMint && record == _record(id, r.nonce, Status.MintAcknowledged)) {
            _finish(r, id, Status.MintAcknowledged, Status.Rejected);
            _closeSettlement(r.index);
        } else {
            _finish(r, id, _pending(isMint), Status.Rejected);
            _releaseParticipant(r, isMint);
        }
        emit RequestRejected(id, msg.sender, reasonCode);
        _unwind(id, r, isMint);
    }

    // ================================================================ admin, pauser, anyone

    /// @inheritdoc IIssuer
    function setLimits(address index, Limits calldata l) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (!_isProtocolIndex(index)) revert IssuerNotAnIndex(index);
        if (
            l.window == 0 ||
            l.minAmount == 0 ||
            l.minAmount > l.maxAmount ||
            l.mintCapacity == 0 ||
            l.redeemCapacity < l.mintCapacity ||
            l.participantMintCapacity == 0 ||
            l.participantRedeemCapacity == 0 ||
            l.minAmount % LIMIT_UNIT != 0 ||
            l.maxAmount % LIMIT_UNIT != 0 ||
            l.maxAmount / LIMIT_UNIT > type(uint48).max
        ) revert IssuerInvalidLimits();
        IndexState storage s = _state[index];
        s.config.minAmount = uint48(l.minAmount / LIMIT_UNIT);
        s.config.maxAmount = uint48(l.maxAmount / LIMIT_UNIT);
        s.config.window = l.window;
        s.mintBucket.capacity = l.mintCapacity;
        s.redeemBucket.capacity = l.redeemCapacity;
        (s.participant.mintCapacity, s.participant.redeemCapacity) = (
            l.participantMintCapacity,
            l.participantRedeemCapacity
        );
        emit LimitsSet(index, l);
    }

    /// @inheritdoc IIssuer
    function setFees(address index, uint16 mintFeeBps, uint16 redeemFeeBps) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (mintFeeBps > MAX_FEE_BPS) revert IssuerFeeTooHigh(mintFeeBps, MAX_FEE_BPS);
        if (redeemFeeBps > MAX_FEE_BPS) revert IssuerFeeTooHigh(redeemFeeBps, MAX_FEE_BPS);
        Config storage c = _configured(index);
        (c.mintFeeBps, c.redeemFeeBps) = (mintFeeBps, redeemFeeBps);
        emit FeesSet(index, mintFeeBps, redeemFeeBps);
    }

    /// @inheritdoc IIssuer
    function setMintPaused(address index, bool paused) external override {
        ROLES.check(RoleIds.PAUSER, msg.sender);
        _configured(index).mintPaused = paused;
        emit MintPauseSet(index, paused, msg.sender);
    }

    /// @inheritdoc IIssuer
    function pauseRedeem(address index, uint40 duration) external override {
        ROLES.check(RoleIds.PAUSER, msg.sender);
        Config storage c = _configured(index);
        ParticipantLimits storage p = _state[index].participant;
        if (duration > MAX_REDEEM_PAUSE || block.timestamp < p.nextPauseAt) {
            revert IssuerPauseTooLong(duration, MAX_REDEEM_PAUSE, p.nextPauseAt);
        }
        uint40 until = uint40(block.timestamp) + duration;
        c.redeemPausedUntil = until;
        p.nextPauseAt = until + MAX_REDEEM_PAUSE;
        emit RedeemPauseSet(index, until, until + MAX_REDEEM_PAUSE, msg.sender);
    }

    /// @inheritdoc IIssuer
    function unpauseRedeem(address index) external override {
        ROLES.check(RoleIds.PAUSER, msg.sender);
        Config storage c = _configured(index);
        ParticipantLimits storage p = _state[index].participant;
        if (block.timestamp < c.redeemPausedUntil) {
            // Ended early: the cool-down counts from now.
            p.nextPauseAt = uint40(block.timestamp) + MAX_REDEEM_PAUSE;
        }
        c.redeemPausedUntil = 0;
        emit RedeemPauseSet(index, 0, p.nextPauseAt, msg.sender);
    }

    /// @inheritdoc IIssuer
    function tripCircuitBreaker(address index) external override {
        Config storage c = _configured(index);
        bool covered = _oracleOf(index).isCovered(index);
        if (covered) revert IssuerBreakerCondition(index, true);
        c.breakerTripped = true;
        emit CircuitBreakerSet(index, true, msg.sender);
    }

    /// @inheritdoc IIssuer
    function resetCircuitBreaker(address index) external override {
        Config storage c = _configured(index);
        bool covered = _oracleOf(index).isCovered(index);
        if (!covered || !c.breakerTripped) revert IssuerBreakerCondition(index, covered);
        c.breakerTripped = false;
        emit CircuitBreakerSet(index, false, msg.sender);
    }

    // ================================================================ views

    /// @inheritdoc IIssuer
    function statusOf(address requester, uint64 nonce) external view override returns (Status) {
        uint256 record = _records[requester][nonce % RING_SIZE];
        return uint64(record >> NONCE_OFFSET) == nonce ? Status(record & STATUS_MASK) : Status.None;
    }

    /// @inheritdoc IIssuer
    function openSettlements(address index) external view override returns (uint256) {
        return _state[index].config.openSettlements;
    }

    /// @inheritdoc IIssuer
    function limits(address index) external view override returns (Limits memory) {
        IndexState storage s = _state[index];
        Config memory c = s.config;
        return
            Limits(
                uint128(c.minAmount * LIMIT_UNIT),
                uint128(c.maxAmount * LIMIT_UNIT),
                s.mintBucket.capacity,
                s.redeemBucket.capacity,
                s.participant.mintCapacity,
                s.participant.redeemCapacity,
                c.window
            );
    }

    /// @inheritdoc IIssuer
    function fees(address index) external view override returns (uint16, uint16) {
        Config memory c = _state[index].config;
        return (c.mintFeeBps, c.redeemFeeBps);
    }

    /// @inheritdoc IIssuer
    function availableCapacity(address index) external view override returns (uint256, uint256) {
        IndexState storage s = _state[index];
        uint32 window = s.config.window;
        return (_available(s.mintBucket, window), _available(s.redeemBucket, window));
    }

    /// @inheritdoc IIssuer
    function participantCapacity(
        address index,
        address wlp
    ) external view override returns (uint256, uint256) {
        ParticipantLimits memory p = _state[index].participant;
        OpenAmounts memory o = _open[index][wlp];
        return (_left(p.mintCapacity, o.mint), _left(p.redeemCapacity, o.redeem));
    }

    /// @inheritdoc IIssuer
    function mintPaused(address index) external view override returns (bool, bool) {
        Config memory c = _state[index].config;
        return (c.mintPaused, c.breakerTripped);
    }

    /// @inheritdoc IIssuer
    function redeemPause(address index) external view override returns (uint40, uint40) {
        IndexState storage s = _state[index];
        return (s.config.redeemPausedUntil, s.participant.nextPauseAt);
    }

    // ================================================================ internal

    /// @dev A clone made by a factory holding INDEX_FACTORY_ROLE, whose issuer is (or was, or
    ///      is about to be, by a signalled move) this contract.
    function _isProtocolIndex(address index) private view returns (bool) {
        if (index.code.length == 0) return false;
        try IIndexToken(index).factory() returns (address f) {
            if (!ROLES.hasRole(RoleIds.INDEX_FACTORY, f) || !IIndexFactory(f).isIndex(index))
                return false;
            (address next, ) = IIndexToken(index).pendingMove(IVersionRegistry.Kind.Issuer);
            return next == address(this) || IIndexToken(index).isIssuer(address(this));
        } catch {
            return false;
        }
    }

    /// @dev The index's reserve oracle now: it moves with the index, not with this issuer.
    function _oracleOf(address index) private view returns (IReserveOracle) {
        return IReserveOracle(IIndexToken(index).oracle());
    }

    function _configured(address index) private view returns (Config storage c) {
        c = _state[index].config;
        if (c.window == 0) revert IssuerIndexNotConfigured(index);
    }

    function _checkTerms(Config memory c, uint16 feeBps, Request memory r) private view {
        if (r.amount == 0) revert IssuerZeroAmount();
        (uint256 lo, uint256 hi) = (
            uint256(c.minAmount) * LIMIT_UNIT,
            uint256(c.maxAmount) * LIMIT_UNIT
        );
        if (r.amount < lo || r.amount > hi) revert IssuerAmountOutOfLimits(r.amount, lo, hi);
        if (feeBps > r.maxFeeBps) revert IssuerFeeAboveMax(feeBps, r.maxFeeBps);
        if (block.timestamp > r.deadline) revert IssuerDeadlinePassed(r.deadline, block.timestamp);
        // Bounded, so a settlement nobody can confirm is reclaimed within a known time.
        if (r.deadline > block.timestamp + MAX_REQUEST_TTL) {
            revert IssuerDeadlineTooFar(r.deadline, block.timestamp + MAX_REQUEST_TTL);
        }
    }

    /// @dev The index's fee factor now, after checking that `version` is its current basket.
    function _current(
        address index,
        uint32 version
    ) private view returns (uint96 factor, bool hasLocal) {
        uint32 current;
        uint256 f;
        (current, hasLocal, , f) = IIndexToken(index).issuanceInfo();
        if (version != current) revert IssuerBasketVersionMismatch(version, current);
        factor = uint96(f); // f <= RAY < 2^96
    }

    function _pending(bool isMint) private pure returns (Status) {
        return isMint ? Status.MintPending : Status.RedeemPending;
    }

    function _closeSettlement(address index) private {
        _state[index].config.openSettlements -= 1;
    }

    function _available(Bucket memory b, uint32 window) private view returns (uint256) {
        uint256 drained = Math.mulDiv(b.capacity, block.timestamp - b.updatedAt, window);
        uint256 used = drained >= b.used ? 0 : b.used - drained;
        return b.capacity > used ? b.capacity - used : 0;
    }

    function _consume(Bucket storage bucket, uint32 window, uint256 amount) private {
        Bucket memory b = bucket;
        uint256 available = _available(b, window);
        if (amount > available) revert IssuerCapacityExceeded(amount, available);
        // used' = capacity - available + amount <= capacity < 2^96, so the narrowing is exact.
        (bucket.used, bucket.updatedAt) = (
            uint120(b.capacity - available + amount),
            uint40(block.timestamp)
        );
    }

    function _left(uint256 capacity, uint256 open) private pure returns (uint256) {
        return capacity > open ? capacity - open : 0;
    }

    /// @dev Takes `r.amount` of the requester's own capacity: what it may have open per index.
    function _takeParticipant(IndexState storage s, Request memory r, bool isMint) private {
        OpenAmounts storage o = _open[r.index][r.requester];
        (uint256 open, uint256 capacity) = isMint
            ? (o.mint, s.participant.mintCapacity)
            : (o.redeem, s.participant.redeemCapacity);
        if (open + r.amount > capacity)
            revert IssuerCapacityExceeded(r.amount, _left(capacity, open));
        // open + amount <= capacity < 2^96: the narrowing is exact.
        if (isMint) (o.mint, o.used) = (uint120(open + r.amount), true);
        else (o.redeem, o.used) = (uint120(open + r.amount), true);
    }

    /// @dev Gives back exactly what the request took: it is no longer open (ended without
    ///      issuance, or a custodian took it on and the index-wide capacity counts it).
    function _releaseParticipant(Request calldata r, bool isMint) private {
        OpenAmounts storage o = _open[r.index][r.requester];
        // Checked: only a request that took `amount` is released, once.
        if (isMint) o.mint -= uint120(r.amount);
        else o.redeem -= uint120(r.amount);
    }

    function _initStatus(address requester, uint64 nonce, bytes32 id, Status status) private {
        uint256 slot = nonce % RING_SIZE;
        uint256 record = _records[requester][slot];
        if (record != 0) {
            Status previous = Status(record & STATUS_MASK);
            uint64 previousNonce = uint64(record >> NONCE_OFFSET);
            // Busy while open; reusable only by a higher nonce, so nonces (and ids) never repeat.
            if (_isOpen(previous) || nonce <= previousNonce)
                revert IssuerNonceUsed(requester, nonce);
        }
        _records[requester][slot] = _record(id, nonce, status);
    }

    function _isOpen(Status s) private pure returns (bool) {
        return
            s == Status.MintPending ||
            s == Status.RedeemPending ||
            s == Status.MintAcknowledged ||
            s == Status.RedeemAccepted;
    }

    /// @dev Moves the request whose stored id bits are `bound` from status `from` to `to`;
    ///      returns the request's id (the hash of its fields).
    function _finish(
        Request calldata r,
        bytes32 bound,
        Status from,
        Status to
    ) private returns (bytes32) {
        uint256 slot = r.nonce % RING_SIZE;
        uint256 record = _records[r.requester][slot];
        if (record != _record(bound, r.nonce, from)) {
            // Never made with exactly these fields, of another kind or settlement, or finished.
            revert IssuerRequestNotPending(bound, _statusIn(record, bound, r.nonce));
        }
        _records[r.requester][slot] = _record(bound, r.nonce, to);
        return bound;
    }

    /// @dev What an accepted redemption's record binds: its id and its settlement.
    function _settled(bytes32 id, Settlement memory t) private pure returns (bytes32) {
        return keccak256(abi.encode(id, t.feeBps, t.factor));
    }

    function _record(bytes32 id, uint64 nonce, Status status) private pure returns (uint256) {
        return
            ((uint256(id) >> ID_OFFSET) << ID_OFFSET) |
            (uint256(nonce) << NONCE_OFFSET) |
            uint256(status);
    }

    function _statusIn(uint256 record, bytes32 id, uint64 nonce) private pure returns (Status) {
        if (
            (record >> ID_OFFSET) != (uint256(id) >> ID_OFFSET) ||
            uint64(record >> NONCE_OFFSET) != nonce
        ) {
            return Status.None;
        }
        return Status(record & STATUS_MASK);
    }

    /// @dev Ends a request without issuance: unlocks a
    ///      redemption's tokens, makes a mint's escrow claimable by the requester.
    function _unwind(bytes32 id, Request calldata r, bool isMint) private {
        if (!isMint) {
            IIndexToken(r.index).unlock(r.requester, r.amount);
            return;
        }
        (, bool hasLocal, , ) = IIndexToken(r.index).issuanceInfo();
        if (hasLocal) VAULT.refund(id, r.requester);
    }

    function _hash(Request memory r, bool isMint) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        isMint ? MINT_TYPEHASH : REDEEM_TYPEHASH,
                        r.requester,
                        r.index,
                        r.amount,
                        r.basketVersion,
                        r.maxFeeBps,
                        r.nonce,
                        r.deadline,
                        r.factor
                    )
                )
            );
    }

    /// @dev The ERC-20 components for `indexAmount` index wei at fee factor `factor`: what a mint
    ///      delivers (`BasketMath.depositFor`, rounded up) or what a redemption pays (`payoutFor`,
    ///      down).
    function _onChainAmounts(
        Component[] memory stored,
        uint256 factor,
        uint256 indexAmount,
        bool deposit
    ) private view returns (address[] memory tokens, uint256[] memory amounts) {
        (address[] memory all, uint256 count) = _localTokens(stored);
        tokens = new address[](count);
        amounts = new uint256[](count);
        uint256 j;
        for (uint256 i; i < stored.length; ++i) {
            if (all[i] == address(0)) continue;
            tokens[j] = all[i];
            amounts[j] = deposit
                ? BasketMath.depositFor(stored[i].amount, factor, indexAmount)
                : BasketMath.payoutFor(stored[i].amount, factor, indexAmount);
            ++j;
        }
    }

    function _localTokens(
        Component[] memory stored
    ) private view returns (address[] memory all, uint256 count) {
        bytes32[] memory ids = new bytes32[](stored.length);
        for (uint256 i; i < stored.length; ++i) {
            ids[i] = stored[i].assetId;
        }
        all = REGISTRY.tokensOf(ids);
        for (uint256 i; i < all.length; ++i) {
            if (all[i] != address(0)) ++count;
        }
    }
}
