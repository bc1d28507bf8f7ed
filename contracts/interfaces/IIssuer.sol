// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {ICustodyVault} from "./ICustodyVault.sol";

/// @title Mint and redeem requests by WLPs, settled by custodians against proof of reserves
/// @notice **Mint.** requested -> (acknowledged) -> confirmed | rejected | cancelled | expired |
///         reclaimed.
///         - `requestMint`: the WLP asks for `amount` index tokens against the current basket
///           version, a deadline and the highest fee it accepts. The issuer fills in the fee
///           factor F of that moment (`Request.factor`): the WLP delivers, per component,
///           `BasketMath.depositFor(stored, F, amount)` (rounded up). Components that are
///           ERC-20s on this chain are pulled into the vault's escrow at once (the WLP
///           approves the custody vault); off-chain components are
///           delivered to the custodian's addresses.
///         - `acknowledgeMint` (custodian, once the delivery has arrived): from then on the WLP
///           cannot cancel, nobody can expire it, and no rebalance of the index activates until
///           it is settled, so the delivery settles at the basket version it was made for.
///         - `confirmMint` (custodian; from pending or acknowledged): the escrow moves to the
///           custody vault (credited to this index), fresh reserves attributed to this index
///           must cover the supply after the mint, and `amount - fee` tokens are minted. The
///           backing recorded is `amount × F` at the request's factor, exactly what was
///           delivered: the fee that accrued while the delivery waited becomes the fee
///           recipient's share instead of staying in the reserves owed to nobody.
///         - `reject` (custodian, pending or acknowledged) ends it; the requester's escrow
///           becomes claimable in the custody vault (`ICustodyVault.claim`), one token at a
/// @notice time, so a token that blocks transfers cannot freeze the others. An acknowledged
///         delivery that is rejected is returned off-chain by the custodian.
///
///         **Redeem.** requested -> accepted -> confirmed; or rejected | cancelled | expired
///         before acceptance; or reclaimed after the grace period.
///         - `requestRedeem`: the WLP's index tokens are locked in its own balance (they stay in
///           `balanceOf` but cannot move; spendable = `balanceOf - lockedOf`).
///         - `acceptRedeem` (custodian, before paying anything): fixes the fee and the fee
///           factor F_a; the event fixes, per component, what the custodian owes
///           (`BasketMath.payoutFor(stored, F_a, amount - fee)`, rounded down). From acceptance
///           on, neither cancel, nor the deadline, nor a rebalance can release the tokens.
///         - The custodian pays, then `confirmRedeem` burns the `amount` locked tokens and
///           removes the backing of `amount - fee` at F_a; on-chain components leave the vault
///           (rounded down). The fee's backing stays the fee recipient's share. Confirming an
///           accepted redemption is never blocked by pauses, the oracle or the deadline.
///         - Long stop: if a custodian never settles, the requester may `reclaimRedeem` (or
///           `reclaimMint`) once `deadline + SETTLEMENT_GRACE` has passed.
///
///         **Capacity.** Each index has rolling mint and redeem capacities consumed only by real
///         issuance (a mint's confirmation, a redemption's acceptance). Each WLP also has its own
///         capacity per index: the most it may have in open requests (requested, not yet
///         acknowledged, accepted or confirmed), taken when it requests and given back exactly
///         when the request is cancelled, rejected or expired, or a custodian takes it on. A WLP
///         looping request and cancel, or holding requests open, can only ever block itself.
///
///         **Ids.** A request's id is the EIP-712 hash of `Request` (domain "ssikit Issuer", "1",
///         chain id, this contract) under the type name "MintRequest" or "RedeemRequest". Storage
///         keeps one word per request in a ring of `RING_SIZE` per requester (see `Record`
///         layout in the implementation), so a requester has at most `RING_SIZE` open requests
///         and a nonce must exceed the one whose slot it reuses. Every detail is in the events;
///         later calls pass the request struct (and, for an accepted redemption, its
///         `Settlement`) back and must match the stored word.
interface IIssuer {
    enum Status {
        None,
        MintPending,
        RedeemPending,
        Confirmed,
        Rejected,
        Cancelled,
        Expired,
        MintAcknowledged,
        RedeemAccepted,
        Reclaimed
    }

    struct Request {
        address requester;
        address index;
        uint256 amount; // {index wei}
        uint32 basketVersion;
        uint16 maxFeeBps; // {bps} highest fee the requester accepts
        uint64 nonce; // chosen by the requester; above the last nonce that used its ring slot
        uint40 deadline; // {unix seconds} last second a custodian may acknowledge, accept or
        //                  confirm a pending request
        uint96 factor; // {RAY} the index's fee factor when requested; filled in by the issuer
    }

    /// @notice The terms an accepted redemption settles at: fixed by `acceptRedeem`, stated in
    ///         its event, passed back to `confirmRedeem` / `reclaimRedeem`.
    struct Settlement {
        uint16 feeBps; // {bps}
        uint96 factor; // {RAY} fee factor at acceptance
    }

    /// @notice Per-index settings. Amounts {index wei}; min and max are multiples of 1e12 (a
    ///         millionth of a token) and at most 2^48 - 1 of those; capacities {index wei per
    ///         window}; `window` {seconds}, 1 to 2^32 - 1.
    struct Limits {
        uint128 minAmount; // >= 1e12 (a zero amount is never accepted)
        uint128 maxAmount;
        uint96 mintCapacity; // index-wide, consumed by confirmed mints
        uint96 redeemCapacity; // index-wide, consumed by accepted redemptions; >= mintCapacity
        uint96 participantMintCapacity; // per WLP, most in its open mint requests
        uint96 participantRedeemCapacity; // per WLP, most in its open redeem requests
        uint32 window;
    }

    /// @notice Permit for one ERC-20 component of a mint deposit.
    struct TokenPermit {
        address token;
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice A mint was requested. `factor` {RAY} is the request's fee factor; the ERC-20
    ///         components escrowed are listed with their amounts {base units}.
    event MintRequested(
        bytes32 indexed id,
        address indexed requester,
        address indexed index,
        uint64 nonce,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint40 deadline,
        uint96 factor,
        address[] escrowTokens,
        uint256[] escrowAmounts
    );
    /// @notice A redemption was requested; `amount` {index wei} is locked in the requester's
    ///         balance.
    event RedeemRequested(
        bytes32 indexed id,
        address indexed requester,
        address indexed index,
        uint64 nonce,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint40 deadline,
        uint96 factor
    );
    /// @notice The custodian saw the delivery; `refs` one per off-chain component (e.g. the
    ///         delivery transactions' hashes), in basket order.
    event MintAcknowledged(bytes32 indexed id, address indexed custodian, bytes32[] refs);
    /// @notice `minted` = amount - fee tokens went to the requester; the `fee`'s backing is the
    ///         fee recipient's share. `refs` one per off-chain component (empty when the delivery
    ///         was acknowledged first: its refs are in `MintAcknowledged`).
    event MintConfirmed(
        bytes32 indexed id,
        address indexed custodian,
        uint256 minted,
        uint256 fee,
        bytes32[] refs
    );
    /// @notice The custodian accepted the redemption on these terms (`feeBps`, `factor` {RAY}:
    /// @notice the `Settlement` to pass back, flat so every log reader can filter it). It owes,
    ///         per component i of basket `basketVersion`, `BasketMath.payoutFor(stored_i, factor,
    ///         paidFor)` base units (rounded down; `ssikit.math.basket.payout_for`), on-chain
    ///         components included (the issuer pays those from the vault at confirmation). `fee`
    ///         {index wei} of the locked amount is the redeem fee; `paidFor` = amount - fee. (The
    ///         per-component amounts are not logged: that keeps acceptance, which every redemption
    ///         pays for, near its gas budget; they follow from these values alone.)
    event RedeemAccepted(
        bytes32 indexed id,
        address indexed custodian,
        uint32 basketVersion,
        uint16 feeBps,
        uint96 factor,
        uint256 fee,
        uint256 paidFor
    );
    /// @notice `burned` = the whole locked amount was burned; `paidFor` = burned - fee tokens'
    ///         worth was paid out in assets; the `fee`'s backing stays the fee recipient's share.
    ///         `refs` one per off-chain component.
    event RedeemConfirmed(
        bytes32 indexed id,
        address indexed custodian,
        uint256 burned,
        uint256 paidFor,
        uint256 fee,
        bytes32[] refs
    );
    /// @notice The on-chain components a redemption paid out of the vault, rounded down.
    event RedeemPaidOnChain(bytes32 indexed id, address[] tokens, uint256[] amounts);
    /// @notice The index's custodian refused request `id` (`reasonCode` is the custodian's own
    ///         code, 1..9 in the SDK); escrow became claimable, locked tokens were unlocked.
    event RequestRejected(bytes32 indexed id, address indexed custodian, uint16 reasonCode);
    /// @notice The requester withdrew pending request `id`.
    event RequestCancelled(bytes32 indexed id);
    /// @notice `by` ended pending request `id` past its deadline or basket version.
    event RequestExpired(bytes32 indexed id, address indexed by);
    /// @notice The requester took back an acknowledged or accepted request nobody settled.
    event RequestReclaimed(bytes32 indexed id);
    /// @notice The admin set `index`'s limits and capacities.
    event LimitsSet(address indexed index, Limits limits);
    /// @notice The admin set `index`'s mint and redeem fees {bps}.
    event FeesSet(address indexed index, uint16 mintFeeBps, uint16 redeemFeeBps);
    /// @notice The pauser (or the admin) paused or resumed `index`'s mints on this issuer.
    event MintPauseSet(address indexed index, bool paused, address indexed by);
    /// @notice New redeem requests and acceptances are paused until `pausedUntil`; the next pause
    ///         can start at `nextPauseAt` at the earliest.
    event RedeemPauseSet(
        address indexed index,
        uint40 pausedUntil,
        uint40 nextPauseAt,
        address indexed by
    );
    /// @notice Anyone tripped `index`'s breaker on a shortfall, or reset it once covered.
    event CircuitBreakerSet(address indexed index, bool tripped, address indexed by);

    /// @notice The index has no limits set (`setLimits`).
    error IssuerIndexNotConfigured(address index);
    /// @notice Not an index of a protocol factory whose issuer is, was, or is about to be (by a
    ///         signalled move) this contract: a new issuer version can be configured for an
    ///         index during the move's notice, so it takes requests from the moment it lands.
    error IssuerNotAnIndex(address index);
    /// @notice Limits out of range (see `Limits`).
    error IssuerInvalidLimits();
    /// @notice A fee above `MAX_FEE_BPS`.
    error IssuerFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice The amount is outside the index's [minAmount, maxAmount].
    error IssuerAmountOutOfLimits(uint256 amount, uint256 minAmount, uint256 maxAmount);
    /// @notice More than the index's (or the WLP's) rolling capacity has left.
    error IssuerCapacityExceeded(uint256 amount, uint256 available);
    /// @notice The request names another basket version than the index's current one.
    error IssuerBasketVersionMismatch(uint32 requested, uint32 current);
    /// @notice The deadline has passed for a step that needs it ahead.
    error IssuerDeadlinePassed(uint40 deadline, uint256 nowTimestamp);
    /// @notice A deadline further than `MAX_REQUEST_TTL` from now.
    error IssuerDeadlineTooFar(uint40 deadline, uint256 latest);
    /// @notice The index's fee is above what the requester accepts.
    error IssuerFeeAboveMax(uint16 feeBps, uint16 maxFeeBps);
    /// @notice The nonce's ring slot holds an open request, or a nonce not above the slot's last.
    error IssuerNonceUsed(address requester, uint64 nonce);
    /// @notice The request is not in a status this call accepts (`status` is where it is; None
    ///         if these fields, or this settlement, match no stored request).
    error IssuerRequestNotPending(bytes32 id, Status status);
    /// @notice Only the requester may do this.
    error IssuerNotRequester(address caller, address requester);
    /// @notice Neither the deadline has passed nor the basket version moved.
    error IssuerNotExpirable(bytes32 id, uint40 deadline);
    /// @notice The grace period after the deadline has not passed; reclaim from `reclaimableAt`.
    error IssuerNotReclaimable(bytes32 id, uint256 reclaimableAt);
    /// @notice One reference per off-chain component is needed.
    error IssuerDeliveryRefsMismatch(uint256 given, uint256 expected);
    /// @notice Minting is paused by a pauser, or the circuit breaker is tripped.
    error IssuerMintPaused(address index);
    /// @notice New redemptions and acceptances are paused until `until`.
    error IssuerRedeemPaused(address index, uint40 until);
    /// @notice A redeem pause longer than `MAX_REDEEM_PAUSE`, or one started before `nextPauseAt`.
    error IssuerPauseTooLong(uint256 duration, uint256 maxDuration, uint256 nextPauseAt);
    /// @notice The breaker cannot be tripped while covered, nor reset while uncovered or untripped.
    error IssuerBreakerCondition(address index, bool covered);
    /// @notice A zero amount, or zero address where one is needed.
    error IssuerZeroAmount();
    /// @notice This issuer is no longer `index`'s issuer (`current` is): it only finishes the
    ///         requests it holds. Send new requests to `current`.
    error IssuerRetired(address index, address current);
    /// @notice `index` is deprecated: it takes no new mint (redemption stays open).
    error IssuerIndexDeprecated(address index);

    /// @notice The custody vault this issuer escrows in and pays on-chain components from.
    function VAULT() external view returns (ICustodyVault);

    /// @notice Highest mint or redeem fee {bps} (500 = 5%).
    function MAX_FEE_BPS() external view returns (uint16);
    /// @notice Longest redeem pause {seconds} (7 days); a new pause can start only once as long
    ///         again has passed since the last one ended, so redemptions are never paused more
    ///         than half the time.
    function MAX_REDEEM_PAUSE() external view returns (uint40);
    /// @notice After `deadline + SETTLEMENT_GRACE` {seconds} (14 days) the requester may reclaim
    ///         an acknowledged mint or an accepted redemption nobody settled.
    function SETTLEMENT_GRACE() external view returns (uint40);
    /// @notice Latest deadline a request may have {seconds from now} (30 days), so an
    ///         acknowledged or accepted request nobody can settle is reclaimable in bounded time.
    function MAX_REQUEST_TTL() external view returns (uint40);
    /// @notice Open requests per requester (16): the size of its ring of request slots.
    function RING_SIZE() external view returns (uint256);

    // ------------------------------------------------------------ WLP

    /// @notice WLP of `index` only. Fills in the fee factor, takes the WLP's own capacity,
    ///         pulls the ERC-20 components into escrow (refusing short deliveries).
    /// @dev Reverts `IssuerIndexNotConfigured`, `IssuerMintPaused`, `IssuerRetired` (this is no
    ///      longer the index's issuer), `IssuerIndexDeprecated`,
    ///      `AccessControlUnauthorizedAccount`, `IssuerZeroAmount`, `IssuerAmountOutOfLimits`,
    ///      `IssuerFeeAboveMax`, `IssuerDeadlinePassed`, `IssuerDeadlineTooFar`,
    /// @notice `IssuerBasketVersionMismatch`, `IssuerCapacityExceeded`, `IssuerNonceUsed`,
    ///         `ICustodyVault.VaultTransferShortfall`.
    function requestMint(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline
    ) external returns (bytes32 id);

    /// @notice `requestMint` after ERC-2612 permits (spender: the custody vault) for the ERC-20
    ///         components (a permit that
    ///         fails, e.g. front-run, is ignored: the transfer is what must succeed).
    function requestMintWithPermits(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline,
        TokenPermit[] calldata permits
    ) external returns (bytes32 id);

    /// @notice WLP of `index` only. Locks `amount` of the caller's free balance.
    /// @dev Reverts as `requestMint` (but `IssuerRedeemPaused` instead of `IssuerMintPaused`, and
    ///      never `IssuerIndexDeprecated`: a deprecated index keeps redemption open),
    ///      `ERC20InsufficientBalance` when the free balance is short, and the token's
    ///      `IndexNotIssuer` when this issuer has been moved away from (only the current issuer
    ///      may lock).
    function requestRedeem(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline
    ) external returns (bytes32 id);

    /// @notice Only the requester, while pending (not once acknowledged or accepted). Gives the
    ///         WLP's capacity back; unlocks redeemed tokens; makes mint escrow claimable.
    /// @dev Reverts `IssuerNotRequester`, `IssuerRequestNotPending`.
    function cancel(Request calldata request, bool isMint) external;

    /// @notice Anyone, once a pending request's deadline has passed or the basket version has
    ///         moved (never once acknowledged or accepted). Same effects as `cancel`.
    /// @dev Reverts `IssuerNotExpirable`, `IssuerRequestNotPending`.
    function expire(Request calldata request, bool isMint) external;

    /// @notice Only the requester, for an acknowledged mint nobody settled, once
    ///         `deadline + SETTLEMENT_GRACE` has passed. Makes the escrow claimable.
    /// @dev Reverts `IssuerNotRequester`, `IssuerNotReclaimable`, `IssuerRequestNotPending`.
    function reclaimMint(Request calldata request) external;

    /// @notice Only the requester, for an accepted redemption nobody confirmed, once
    ///         `deadline + SETTLEMENT_GRACE` has passed. Unlocks the tokens.
    /// @dev Reverts `IssuerNotRequester`, `IssuerNotReclaimable`, `IssuerRequestNotPending`.
    function reclaimRedeem(Request calldata request, Settlement calldata settlement) external;

    // ------------------------------------------------------------ custodian

    /// @notice The index's custodian role (`indexRole(CUSTODIAN_ROLE, index)`) only, for a pending
    ///         mint before its deadline at the current basket version: the delivery has arrived
    ///         (`refs`, one per off-chain component).
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `IssuerDeadlinePassed`,
    ///      `IssuerBasketVersionMismatch`, `IssuerDeliveryRefsMismatch`, `IssuerRequestNotPending`.
    function acknowledgeMint(Request calldata request, bytes32[] calldata deliveryRefs) external;

    /// @notice The index's custodian role (`indexRole(CUSTODIAN_ROLE, index)`) only. From pending
    ///         (before the deadline, with `refs`, one per off-chain component) or from
    ///         acknowledged (`refs` empty; no deadline). Consumes the index's mint capacity, moves
    ///         the escrow to the vault, checks coverage after the mint (fail closed), mints
    ///         `amount - fee`.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `IssuerMintPaused`, `IssuerFeeAboveMax`,
    ///      `IssuerDeadlinePassed`, `IssuerBasketVersionMismatch`, `IssuerDeliveryRefsMismatch`,
    ///      `IssuerCapacityExceeded`, `IssuerRequestNotPending`, the oracle's
    ///      `OracleReservesStale` / `OracleReservesShort` (the index's oracle now,
    ///      `IIndexToken.oracle`), and the token's `IndexIsDeprecated`. A retired issuer still
    ///      confirms the requests it holds.
    function confirmMint(Request calldata request, bytes32[] calldata deliveryRefs) external;

    /// @notice The index's custodian role (`indexRole(CUSTODIAN_ROLE, index)`) only, for a pending
    ///         redemption before its deadline at the current basket version, while redemptions are
    ///         not paused: fixes the settlement (current fee and fee factor), consumes the index's
    ///         redeem capacity, and states the payouts owed in `RedeemAccepted`. Pay only after
    ///         this.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `IssuerRedeemPaused`, `IssuerFeeAboveMax`,
    ///      `IssuerDeadlinePassed`, `IssuerBasketVersionMismatch`, `IssuerCapacityExceeded`,
    ///      `IssuerRequestNotPending`.
    function acceptRedeem(Request calldata request) external returns (Settlement memory settlement);

    /// @notice The index's custodian role (`indexRole(CUSTODIAN_ROLE, index)`) only, for an
    ///         accepted redemption (with the settlement its `RedeemAccepted` stated): burns the
    ///         locked tokens and pays the on-chain components from the vault (credited to the
    ///         requester's claimable balance in the vault, never pushed). Never blocked by pauses,
    ///         the oracle or the deadline.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `IssuerDeliveryRefsMismatch`,
    ///      `IssuerRequestNotPending` (not accepted, or another settlement).
    function confirmRedeem(
        Request calldata request,
        Settlement calldata settlement,
        bytes32[] calldata payoutRefs
    ) external;

    /// @notice The index's custodian role (`indexRole(CUSTODIAN_ROLE, index)`) only, for a pending
    ///         request or an acknowledged mint (whose delivery the custodian returns off-chain).
    ///         Same effects as `cancel`.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `IssuerRequestNotPending`.
    function reject(Request calldata request, bool isMint, uint16 reasonCode) external;

    // ------------------------------------------------------------ admin, pauser, anyone

    /// @notice Admin only. Sets an index's limits (see `Limits` for the ranges).
    /// @dev Reverts `IssuerNotAnIndex`, `IssuerInvalidLimits`, `AccessControlUnauthorizedAccount`.
    function setLimits(address index, Limits calldata limits) external;

    /// @notice Admin only; each fee at most `MAX_FEE_BPS`.
    /// @notice @dev Reverts `IssuerFeeTooHigh`, `IssuerIndexNotConfigured`,
    ///         `AccessControlUnauthorizedAccount`.
    function setFees(address index, uint16 mintFeeBps, uint16 redeemFeeBps) external;

    /// @notice `PAUSER_ROLE` only: stops (or resumes) new mint requests and mint confirmations.
    function setMintPaused(address index, bool paused) external;

    /// @notice `PAUSER_ROLE` only: stops new redeem requests and acceptances for at most
    ///         `MAX_REDEEM_PAUSE`; they resume by themselves. Confirming an accepted redemption,
    ///         cancel, expiry and reclaim are never paused. The next pause may start only once
    ///         `MAX_REDEEM_PAUSE` has passed since this one ends (or ended early).
    /// @notice @dev Reverts `IssuerPauseTooLong`, `IssuerIndexNotConfigured`,
    ///         `AccessControlUnauthorizedAccount`.
    function pauseRedeem(address index, uint40 duration) external;

    /// @notice `PAUSER_ROLE` only: ends a redeem pause early.
    function unpauseRedeem(address index) external;

    /// @notice Anyone: pauses minting of an index whose reserves are short or stale.
    /// @dev Reverts `IssuerBreakerCondition` when covered.
    function tripCircuitBreaker(address index) external;

    /// @notice Anyone: clears the breaker once coverage is restored.
    /// @dev Reverts `IssuerBreakerCondition` when uncovered or not tripped.
    function resetCircuitBreaker(address index) external;

    // ------------------------------------------------------------ views

    /// @notice Status of the requester's request with this nonce; None if never used or if its
    ///         slot has been reused by a later nonce (the events keep the history). Request ids,
    ///         deposits and payouts are computed off chain from the same definitions (the SDK's
    ///         `builders.requests` and `math.basket`, tested against this contract); the
    ///         contract keeps only what it must to stay under the 24 KiB code limit.
    function statusOf(address requester, uint64 nonce) external view returns (Status);

    /// @notice Acknowledged mints and accepted redemptions of `index` not yet settled. A
    ///         rebalance of the index activates only when this is 0.
    function openSettlements(address index) external view returns (uint256);

    /// @notice `index`'s limits on this issuer (window 0: not configured here).
    function limits(address index) external view returns (Limits memory);

    /// @notice `index`'s mint and redeem fees on this issuer {bps}.
    function fees(address index) external view returns (uint16 mintFeeBps, uint16 redeemFeeBps);

    /// @notice Index-wide capacity left now {index wei}.
    function availableCapacity(
        address index
    ) external view returns (uint256 mintAvailable, uint256 redeemAvailable);

    /// @notice What a WLP may still request {index wei}: its own capacity less its open requests.
    function participantCapacity(
        address index,
        address wlp
    ) external view returns (uint256 mintAvailable, uint256 redeemAvailable);

    /// @notice Whether `index`'s mints are paused on this issuer, and whether its breaker is
    ///         tripped (either stops new mint requests and confirmations here).
    function mintPaused(address index) external view returns (bool paused, bool breakerTripped);

    /// @notice Until when redemptions are paused, and when the next pause may start {unix seconds}.
    function redeemPause(
        address index
    ) external view returns (uint40 pausedUntil, uint40 nextPauseAt);
}
