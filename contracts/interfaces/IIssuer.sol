// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Mint and redeem requests by WLPs, confirmed by custodians against proof of reserves
/// @notice Lifecycle of a request: requested -> confirmed | rejected | cancelled | expired.
///         - Mint: the WLP requests `amount` index tokens against a basket version, a deadline and
///           the highest fee it accepts. Components that are ERC-20s on this chain are pulled into
///           escrow at once (amount per token × quantity, rounded up); off-chain components are
///           delivered to the custodian's addresses. A custodian confirms (one delivery reference
///           per off-chain component) — the escrow moves to the custody vault, the reserve oracle
///           must show fresh reserves covering the new supply, and `amount - fee` tokens are
///           minted — or rejects with a reason code, refunding the escrow.
///         - Redeem: the WLP's index tokens are locked in its own balance (they cannot move, and
///           no escrow account holds them). A custodian pays the off-chain components out for
///           `amount - fee` tokens, then confirms: on-chain components leave the vault (rounded
///           down) and the `amount` locked tokens are burned; the fee's backing stays in the
///           index as the fee recipient's share (`IIndexToken.collectFees`). The oracle never
///           blocks a redemption.
///         - The requester may cancel while pending; after the deadline, or once the basket has
///           moved to another version, anyone may expire it. Both refund the escrow to the
///           requester: no path leaves a WLP's funds stuck without a way out it can trigger.
///         A request's id is the EIP-712 hash of `Request` (domain: chain id and this contract),
///         under the type name "MintRequest" or "RedeemRequest". Storage keeps one word per
///         request (188 bits of its id, its nonce, its status) in a ring of 16 per requester, so
///         a requester has at most 16 pending requests and a nonce must exceed the one whose slot
///         it reuses; for mints with on-chain components, also the escrow to return. Every detail
///         is in the events; later calls pass the request struct back and must match its id.
interface IIssuer {
    enum Status {
        None,
        MintPending,
        RedeemPending,
        Confirmed,
        Rejected,
        Cancelled,
        Expired
    }

    struct Request {
        address requester;
        address index;
        uint256 amount; // {index wei}
        uint32 basketVersion;
        uint16 maxFeeBps; // {bps} highest fee the requester accepts
        uint64 nonce; // chosen by the requester; above the last nonce that used slot nonce % 16
        uint40 deadline; // {unix seconds} last second a custodian may confirm
    }

    /// @notice Per-index settings. Amounts {index wei} (min and max: multiples of 1e12, a
    ///         millionth of a token); `window` {seconds}.
    struct Limits {
        uint128 minAmount;
        uint128 maxAmount;
        uint96 mintCapacity; // most minted over any `window` (rolling, linear refill)
        uint96 redeemCapacity; // >= mintCapacity
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

    event MintRequested(
        bytes32 indexed id,
        address indexed requester,
        address indexed index,
        uint64 nonce,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint40 deadline,
        address[] escrowTokens,
        uint256[] escrowAmounts
    );
    event RedeemRequested(
        bytes32 indexed id,
        address indexed requester,
        address indexed index,
        uint64 nonce,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint40 deadline
    );
    /// @notice `minted` = amount - fee went to the requester; `refs` one per off-chain component.
    event MintConfirmed(bytes32 indexed id, address indexed custodian, uint256 minted, uint256 fee, bytes32[] refs);
    /// @notice `burned` = amount - fee tokens were paid out and burned; the `fee` tokens stay
    ///         with the issuer for the fee recipient. `refs` one per off-chain component.
    event RedeemConfirmed(bytes32 indexed id, address indexed custodian, uint256 burned, uint256 fee, bytes32[] refs);
    /// @notice The on-chain components a redemption paid out of the vault, rounded down.
    event RedeemPaidOnChain(bytes32 indexed id, address[] tokens, uint256[] amounts);
    event RequestRejected(bytes32 indexed id, address indexed custodian, uint16 reasonCode);
    event RequestCancelled(bytes32 indexed id);
    event RequestExpired(bytes32 indexed id, address indexed by);
    event LimitsSet(address indexed index, Limits limits);
    event FeesSet(address indexed index, uint16 mintFeeBps, uint16 redeemFeeBps);
    event MintPauseSet(address indexed index, bool paused, address indexed by);
    event RedeemPauseSet(address indexed index, uint40 pausedUntil, address indexed by);
    event CircuitBreakerSet(address indexed index, bool tripped, address indexed by);

    error IssuerIndexNotConfigured(address index);
    error IssuerNotAnIndex(address index);
    error IssuerInvalidLimits();
    error IssuerFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    error IssuerAmountOutOfLimits(uint256 amount, uint256 minAmount, uint256 maxAmount);
    error IssuerCapacityExceeded(uint256 amount, uint256 available);
    error IssuerBasketVersionMismatch(uint32 requested, uint32 current);
    error IssuerDeadlinePassed(uint40 deadline, uint256 nowTimestamp);
    error IssuerFeeAboveMax(uint16 feeBps, uint16 maxFeeBps);
    error IssuerNonceUsed(address requester, uint64 nonce);
    error IssuerRequestNotPending(bytes32 id, Status status);
    error IssuerWrongKind(bytes32 id, Status status);
    error IssuerNotRequester(address caller, address requester);
    error IssuerNotExpirable(bytes32 id, uint40 deadline);
    error IssuerDeliveryRefsMismatch(uint256 given, uint256 expected);
    error IssuerTransferShortfall(address token, uint256 expected, uint256 received);
    error IssuerMintPaused(address index);
    error IssuerRedeemPaused(address index, uint40 until);
    error IssuerPauseTooLong(uint256 duration, uint256 maxDuration);
    error IssuerBreakerCondition(address index, bool covered);
    error IssuerZeroAmount();

    function MAX_FEE_BPS() external view returns (uint16);
    function MAX_REDEEM_PAUSE() external view returns (uint40);

    // ------------------------------------------------------------ WLP
    function requestMint(address index, uint256 amount, uint32 basketVersion, uint16 maxFeeBps, uint64 nonce, uint40 deadline)
        external
        returns (bytes32 id);

    function requestMintWithPermits(
        address index,
        uint256 amount,
        uint32 basketVersion,
        uint16 maxFeeBps,
        uint64 nonce,
        uint40 deadline,
        TokenPermit[] calldata permits
    ) external returns (bytes32 id);

    function requestRedeem(address index, uint256 amount, uint32 basketVersion, uint16 maxFeeBps, uint64 nonce, uint40 deadline)
        external
        returns (bytes32 id);

    /// @notice Only the requester, while pending. Refunds the escrow.
    function cancel(Request calldata request, bool isMint) external;

    /// @notice Anyone, once the deadline has passed or the basket version has changed. Refunds.
    function expire(Request calldata request, bool isMint) external;

    // ------------------------------------------------------------ custodian
    function confirmMint(Request calldata request, bytes32[] calldata deliveryRefs) external;

    function confirmRedeem(Request calldata request, bytes32[] calldata payoutRefs) external;

    /// @notice Only a custodian, while pending. Refunds the escrow.
    function reject(Request calldata request, bool isMint, uint16 reasonCode) external;

    // ------------------------------------------------------------ admin, pauser, anyone
    function setLimits(address index, Limits calldata limits) external;

    function setFees(address index, uint16 mintFeeBps, uint16 redeemFeeBps) external;

    function setMintPaused(address index, bool paused) external;

    /// @notice Pauses redemptions for at most MAX_REDEEM_PAUSE; they resume by themselves.
    function pauseRedeem(address index, uint40 duration) external;

    function unpauseRedeem(address index) external;

    /// @notice Anyone: pauses minting of an index whose reserves are short or stale.
    function tripCircuitBreaker(address index) external;

    /// @notice Anyone: clears the breaker once coverage is restored.
    function resetCircuitBreaker(address index) external;

    // ------------------------------------------------------------ views
    function requestId(Request calldata request, bool isMint) external view returns (bytes32);

    /// @notice Status of the requester's request with this nonce; None if never used or if its
    ///         slot has been reused by a later nonce (the events keep the history).
    function statusOf(address requester, uint64 nonce) external view returns (Status);

    /// @notice Status of exactly this request (None if no request with these fields exists).
    function statusOfRequest(Request calldata request, bool isMint) external view returns (Status);

    function limits(address index) external view returns (Limits memory);

    function fees(address index) external view returns (uint16 mintFeeBps, uint16 redeemFeeBps);

    /// @notice What a mint of `amount` would escrow now: ERC-20 components, amounts rounded up.
    function mintDeposit(address index, uint256 amount)
        external
        view
        returns (address[] memory tokens, uint256[] memory amounts);

    /// @notice Capacity left now {index wei}.
    function availableCapacity(address index) external view returns (uint256 mintAvailable, uint256 redeemAvailable);

    /// @notice ERC-20 components held in escrow for pending mints {base units}. (Index tokens of
    ///         pending redemptions stay in their owners' balances: `IIndexToken.lockedOf`.)
    function escrowed(address token) external view returns (uint256);

    function mintPaused(address index) external view returns (bool paused, bool breakerTripped);

    function redeemPausedUntil(address index) external view returns (uint40);
}
