// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Component} from "../types/Component.sol";
import {Price} from "../types/Price.sol";
import {IVersionRegistry} from "./IVersionRegistry.sol";

/// @title An index token: an ERC-20 (18 decimals, ERC-2612 permit) backed by a basket of assets
/// @notice The basket lists, per underlying asset, how much of it backs one whole token.
///
///         Management fee. A fee streams continuously, compounding per second, at `feeRate()`
///         (never above `maxFeeRate()`, fixed when the index is created). It is accounted with a
///         single "fee factor" F (RAY = 1e27 = no fee taken yet) that every component amount is
///         multiplied by: amount per token now = stored amount × F / RAY. F is a pure function of
///         time, so it is computed lazily in O(1) in every view and transaction: nothing depends on a
///         fee transaction having been sent recently, and `accrueFee()` only checkpoints it.
///
///         Backing units. `backingUnits()` L counts, in index wei at the stored amounts, what the
///         reserves owe: the holders (supply × F / RAY) plus the fee recipient (the rest). Minting
///         adds amount × F / RAY (rounded up), burning removes it (rounded down), and the passing
///         of time does not change L: the fee moves value from holders to the fee recipient
///         without changing what the custodians must hold. Liability of component i in base units
///         = L × storedAmount_i / 1e36, rounded up.
///
///         Rebalancing. The index's compiler proposes the next basket with the prices it was
///         computed at {USD × 1e36 per base unit}; each must be within `priceBandBps` of the
///         asset's registry price feed (fresh, see IAssetRegistry.feedPrices). At those prices
///         the new basket must be worth the old within an absolute tolerance, and the bounds
///         must hold: assets added or removed, one-way turnover, and every component's change in
///         value (bps of the old basket's value). Anyone activates the proposal from its
///         activation time until `activationWindow` seconds after, while its proposer still holds
///         the index's compiler role; after that it has lapsed and anyone may cancel it.
///
///         Lifecycle. The token's code never changes (a clone of an implementation without any
///         upgrade path). What may change is which issuer mints and burns it and which reserve
///         oracle gates its mints and rebalances, each by a two-step move of this index alone:
///         the admin signals a version listed in the `IVersionRegistry` (`MoveSignalled`, with
///         the target's code hash), anyone executes it `MOVE_DELAY` later, the admin may cancel
///         before. A former issuer keeps every right it needs to finish what was requested from
///         it (mint, unlock and burn of its own requests) but can never lock tokens for a new
///         redemption, and the issuer contract refuses new requests unless it is the index's
///         current issuer. `deprecate` stops minting for good; redemption, cancel, expiry and
///         reclaim stay open.
///
///         Integrators: a holder with a pending redemption has `balanceOf` = free + locked; the
///         spendable amount is `balanceOf - lockedOf`, so a "max" button, a zap or Permit2 that
///         pulls `balanceOf` reverts (`ERC20InsufficientBalance`) while a redemption is open.
interface IIndexToken is IERC20, IERC20Metadata, IERC20Permit {
    /// @notice The admin's bounds on this index's rebalances (all fit one storage slot with the
    ///         basket pointer or in one of their own). Supported ranges (else
    ///         `RebalanceBoundsInvalid`): minDelay >= MIN_REBALANCE_DELAY; activationWindow in
    ///         [MIN_ACTIVATION_WINDOW, MAX_ACTIVATION_WINDOW]; maxChanged in [1, MAX_COMPONENTS];
    ///         maxTurnoverBps and maxComponentChangeBps in [1, 10_000]; priceBandBps in
    ///         [1, MAX_PRICE_BAND_BPS]; valueTolerance any uint64. There is no "unbounded" value:
    ///         the loosest bounds are 10_000 bps and MAX_COMPONENTS.
    struct RebalanceBounds {
        uint32 minDelay; // {seconds} from proposal to activation time
        uint24 activationWindow; // {seconds} after the activation time during which it may activate
        uint8 maxChanged; // max(assets added, assets removed) per rebalance
        uint16 maxTurnoverBps; // one-way turnover {bps of the old basket's value}
        uint16 maxComponentChangeBps; // any component's |Δvalue| {bps of the old basket's value}
        uint16 priceBandBps; // |declared - feed| {bps of the feed price}
        uint64 valueTolerance; // how much less the new basket may be worth {USD × 1e18 per token}
    }

    /// @notice The admin signalled that this index's `kind` moves from `from` to `to` (code hash
    ///         `codeHash` in the version registry); executable from `executableAt` {unix seconds}.
    event MoveSignalled(
        IVersionRegistry.Kind indexed kind,
        address indexed from,
        address indexed to,
        bytes32 codeHash,
        uint256 executableAt
    );
    /// @notice The admin cancelled the pending move of `kind` to `to`.
    event MoveCancelled(IVersionRegistry.Kind indexed kind, address indexed to);
    /// @notice This index's `kind` is now `to` (was `from`); `codeHash` was checked again.
    event MoveExecuted(
        IVersionRegistry.Kind indexed kind,
        address indexed from,
        address indexed to,
        bytes32 codeHash
    );
    /// @notice Minting stopped for good; redemption stays open.
    event IndexDeprecated(address indexed by, uint256 at);

    /// @notice The basket changed; `version` is the new version. Amounts are per whole token at
    ///         `factor` (they are multiplied by the fee factor, which is RAY at every change).
    event BasketUpdated(uint32 indexed version, Component[] components);
    /// @notice The admin changed the fee rate. Both {RAY per second}.
    event FeeRateUpdated(uint64 oldRate, uint64 newRate);
    /// @notice The fee factor was checkpointed. `factor` {RAY}.
    event FeeAccrued(uint256 factor, uint256 timestamp);
    /// @notice The fee recipient turned its share of the reserves into `amount` index tokens.
    event FeesCollected(address indexed by, address indexed to, uint256 amount);
    /// @notice A new basket is proposed for `activationTime`; `commitment` is the hash of the
    ///         announcement it implements (constituents, weights, prices, reference data).
    event RebalanceProposed(
        bytes32 indexed id,
        uint32 indexed fromVersion,
        address indexed by,
        bytes32 commitment,
        uint40 activationTime,
        Component[] components,
        Price[] prices,
        uint256 turnoverBps,
        uint256 changed,
        uint256 maxComponentChangeBps
    );
    /// @notice The pending proposal `id` was withdrawn by `by` (admin, compiler, or anyone once
    ///         it has lapsed).
    event RebalanceCancelled(bytes32 indexed id, address indexed by);
    /// @notice The basket moved from version `version - 1` to `version`. Both baskets are in the
    ///         packed form the token stores (BasketCodec: per component a 32-byte asset id then a
    ///         20-byte amount), which costs less gas to log than ABI-encoded components.
    event RebalanceActivated(
        bytes32 indexed id,
        uint32 indexed version,
        address indexed by,
        bytes32 commitment,
        bytes oldBasket,
        bytes newBasket
    );
    /// @notice The admin set this index's rebalance bounds (see `RebalanceBounds`).
    event RebalanceBoundsSet(RebalanceBounds bounds);

    /// @notice `initialize` was called on an initialised token or on the implementation.
    error IndexAlreadyInitialized();
    /// @notice `initialize` called by someone other than the factory.
    error IndexNotFactory(address caller);
    /// @notice The basket has no component, or more than `MAX_COMPONENTS`.
    error BasketSizeInvalid(uint256 size, uint256 maxSize);
    /// @notice The same asset appears twice (components must be sorted by ascending id).
    error BasketDuplicateAsset(bytes32 assetId);
    /// @notice Components are not sorted by strictly ascending asset id.
    error BasketNotSorted(uint256 position);
    /// @notice A component has a zero amount.
    error BasketZeroAmount(bytes32 assetId);
    /// @notice The rate is above the cap fixed at creation.
    error IndexFeeRateAboveMax(uint256 rate, uint256 maxRate);
    /// @notice The seconds since the fee checkpoint are more than the fee decay evaluates
    ///         (FeeMath.MAX_EXPONENT = 2^40 − 1, ~34,800 years: any uint40 timestamp).
    error IndexFeeElapsedOutOfRange(uint256 elapsed, uint256 maxElapsed);
    /// @notice The asset is not in the basket.
    error IndexAssetNotInBasket(bytes32 assetId);
    /// @notice Zero address or zero amount where one is needed.
    error IndexZeroInput();
    /// @notice Only the current issuer (or, to finish its own requests, a former one: `mint`,
    ///         `unlock`, `burnLocked`) mints, locks and burns.
    error IndexNotIssuer(address caller);
    /// @notice An amount above what a basket can hold (BasketCodec.MAX_AMOUNT).
    error BasketAmountTooLarge(bytes32 assetId, uint256 amount);
    /// @notice The activation time is earlier than now + the index's minimum delay.
    error RebalanceTooSoon(uint256 activationTime, uint256 earliest);
    /// @notice A proposal is pending: pass its id as `replaces` to replace it explicitly.
    error RebalancePending(bytes32 pendingId);
    /// @notice No pending proposal has this id (or these contents).
    error RebalanceNotPending(bytes32 id);
    /// @notice The proposal's activation time has not come.
    error RebalanceNotDue(uint256 activationTime, uint256 now_);
    /// @notice More assets added or removed than the index's bound allows.
    error RebalanceTooManyChanges(uint256 changed, uint256 maxChanged);
    /// @notice More turnover than the index's bound allows {bps}.
    error RebalanceTurnoverTooHigh(uint256 turnoverBps, uint256 maxTurnoverBps);
    /// @notice At the declared prices the new basket is not worth what the old one is.
    error RebalanceValueChanged(uint256 oldValue, uint256 newValue);
    /// @notice Prices must be non-zero and list, sorted, exactly the assets of both baskets.
    error RebalancePricesInvalid(uint256 position);
    /// @notice An ERC-20 component on this chain cannot change in a rebalance.
    error RebalanceLocalComponentChanged(bytes32 assetId);
    /// @notice A fee factor passed by the issuer is below the current one or above RAY.
    error IndexFactorInvalid(uint256 factor, uint256 currentFactor);
    /// @notice Acknowledged mints or accepted redemptions of this index are not settled yet: a
    ///         rebalance activates, and fees are collected, only once they are (each settles at
    ///         its basket version; an accepted redemption's tokens stop paying the fee).
    error RebalanceSettlementsOpen(uint256 open);
    /// @notice A bound outside its supported range (see `RebalanceBounds`), by field name.
    error RebalanceBoundsInvalid(string bound, uint256 value);
    /// @notice A declared price is further from the asset's feed price than the index's band
    ///         allows. Prices {USD × 1e36 per base unit}.
    error RebalancePriceOutsideBand(
        bytes32 assetId,
        uint256 declared,
        uint256 feed,
        uint256 bandBps
    );
    /// @notice One component's value changes by more than the index's bound {bps of the old
    ///         basket's value}.
    error RebalanceComponentChangeTooHigh(bytes32 assetId, uint256 changeBps, uint256 maxChangeBps);
    /// @notice The proposal's activation window has passed (`deadline` = activation time +
    ///         window, the last second it could activate).
    error RebalanceLapsed(uint256 activationTime, uint256 deadline, uint256 now_);

    /// @notice Most components a basket may have.
    function MAX_COMPONENTS() external view returns (uint256);

    /// @notice Sets the first basket and fee rate of a fresh clone. Factory only, once
    ///         (`IndexNotFactory`, `IndexAlreadyInitialized`); the basket is validated (the
    ///         `Basket*` errors) and the rate capped (`IndexFeeRateAboveMax`). Emits
    ///         `BasketUpdated(1, basket)`.
    function initialize(Component[] calldata basket, uint64 feeRate) external;

    /// @notice Records that the reserves now back `amount` more tokens {index wei} delivered at
    ///         fee factor `factor` {RAY} and mints `amount - feeAmount` of them to `to`: backing
    ///         units grow by amount × factor / RAY (rounded up). The mint fee's backing, and what
    ///         the fee factor fell by since `factor` while the delivery waited, stay the fee
    ///         recipient's share. Only the current issuer, or a former one within
    ///         `FORMER_MINT_WINDOW` of its retirement (`IndexNotIssuer`,
    ///         `IndexFormerIssuerExpired`), and never once the index is deprecated
    ///         (`IndexIsDeprecated`).
    /// @dev Reverts `IndexZeroInput` (amount 0 or fee >= amount), `IndexFactorInvalid` (factor
    ///      below the current fee factor or above RAY), `IndexNotIssuer`, `IndexIsDeprecated`.
    function mint(address to, uint256 amount, uint256 feeAmount, uint256 factor) external;

    /// @notice Locks `amount` {index wei} of `holder`'s free balance for a redemption request:
    ///         the tokens stay in `balanceOf(holder)` but cannot move. Only the current issuer:
    ///         a former one takes no new redemption (`IndexNotIssuer`).
    ///         Integrators: `balanceOf` = free + locked, so a "max" button, a zap or Permit2
    ///         pulling `balanceOf` from a holder with an open redemption reverts; the spendable
    ///         amount is `balanceOf(holder) - lockedOf(holder)`.
    ///         Reverts `ERC20InsufficientBalance` when the free balance is short.
    function lock(address holder, uint256 amount) external;

    /// @notice Releases a lock (a redemption cancelled, rejected, expired or reclaimed). Only the
    ///         current or a former issuer (`IndexNotIssuer`).
    function unlock(address holder, uint256 amount) external;

    /// @notice Burns `amount` {index wei} of `holder`'s locked tokens for a confirmed redemption
    ///         whose payout was stated at fee factor `factor` {RAY} for `amount - feeAmount`
    ///         tokens: backing units fall by (amount - feeAmount) × factor / RAY, rounded down,
    ///         exactly what was paid out; the fee's backing stays the fee recipient's share
    ///         (collected with `collectFees`). Only the current or a former issuer.
    /// @dev Reverts `IndexZeroInput`, `IndexFactorInvalid`, `LockedBalanceTooLow`,
    ///      `IndexNotIssuer`.
    /// @return version The basket version the redemption was paid in.
    /// @return hasLocalComponents Whether some component is an ERC-20 on this chain.
    /// @return componentCount Components in the basket.
    function burnLocked(
        address holder,
        uint256 amount,
        uint256 feeAmount,
        uint256 factor
    ) external returns (uint32 version, bool hasLocalComponents, uint256 componentCount);

    /// @notice The part of `holder`'s balance locked for pending redemptions {index wei}.
    function lockedOf(address holder) external view returns (uint256);

    /// @notice Checkpoints the fee factor. Anyone; never required by any other operation.
    /// @return factor The fee factor now {RAY}.
    function accrueFee() external returns (uint256 factor);

    /// @notice Sets the fee rate {RAY per second}; reverts `IndexFeeRateAboveMax` above the cap.
    ///         Only the admin. The fee up to now accrues at the old rate.
    function setFeeRate(uint64 rate) external;

    /// @notice Mints to `to` the index tokens that the fee recipient's share of the reserves is
    ///         worth, rounded down. Only `FEE_RECIPIENT_ROLE` of this index, and only while no
    ///         settlement is open (`RebalanceSettlementsOpen`): the locked tokens of an accepted
    ///         redemption are paid at their acceptance factor and must not be charged twice.
    /// @return amount {index wei} minted.
    function collectFees(address to) external returns (uint256 amount);

    /// @notice Version of the basket; every change increments it. 1 after creation.
    function basketVersion() external view returns (uint32);

    /// @notice Version, whether any component is an ERC-20 on this chain, the number of
    ///         components and the fee factor now {RAY}, from one storage read.
    function issuanceInfo()
        external
        view
        returns (uint32 version, bool hasLocalComponents, uint256 componentCount, uint256 factor);

    /// @notice The basket per whole token now, amounts multiplied by the fee factor, rounded down.
    function basket() external view returns (Component[] memory);

    /// @notice Everything an issuer or oracle needs in one call: stored amounts, fee factor now,
    ///         backing units and version.
    /// @return components Stored amounts {1e-18 base units per whole token, before the fee factor}
    /// @return factor The fee factor now {RAY}
    /// @return backingUnits L {index wei at stored amounts}
    /// @return version Basket version
    /// @return hasLocal Whether any component is an ERC-20 on this chain
    function basketState()
        external
        view
        returns (
            Component[] memory components,
            uint256 factor,
            uint256 backingUnits,
            uint32 version,
            bool hasLocal
        );

    /// @notice Amount of `assetId` per whole token now {1e-18 base units}, rounded down.
    function amountPerToken(bytes32 assetId) external view returns (uint256);

    /// @notice What the reserves must hold of `assetId` for holders and fee recipient together
    ///         {base units}, rounded up.
    function liability(bytes32 assetId) external view returns (uint256);

    /// @notice The fee factor now {RAY}: 1e27 × (1 − rate)^seconds since creation, piecewise.
    function feeFactor() external view returns (uint256);

    /// @notice Fee rate {RAY per second}.
    function feeRate() external view returns (uint64);

    /// @notice Cap on the fee rate, fixed at creation {RAY per second}.
    function maxFeeRate() external view returns (uint64);

    /// @notice Backing units L {index wei at stored amounts}.
    function backingUnits() external view returns (uint256);

    /// @notice The fee recipient's share of the reserves, as index tokens it could collect now
    ///         {index wei}.
    function feeShare() external view returns (uint256);

    // ---------------------------------------------------------------- rebalancing

    /// @notice Proposes the next basket (stored amounts, sorted by asset id) to take effect at
    ///         `activationTime`, at least the index's minimum delay from now. Only the index's
    ///         compiler. `prices` {USD × 1e36 per base unit} list the assets of both baskets,
    ///         each within `priceBandBps` of its registry feed (which must exist and be fresh:
    ///         the registry's `AssetPriceFeedMissing`, `AssetPriceStale`, ... otherwise). At those
    ///         prices (RebalanceMath.assess) the new basket must be worth the old one: no more
    ///         than one unit {USD × 1e18 per token} per asset above it, no more than
    ///         `valueTolerance` plus one unit per asset below it; and the index's bounds on assets
    ///         changed, turnover and each component's change must hold. `replaces` must be the
    ///         pending proposal's id when one is pending (it is then cancelled), else zero.
    /// @return id keccak256(abi.encode(this, current version, keccak256(packed components),
    ///         commitment, activationTime, proposer = msg.sender)), the packed form being
    ///         BasketCodec's.
    function proposeRebalance(
        Component[] calldata components,
        Price[] calldata prices,
        bytes32 commitment,
        uint40 activationTime,
        bytes32 replaces
    ) external returns (bytes32 id);

    /// @notice Withdraws the pending proposal. The admin or the index's compiler; anyone once it
    ///         has lapsed (now > activation time + the index's activation window).
    function cancelRebalance(bytes32 id) external;

    /// @notice Makes the pending proposal the basket: anyone, passing the proposed components,
    ///         commitment, activation time and proposer again (they are in RebalanceProposed),
    ///         from the activation time until `activationWindow` seconds after it (then
    ///         `RebalanceLapsed`), while the proposer still holds this index's compiler role
    ///         (else `AccessControlUnauthorizedAccount(proposer, role)`). The components are
    ///         checked again as at the proposal (size, order, non-zero amounts that fit the
    ///         basket's encoding), so they are exactly the proposed ones; the id binds the basket
    ///         version they replace, so the old basket and which assets are local are those
    ///         judged, and registered assets stay registered. Requires fresh reserves covering
    ///         the new basket for the current backing units (the custodians have traded and
    ///         reported). Bumps the basket version: requests made against the old version can no
    ///         longer be confirmed and anyone can expire them.
    function activateRebalance(
        Component[] calldata components,
        bytes32 commitment,
        uint40 activationTime,
        address proposer
    ) external;

    /// @notice Sets the index's rebalance bounds (see `RebalanceBounds` for units and ranges).
    ///         Only the admin. They apply to proposals made after, and the activation window
    ///         also to the pending one.
    function setRebalanceBounds(RebalanceBounds calldata bounds) external;

    /// @notice The pending proposal's id and activation time (zeros when none).
    function pendingRebalance() external view returns (bytes32 id, uint40 activationTime);

    /// @notice The index's rebalance bounds; at creation the `DEFAULT_*` constants.
    function rebalanceBounds() external view returns (RebalanceBounds memory);

    /// @notice What `proposeRebalance` would compute and check for these components and prices
    ///         (including the feed band and the value tolerance, not the bounds on changes):
    ///         the old and new values {USD × 1e18 per token}, turnover {bps}, assets changed, and
    ///         the largest component change {bps of the old value}.
    function previewRebalance(
        Component[] calldata components,
        Price[] calldata prices
    )
        external
        view
        returns (
            uint256 oldValue,
            uint256 newValue,
            uint256 turnoverBps,
            uint256 changed,
            uint256 maxChangeBps
        );

    /// @notice The factory that created this token.
    function factory() external view returns (address);

    // ---------------------------------------------------------------- lifecycle

    /// @notice A move of `kind` is already pending (to `target`): cancel it first.
    error IndexMovePending(IVersionRegistry.Kind kind, address target);
    /// @notice No move of `kind` is pending.
    error IndexNoMovePending(IVersionRegistry.Kind kind);
    /// @notice The pending move executes from `executableAt` {unix seconds}.
    error IndexMoveNotDue(uint256 executableAt, uint256 now_);
    /// @notice `target` is already this index's `kind`.
    error IndexMoveToCurrent(IVersionRegistry.Kind kind, address target);
    /// @notice The new issuer is not ready for this index: no limits set (`IIssuer.setLimits`;
    ///         moving would block redemption), or another vault than the current issuer's, or
    ///         not bound to that vault. Make it ready during the notice, then execute.
    error IndexMoveTargetNotReady(address target);
    /// @notice A former issuer's window to mint for its own requests ended at `until`.
    error IndexFormerIssuerExpired(address issuer, uint256 until);
    /// @notice The index is deprecated: no mint, no move of its issuer (`IndexDeprecated`).
    error IndexIsDeprecated();

    /// @notice Delay from a signal to its execution {seconds}: 31 days, longer than the longest
    ///         request deadline (IIssuer.MAX_REQUEST_TTL, 30 days) and the longest redeem pause
    ///         (IIssuer.MAX_REDEEM_PAUSE, 7 days), so every request a holder could have made on
    ///         the old version before the signal has reached its deadline when the move lands.
    function MOVE_DELAY() external view returns (uint40);

    /// @notice How long after it stops being current a former issuer may still mint for its
    ///         own requests {seconds} (44 days: the longest deadline plus the reclaim grace).
    ///         Unlock and burn of locked tokens stay open to it, so its redemptions can always be
    ///         confirmed, cancelled, expired or reclaimed.
    function FORMER_MINT_WINDOW() external view returns (uint256);

    /// @notice The version registry that moves are checked against.
    function VERSIONS() external view returns (IVersionRegistry);

    /// @notice Signals that this index's `kind` moves to `target` after `MOVE_DELAY`. Only the
    ///         admin (`AccessControlUnauthorizedAccount`). `target` must be usable in the version
    ///         registry (`VersionNotListed`, `VersionIsDeprecated`, `VersionCodeChanged`); reverts
    ///         `IndexMoveToCurrent`, `IndexMovePending`, and `IndexIsDeprecated` for an issuer
    ///         move of a deprecated index. Emits `MoveSignalled`.
    function signalMove(IVersionRegistry.Kind kind, address target) external;

    /// @notice Executes the pending move of `kind`. Anyone, from its `executableAt` on
    ///         (`IndexNoMovePending`, `IndexMoveNotDue`); the target is checked in the registry
    ///         again (deprecated or changed code since the signal: reverts, the admin cancels),
    ///         and a new issuer must already be configured for this index, over the current
    ///         issuer's vault and bound to it (`IndexMoveTargetNotReady`), so redemption is never
    ///         blocked by a move; an issuer move of a deprecated index reverts
    ///         `IndexIsDeprecated`.
    ///         For the issuer, the old one joins `formerIssuers` and keeps finishing its
    ///         requests. Emits `MoveExecuted`.
    function executeMove(IVersionRegistry.Kind kind) external;

    /// @notice Cancels the pending move of `kind`. Only the admin; reverts `IndexNoMovePending`.
    ///         Emits `MoveCancelled`.
    function cancelMove(IVersionRegistry.Kind kind) external;

    /// @notice Stops minting for good: `mint` reverts `IndexIsDeprecated` from now on (and the
    ///         issuer refuses mint requests); redemption, cancel, expiry, reclaim, fee
    ///         collection and rebalances stay as they were. Only the admin; reverts
    ///         `IndexIsDeprecated` when already deprecated. Emits `IndexDeprecated`.
    function deprecate() external;

    /// @notice The pending move of `kind`: its target and the time it may execute {unix
    ///         seconds} (zeros when none).
    function pendingMove(
        IVersionRegistry.Kind kind
    ) external view returns (address target, uint256 executableAt);

    /// @notice The issuer contract now: the only account that mints for new requests and locks.
    function issuer() external view returns (address);

    /// @notice The reserve oracle now: gates this index's mints (through the issuer) and its
    ///         rebalance activations.
    function oracle() external view returns (address);

    /// @notice The current issuer and whether the index is deprecated, from one storage read:
    ///         what the issuer checks before it takes a new request.
    function lifecycle() external view returns (address currentIssuer, bool isDeprecated);

    /// @notice Every issuer this index had before the current one, oldest first: each may still
    ///         mint, unlock and burn for the requests it holds.
    function formerIssuers() external view returns (address[] memory);

    /// @notice Whether `account` is the current or a former issuer.
    function isIssuer(address account) external view returns (bool);
}
