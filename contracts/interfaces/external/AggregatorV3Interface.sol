// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @notice Chainlink's AggregatorV3Interface, as published in @chainlink/contracts
///         (src/v0.8/shared/interfaces/AggregatorV3Interface.sol). Declared here because that npm
///         package depends on a GitHub tarball our machines cannot fetch; the ABI is the standard.
///         Chainlink's aggregators revert (`"No data present"`) for a round that does not exist
///         and, in `latestRoundData`, before the first round; `EACAggregatorProxy` forwards the
///         revert. Behind a proxy, round ids are `phaseId << 64 | aggregatorRoundId`.
interface AggregatorV3Interface {
    /// @notice How many decimals an answer has.
    function decimals() external view returns (uint8);

    /// @notice What the feed measures, for people.
    function description() external view returns (string memory);

    /// @notice The version of the aggregator's type.
    function version() external view returns (uint256);

    /// @notice One round: its id, answer {feed units}, start and update times {unix seconds}, and
    ///         the round its answer was computed in.
    function getRoundData(
        uint80 _roundId
    )
        external
        view
        returns (
            uint80 roundId,
            int256 answer,
            uint256 startedAt,
            uint256 updatedAt,
            uint80 answeredInRound
        );

    /// @notice The latest round, as `getRoundData` answers it.
    function latestRoundData()
        external
        view
        returns (
            uint80 roundId,
            int256 answer,
            uint256 startedAt,
            uint256 updatedAt,
            uint80 answeredInRound
        );
}
