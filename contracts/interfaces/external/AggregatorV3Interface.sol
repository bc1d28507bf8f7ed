// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @notice Chainlink's AggregatorV3Interface, as published in @chainlink/contracts
///         (src/v0.8/shared/interfaces/AggregatorV3Interface.sol). Declared here because that npm
///         package depends on a GitHub tarball our machines cannot fetch; the ABI is the standard.
interface AggregatorV3Interface {
    function decimals() external view returns (uint8);

    function description() external view returns (string memory);

    function version() external view returns (uint256);

    function getRoundData(uint80 _roundId)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
