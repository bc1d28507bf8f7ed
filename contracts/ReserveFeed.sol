// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorInterface} from "./interfaces/external/AggregatorInterface.sol";
import {AggregatorV3Interface} from "./interfaces/external/AggregatorV3Interface.sol";
import {IReserveFeed} from "./interfaces/IReserveFeed.sol";
import {IReserveSource} from "./interfaces/IReserveSource.sol";

/// @title ReserveFeed
/// @notice One index's reserves of one asset as a Chainlink AggregatorV2V3Interface feed with
///         real rounds, recorded by `update()`. The semantics are specified in `IReserveFeed`.
contract ReserveFeed is IReserveFeed {
    /// @dev One round in one storage slot (Solidity packs the struct): bits 0..127 answer,
    ///      128..191 asOf, 192..255 roundId. A recorded round has roundId != 0, which is how
    ///      `getRoundData` tells it from an empty slot.
    struct Round {
        uint128 answer; // {asset base units}
        uint64 asOf; // {unix seconds} startedAt = updatedAt
        uint64 roundId; // 1, 2, ...
    }

    /// @dev 1 was the single-round feed that answered the oracle's live reserves as round 1.
    uint256 private constant VERSION = 2;

    /// @inheritdoc IReserveFeed
    IReserveSource public immutable override SOURCE;
    /// @inheritdoc IReserveFeed
    address public immutable override INDEX;
    /// @inheritdoc IReserveFeed
    bytes32 public immutable override ASSET_ID;
    uint8 private immutable DECIMALS;
    string private _description;

    /// @dev A copy of the latest round, so `update()` and the latest-round views read one slot.
    Round private _latest;
    mapping(uint256 roundId => Round) private _rounds;

    /// @param source the reserve oracle the feed reads
    /// @param index the index whose reserves it reports
    /// @param assetId the asset (registry id) whose reserves it reports
    /// @param assetDecimals the asset's decimals: answers are in its base units
    /// @param feedDescription e.g. "BTC reserves of MAG7.ssi (ssikit)"
    constructor(
        IReserveSource source,
        address index,
        bytes32 assetId,
        uint8 assetDecimals,
        string memory feedDescription
    ) {
        SOURCE = source;
        INDEX = index;
        ASSET_ID = assetId;
        DECIMALS = assetDecimals;
        _description = feedDescription;
    }

    /// @inheritdoc IReserveFeed
    function update() external override returns (bool) {
        // External call before the state change: a view call (STATICCALL) to the trusted source,
        // which therefore cannot re-enter and change anything.
        (uint256 reserves, uint256 asOf) = SOURCE.reservesOf(INDEX, ASSET_ID);
        Round memory latest = _latest;
        if (asOf == 0) {
            // Nothing counts: before the first report, no data; after it (the account's
            // custodians were removed, or a new one has not reported), a round of 0 reserves
            // at the time seen, so the feed never keeps showing reserves that stopped counting.
            if (latest.roundId == 0 || latest.answer == 0) return false;
            (reserves, asOf) = (0, block.timestamp);
        }
        if (reserves == latest.answer && asOf == latest.asOf) return false;
        if (reserves > type(uint128).max || asOf > type(uint64).max) {
            revert ReserveFeedValueOutOfRange(reserves, asOf);
        }
        // Checked: 2^64 - 1 rounds (22,000 gas each) cannot be reached.
        Round memory round = Round(uint128(reserves), uint64(asOf), latest.roundId + 1);
        _rounds[round.roundId] = round;
        _latest = round;
        emit NewRound(round.roundId, msg.sender, asOf);
        emit AnswerUpdated(int256(reserves), round.roundId, asOf);
        return true;
    }

    // ------------------------------------------------------------------ V3 views
    /// @inheritdoc AggregatorV3Interface
    function getRoundData(
        uint80 roundId
    ) external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory round = _rounds[roundId];
        if (round.roundId == 0) revert ReserveFeedNoDataPresent(roundId);
        return _answer(round);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData()
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        Round memory round = _latest;
        if (round.roundId == 0) revert ReserveFeedNoDataPresent(0);
        return _answer(round);
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external view override returns (uint8) {
        return DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view override returns (string memory) {
        return _description;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure override returns (uint256) {
        return VERSION;
    }

    // ------------------------------------------------------------------ V2 views (0 when missing)
    /// @inheritdoc AggregatorInterface
    function latestAnswer() external view override returns (int256) {
        return int256(uint256(_latest.answer));
    }

    /// @inheritdoc AggregatorInterface
    function latestTimestamp() external view override returns (uint256) {
        return _latest.asOf;
    }

    /// @inheritdoc AggregatorInterface
    function latestRound() external view override returns (uint256) {
        return _latest.roundId;
    }

    /// @inheritdoc AggregatorInterface
    function getAnswer(uint256 roundId) external view override returns (int256) {
        return int256(uint256(_rounds[roundId].answer));
    }

    /// @inheritdoc AggregatorInterface
    function getTimestamp(uint256 roundId) external view override returns (uint256) {
        return _rounds[roundId].asOf;
    }

    /// @dev (roundId, answer {base units}, startedAt = updatedAt = asOf {unix seconds},
    ///      answeredInRound = roundId).
    function _answer(
        Round memory round
    ) private pure returns (uint80, int256, uint256, uint256, uint80) {
        int256 answer = int256(uint256(round.answer)); // < 2^128: fits
        return (round.roundId, answer, round.asOf, round.asOf, round.roundId);
    }
}
