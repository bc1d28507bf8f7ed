// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Chainlink's AggregatorInterface (the "V2" views)
/// @notice The older read interface of Chainlink data feeds, as published in @chainlink/contracts
///         (src/v0.6/interfaces/AggregatorInterface.sol), declared here with the same ABI. Still
///         read by consumers such as Aave v3's oracle (`latestAnswer`). Unlike the V3 views, these
///         never revert for missing data: Chainlink's aggregators and `EACAggregatorProxy` answer
///         0 for a round that does not exist, and before the first round.
interface AggregatorInterface {
    /// @notice A round was started (Chainlink aggregators emit it for every new round).
    /// @param roundId the new round's id
    /// @param startedBy the account that started it
    /// @param startedAt {unix seconds} the round's start time
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);

    /// @notice A round's answer was set.
    /// @param current the answer {feed units, `decimals()`}
    /// @param roundId the round it is the answer of
    /// @param updatedAt {unix seconds} the round's update time
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice The latest round's answer {feed units}; 0 before the first round.
    function latestAnswer() external view returns (int256);

    /// @notice The latest round's update time {unix seconds}; 0 before the first round.
    function latestTimestamp() external view returns (uint256);

    /// @notice The latest round's id; 0 before the first round.
    function latestRound() external view returns (uint256);

    /// @notice The answer of round `roundId` {feed units}; 0 for a round that does not exist.
    function getAnswer(uint256 roundId) external view returns (int256);

    /// @notice The update time of round `roundId` {unix seconds}; 0 for a round that does not
    ///         exist.
    function getTimestamp(uint256 roundId) external view returns (uint256);
}
