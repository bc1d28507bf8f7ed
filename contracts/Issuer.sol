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
import {Component} from "./types/Component.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title Issuer
/// @notice Checks-effects-interactions throughout: a request's status changes before any token
///         moves, and every entry point that moves tokens is `nonReentrant` (transient storage).
///         Trust assumptions: index tokens are this protocol's clones (checked by the factory
///         registry when an index is configured); ERC-20 components are registered assets, and a
///         token that delivers less than asked (fee on transfer) is refused, never accounted short.
contract Issuer is IIssuer, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RoleCheck for IProtocolRoles;

    /// @dev One slot (64+64+16+16+40+8+8+32 = 248 bits): every request reads just this and a bucket.
    struct Config {
        uint64 minAmount; // {1e12 index wei}
        uint64 maxAmount; // {1e12 index wei}
        uint16 mintFeeBps;
        uint16 redeemFeeBps;
        uint40 redeemPausedUntil; // {unix seconds}
        bool mintPaused;
        bool breakerTripped;
        uint32 window; // {seconds}; 0 = index not configured
    }

    /// @dev Rolling capacity as a leaky bucket: `used` drains linearly, capacity per window.
    struct Bucket {
        uint96 capacity; // {index wei per window}
        uint120 used; // {index wei} at `updatedAt`
        uint40 updatedAt;
    }

    struct IndexState {
        Config config;
        Bucket mintBucket;
        Bucket redeemBucket;
    }

    struct EscrowEntry {
        address token;
        uint256 amount; // {base units}
    }

    bytes32 private constant MINT_TYPEHASH = keccak256(
        "MintRequest(address requester,address index,uint256 amount,uint32 basketVersion,uint16 maxFeeBps,uint64 nonce,uint40 deadline)"
    );
    bytes32 private constant REDEEM_TYPEHASH = keccak256(
        "RedeemRequest(address requester,address index,uint256 amount,uint32 basketVersion,uint16 maxFeeBps,uint64 nonce,uint40 deadline)"
    );
    uint16 public constant override MAX_FEE_BPS = 500;
    uint40 public constant override MAX_REDEEM_PAUSE = 7 days;
    uint256 private constant BPS = 10_000;
    /// @dev Request limits are stored in units of 1e12 index wei (a millionth of a token).
    uint256 private constant LIMIT_UNIT = 1e12;

    IProtocolRoles public immutable ROLES;
    IAssetRegistry public immutable REGISTRY;
    IReserveOracle public immutable ORACLE;
    ICustodyVault public immutable VAULT;

    mapping(address index => IndexState) private _state;
    /// @dev Request records: per requester a ring of RING slots, slot = nonce % RING, each holding
    ///      the top 188 bits of the request id | the nonce (64 bits) | the status (4 bits). The id
    ///      bits bind every later call to the exact request made (a struct with any field changed
    ///      has another id); a finished request's slot is reused by a later nonce, so an active
    ///      WLP's request rewrites a warm slot (5k gas) instead of filling a fresh one (22k).
    mapping(address requester => mapping(uint256 slot => uint256)) private _records;
    uint256 private constant RING = 16;
    mapping(bytes32 id => EscrowEntry[]) private _mintEscrow;
    /// @dev ERC-20 components held for pending mints {base units}. Index tokens of pending
    ///      redemptions are not held here: they stay locked in the requester's balance.
    mapping(address token => uint256) private _escrowed;

    constructor(
        IProtocolRoles roles,
        IAssetRegistry registry,
        IReserveOracle oracle,
        ICustodyVault vault
    ) EIP712("ssikit Issuer", "1") {
        ROLES = roles;
        REGISTRY = registry;
        ORACLE = oracle;
        VAULT = vault;
    }

    // ================================================================ WLP

    /// @inheritdoc IIssuer
    function requestMint(address index, uint256 amount, uint32 basketVersion, uint16 maxFeeBps, uint64 nonce, uint40 deadline)
        external
        override
        nonReentrant
        returns (bytes32)
    {
        return _requestMint(Request(msg.sender, index, amount, basketVersion, maxFeeBps, nonce, deadline));
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
            try IERC20Permit(p.token).permit(msg.sender, address(this), p.value, p.deadline, p.v, p.r, p.s) {} catch {}
        }
        return _requestMint(Request(msg.sender, index, amount, basketVersion, maxFeeBps, nonce, deadline));
    }

    function _requestMint(Request memory r) private returns (bytes32 id) {
        IndexState storage s = _state[r.index];
        Config memory c = s.config;
        if (c.window == 0) revert IssuerIndexNotConfigured(r.index);
        if (c.mintPaused || c.breakerTripped) revert IssuerMintPaused(r.index);
        ROLES.checkIndex(RoleIds.WLP, r.index, msg.sender);
        _checkTerms(c, c.mintFeeBps, r);
        (uint32 current, bool hasLocal,) = IIndexToken(r.index).basketInfo();
        if (r.basketVersion != current) revert IssuerBasketVersionMismatch(r.basketVersion, current);
        _consume(s.mintBucket, c.window, r.amount);
        id = _hash(r, true);
        _initStatus(r.requester, r.nonce, id, Status.MintPending);

        address[] memory tokens;
        uint256[] memory amounts;
        if (hasLocal) (tokens, amounts) = _pullDeposit(id, r);
        emit MintRequested(
            id, r.requester, r.index, r.nonce, r.amount, r.basketVersion, r.maxFeeBps, r.deadline, tokens, amounts
        );
    }

    /// @dev Pulls the ERC-20 components into escrow: `BasketMath.depositFor`, the liability the
    ///      mint adds, rounded up. The received amount is measured, never assumed.
    function _pullDeposit(bytes32 id, Request memory r)
        private
        returns (address[] memory tokens, uint256[] memory amounts)
    {
        (tokens, amounts) = _deposit(r.index, r.amount);
        EscrowEntry[] storage escrow = _mintEscrow[id];
        for (uint256 i; i < tokens.length; ++i) {
            IERC20 token = IERC20(tokens[i]);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(r.requester, address(this), amounts[i]);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != amounts[i]) revert IssuerTransferShortfall(tokens[i], amounts[i], received);
            escrow.push(EscrowEntry(tokens[i], amounts[i]));
            _escrowed[tokens[i]] += amounts[i];
        }
    }

    /// @inheritdoc IIssuer
    /// @dev No reentrancy guard: the only external calls are to the roles contract and to the
    ///      index (a protocol clone, checked when the index was configured); no token moves.
    function requestRedeem(address index, uint256 amount, uint32 basketVersion, uint16 maxFeeBps, uint64 nonce, uint40 deadline)
        external
        override
        returns (bytes32 id)
    {
        Request memory r = Request(msg.sender, index, amount, basketVersion, maxFeeBps, nonce, deadline);
        IndexState storage s = _state[index];
        Config memory c = s.config;
        if (c.window == 0) revert IssuerIndexNotConfigured(index);
        if (block.timestamp < c.redeemPausedUntil) revert IssuerRedeemPaused(index, c.redeemPausedUntil);
        ROLES.checkIndex(RoleIds.WLP, index, msg.sender);
        _checkTerms(c, c.redeemFeeBps, r);
        _consume(s.redeemBucket, c.window, amount);
        id = _hash(r, false);
        _initStatus(msg.sender, nonce, id, Status.RedeemPending);
        emit RedeemRequested(id, msg.sender, index, nonce, amount, basketVersion, maxFeeBps, deadline);
        // Interaction last: the tokens stay in the requester's balance, locked until the request
        // ends (reverts ERC20InsufficientBalance when the free balance is short).
        IIndexToken(index).lock(msg.sender, amount);
    }

    /// @inheritdoc IIssuer
    function cancel(Request calldata r, bool isMint) external override nonReentrant {
        if (msg.sender != r.requester) revert IssuerNotRequester(msg.sender, r.requester);
        bytes32 id = _finish(r, isMint, Status.Cancelled);
        emit RequestCancelled(id);
        _refund(id, r, isMint);
    }

    /// @inheritdoc IIssuer
    function expire(Request calldata r, bool isMint) external override nonReentrant {
        (uint32 current,,) = IIndexToken(r.index).basketInfo();
        if (block.timestamp <= r.deadline && current == r.basketVersion) {
            revert IssuerNotExpirable(_hash(r, isMint), r.deadline);
        }
        bytes32 id = _finish(r, isMint, Status.Expired);
        emit RequestExpired(id, msg.sender);
        _refund(id, r, isMint);
    }

    // ================================================================ custodian

    /// @inheritdoc IIssuer
    function confirmMint(Request calldata r, bytes32[] calldata refs) external override nonReentrant {
        ROLES.check(RoleIds.CUSTODIAN, msg.sender);
        Config memory c = _state[r.index].config;
        if (c.mintPaused || c.breakerTripped) revert IssuerMintPaused(r.index);
        if (block.timestamp > r.deadline) revert IssuerDeadlinePassed(r.deadline, block.timestamp);
        if (c.mintFeeBps > r.maxFeeBps) revert IssuerFeeAboveMax(c.mintFeeBps, r.maxFeeBps);
        bytes32 id = _finish(r, true, Status.Confirmed);
        _settleMint(r, id, Math.mulDiv(r.amount, c.mintFeeBps, BPS, Math.Rounding.Ceil), refs);
    }

    /// @dev Moves the escrow to the vault, checks coverage after the mint, mints. Fails closed:
    ///      fresh reserves must cover every component for the supply after this mint plus the
    ///      fee recipient's share, which together are the backing units after the mint.
    function _settleMint(Request calldata r, bytes32 id, uint256 fee, bytes32[] calldata refs) private {
        BasketView memory b = _basket(r.index);
        if (b.version != r.basketVersion) revert IssuerBasketVersionMismatch(r.basketVersion, b.version);
        uint256 offChain = b.stored.length - (b.hasLocal ? _moveEscrowToVault(id) : 0);
        if (refs.length != offChain) revert IssuerDeliveryRefsMismatch(refs.length, offChain);
        uint256 unitsAfter = b.units + BasketMath.backing(r.amount, b.factor, Math.Rounding.Ceil);
        ORACLE.checkMint(r.index, b.stored, b.version, unitsAfter, b.hasLocal);
        emit MintConfirmed(id, msg.sender, r.amount - fee, fee, refs);
        IIndexToken(r.index).mint(r.requester, r.amount, fee);
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

    function _moveEscrowToVault(bytes32 id) private returns (uint256 moved) {
        EscrowEntry[] storage escrow = _mintEscrow[id];
        moved = escrow.length;
        for (uint256 i; i < moved; ++i) {
            EscrowEntry memory e = escrow[i];
            _escrowed[e.token] -= e.amount;
            IERC20(e.token).safeTransfer(address(VAULT), e.amount);
        }
        delete _mintEscrow[id];
    }

    /// @inheritdoc IIssuer
    function confirmRedeem(Request calldata r, bytes32[] calldata refs) external override nonReentrant {
        ROLES.check(RoleIds.CUSTODIAN, msg.sender);
        if (block.timestamp > r.deadline) revert IssuerDeadlinePassed(r.deadline, block.timestamp);
        uint16 feeBps = _state[r.index].config.redeemFeeBps;
        if (feeBps > r.maxFeeBps) revert IssuerFeeAboveMax(feeBps, r.maxFeeBps);
        bytes32 id = _finish(r, false, Status.Confirmed);
        uint256 fee = Math.mulDiv(r.amount, feeBps, BPS, Math.Rounding.Ceil);
        // Burns the locked tokens; the fee's backing stays the fee recipient's share in the token
        // (collected with collectFees). The whole call reverts if a check below fails.
        (uint32 version, bool hasLocal, uint256 count) = IIndexToken(r.index).burnLocked(r.requester, r.amount, fee);
        if (version != r.basketVersion) revert IssuerBasketVersionMismatch(r.basketVersion, version);
        if (!hasLocal) {
            if (refs.length != count) revert IssuerDeliveryRefsMismatch(refs.length, count);
            emit RedeemConfirmed(id, msg.sender, r.amount - fee, fee, refs);
            return;
        }
        _payOnChain(r, id, fee, refs);
    }

    /// @dev A redemption with on-chain components: pay them out of the vault (rounded down).
    function _payOnChain(Request calldata r, bytes32 id, uint256 fee, bytes32[] calldata refs) private {
        (Component[] memory stored, uint256 factor,,,) = IIndexToken(r.index).basketState();
        (address[] memory paidTokens, uint256[] memory paidAmounts) =
            _onChainAmounts(stored, factor, r.amount - fee, false);
        uint256 offChain = stored.length - paidTokens.length;
        if (refs.length != offChain) revert IssuerDeliveryRefsMismatch(refs.length, offChain);
        emit RedeemConfirmed(id, msg.sender, r.amount - fee, fee, refs);
        emit RedeemPaidOnChain(id, paidTokens, paidAmounts);
        for (uint256 i; i < paidTokens.length; ++i) {
            VAULT.release(paidTokens[i], r.requester, paidAmounts[i]);
        }
    }

    /// @inheritdoc IIssuer
    function reject(Request calldata r, bool isMint, uint16 reasonCode) external override nonReentrant {
        ROLES.check(RoleIds.CUSTODIAN, msg.sender);
        bytes32 id = _finish(r, isMint, Status.Rejected);
        emit RequestRejected(id, msg.sender, reasonCode);
        _refund(id, r, isMint);
    }

    // ================================================================ admin, pauser, anyone

    /// @inheritdoc IIssuer
    function setLimits(address index, Limits calldata l) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (!_isProtocolIndex(index)) revert IssuerNotAnIndex(index);
        if (
            l.window == 0 || l.maxAmount == 0 || l.minAmount > l.maxAmount || l.mintCapacity == 0
                || l.redeemCapacity < l.mintCapacity || l.minAmount % LIMIT_UNIT != 0
                || l.maxAmount % LIMIT_UNIT != 0 || l.maxAmount / LIMIT_UNIT > type(uint64).max
        ) revert IssuerInvalidLimits();
        IndexState storage s = _state[index];
        s.config.minAmount = uint64(l.minAmount / LIMIT_UNIT);
        s.config.maxAmount = uint64(l.maxAmount / LIMIT_UNIT);
        s.config.window = l.window;
        s.mintBucket.capacity = l.mintCapacity;
        s.redeemBucket.capacity = l.redeemCapacity;
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
        if (duration > MAX_REDEEM_PAUSE) revert IssuerPauseTooLong(duration, MAX_REDEEM_PAUSE);
        uint40 until = uint40(block.timestamp) + duration;
        _configured(index).redeemPausedUntil = until;
        emit RedeemPauseSet(index, until, msg.sender);
    }

    /// @inheritdoc IIssuer
    function unpauseRedeem(address index) external override {
        ROLES.check(RoleIds.PAUSER, msg.sender);
        _configured(index).redeemPausedUntil = 0;
        emit RedeemPauseSet(index, 0, msg.sender);
    }

    /// @inheritdoc IIssuer
    function tripCircuitBreaker(address index) external override {
        Config storage c = _configured(index);
        bool covered = ORACLE.isCovered(index);
        if (covered) revert IssuerBreakerCondition(index, true);
        c.breakerTripped = true;
        emit CircuitBreakerSet(index, true, msg.sender);
    }

    /// @inheritdoc IIssuer
    function resetCircuitBreaker(address index) external override {
        Config storage c = _configured(index);
        bool covered = ORACLE.isCovered(index);
        if (!covered || !c.breakerTripped) revert IssuerBreakerCondition(index, covered);
        c.breakerTripped = false;
        emit CircuitBreakerSet(index, false, msg.sender);
    }

    // ================================================================ views

    /// @inheritdoc IIssuer
    function requestId(Request calldata r, bool isMint) external view override returns (bytes32) {
        return _hash(r, isMint);
    }

    /// @inheritdoc IIssuer
    function statusOf(address requester, uint64 nonce) external view override returns (Status) {
        uint256 record = _records[requester][nonce % RING];
        return uint64(record >> 4) == nonce ? Status(record & 0xf) : Status.None;
    }

    /// @inheritdoc IIssuer
    function statusOfRequest(Request calldata r, bool isMint) external view override returns (Status) {
        return _statusIn(_records[r.requester][r.nonce % RING], _hash(r, isMint), r.nonce);
    }

    /// @inheritdoc IIssuer
    function limits(address index) external view override returns (Limits memory) {
        IndexState storage s = _state[index];
        Config memory c = s.config;
        return Limits(
            uint128(c.minAmount * LIMIT_UNIT),
            uint128(c.maxAmount * LIMIT_UNIT),
            s.mintBucket.capacity,
            s.redeemBucket.capacity,
            c.window
        );
    }

    /// @inheritdoc IIssuer
    function fees(address index) external view override returns (uint16, uint16) {
        Config memory c = _state[index].config;
        return (c.mintFeeBps, c.redeemFeeBps);
    }

    /// @inheritdoc IIssuer
    function mintDeposit(address index, uint256 amount)
        external
        view
        override
        returns (address[] memory tokens, uint256[] memory amounts)
    {
        return _deposit(index, amount);
    }

    /// @inheritdoc IIssuer
    function availableCapacity(address index) external view override returns (uint256, uint256) {
        IndexState storage s = _state[index];
        uint32 window = s.config.window;
        return (_available(s.mintBucket, window), _available(s.redeemBucket, window));
    }

    /// @inheritdoc IIssuer
    function escrowed(address token) external view override returns (uint256) {
        return _escrowed[token];
    }

    /// @inheritdoc IIssuer
    function mintPaused(address index) external view override returns (bool, bool) {
        Config memory c = _state[index].config;
        return (c.mintPaused, c.breakerTripped);
    }

    /// @inheritdoc IIssuer
    function redeemPausedUntil(address index) external view override returns (uint40) {
        return _state[index].config.redeemPausedUntil;
    }

    // ================================================================ internal

    /// @dev A clone made by a factory holding INDEX_FACTORY_ROLE, whose issuer is this contract.
    function _isProtocolIndex(address index) private view returns (bool) {
        if (index.code.length == 0) return false;
        try IIndexToken(index).factory() returns (address f) {
            return ROLES.hasRole(RoleIds.INDEX_FACTORY, f) && IIndexFactory(f).isIndex(index)
                && IIndexToken(index).issuer() == address(this);
        } catch {
            return false;
        }
    }

    function _configured(address index) private view returns (Config storage c) {
        c = _state[index].config;
        if (c.window == 0) revert IssuerIndexNotConfigured(index);
    }

    function _checkTerms(Config memory c, uint16 feeBps, Request memory r) private view {
        (uint256 lo, uint256 hi) = (uint256(c.minAmount) * LIMIT_UNIT, uint256(c.maxAmount) * LIMIT_UNIT);
        if (r.amount < lo || r.amount > hi) revert IssuerAmountOutOfLimits(r.amount, lo, hi);
        if (feeBps > r.maxFeeBps) revert IssuerFeeAboveMax(feeBps, r.maxFeeBps);
        if (block.timestamp > r.deadline) revert IssuerDeadlinePassed(r.deadline, block.timestamp);
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
        (bucket.used, bucket.updatedAt) = (uint120(b.capacity - available + amount), uint40(block.timestamp));
    }

    function _initStatus(address requester, uint64 nonce, bytes32 id, Status status) private {
        uint256 slot = nonce % RING;
        uint256 record = _records[requester][slot];
        if (record != 0) {
            Status previous = Status(record & 0xf);
            uint64 previousNonce = uint64(record >> 4);
            // Busy while pending; reusable only by a higher nonce, so nonces (and ids) never repeat.
            if (previous == Status.MintPending || previous == Status.RedeemPending || nonce <= previousNonce) {
                revert IssuerNonceUsed(requester, nonce);
            }
        }
        _records[requester][slot] = _record(id, nonce, status);
    }

    /// @dev Moves a pending request of the right kind to a terminal status; returns its id.
    function _finish(Request calldata r, bool isMint, Status to) private returns (bytes32 id) {
        id = _hash(r, isMint);
        uint256 slot = r.nonce % RING;
        uint256 record = _records[r.requester][slot];
        Status pending = isMint ? Status.MintPending : Status.RedeemPending;
        if (record != _record(id, r.nonce, pending)) {
            // Never made with exactly these fields, of the other kind, or already finished.
            revert IssuerRequestNotPending(id, _statusIn(record, id, r.nonce));
        }
        _records[r.requester][slot] = _record(id, r.nonce, to);
    }

    function _record(bytes32 id, uint64 nonce, Status status) private pure returns (uint256) {
        return ((uint256(id) >> 68) << 68) | (uint256(nonce) << 4) | uint256(status);
    }

    function _statusIn(uint256 record, bytes32 id, uint64 nonce) private pure returns (Status) {
        if ((record >> 68) != (uint256(id) >> 68) || uint64(record >> 4) != nonce) return Status.None;
        return Status(record & 0xf);
    }

    function _refund(bytes32 id, Request calldata r, bool isMint) private {
        if (!isMint) {
            IIndexToken(r.index).unlock(r.requester, r.amount);
            return;
        }
        EscrowEntry[] storage escrow = _mintEscrow[id];
        uint256 n = escrow.length;
        for (uint256 i; i < n; ++i) {
            EscrowEntry memory e = escrow[i];
            _escrowed[e.token] -= e.amount;
            IERC20(e.token).safeTransfer(r.requester, e.amount);
        }
        if (n != 0) delete _mintEscrow[id];
    }

    function _hash(Request memory r, bool isMint) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    isMint ? MINT_TYPEHASH : REDEEM_TYPEHASH,
                    r.requester,
                    r.index,
                    r.amount,
                    r.basketVersion,
                    r.maxFeeBps,
                    r.nonce,
                    r.deadline
                )
            )
        );
    }

    function _deposit(address index, uint256 amount)
        private
        view
        returns (address[] memory tokens, uint256[] memory amounts)
    {
        (Component[] memory stored, uint256 factor,,,) = IIndexToken(index).basketState();
        return _onChainAmounts(stored, factor, amount, true);
    }

    /// @dev The ERC-20 components for `indexAmount` index wei: what a mint delivers
    ///      (`BasketMath.depositFor`, rounded up) or what a redemption pays (`payoutFor`, down).
    function _onChainAmounts(Component[] memory stored, uint256 factor, uint256 indexAmount, bool deposit)
        private
        view
        returns (address[] memory tokens, uint256[] memory amounts)
    {
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

    function _localTokens(Component[] memory stored) private view returns (address[] memory all, uint256 count) {
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
