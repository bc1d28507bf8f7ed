// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/external/AggregatorV3Interface.sol";

/// @notice Test only: the Chainlink checks of Liquity's `PriceFeed` (v1, and its forks), which read
///         the latest round and the round before it, each in `try`/`catch`, and judge both.
contract TestRoundConsumer {
    struct Response {
        bool success;
        uint80 roundId;
        int256 answer;
        uint256 timestamp; // {unix seconds} updatedAt
        uint8 decimals;
    }

    /// @return current the latest round, as Liquity's `_getCurrentChainlinkResponse` reads it
    /// @return previous the round before it, as `_getPrevChainlinkResponse` reads it
    /// @return currentBroken `_badChainlinkResponse(current)`
    /// @return previousBroken `_badChainlinkResponse(previous)`
    function check(
        AggregatorV3Interface feed
    )
        external
        view
        returns (
            Response memory current,
            Response memory previous,
            bool currentBroken,
            bool previousBroken
        )
    {
        current = _current(feed);
        previous = _previous(feed, current.roundId, current.decimals);
        currentBroken = _bad(current);
        previousBroken = _bad(previous);
    }

    function _current(AggregatorV3Interface feed) private view returns (Response memory r) {
        try feed.decimals() returns (uint8 d) {
            r.decimals = d;
        } catch {
            return r;
        }
        try feed.latestRoundData() returns (
            uint80 roundId,
            int256 answer,
            uint256,
            uint256 timestamp,
            uint80
        ) {
            (r.roundId, r.answer, r.timestamp, r.success) = (roundId, answer, timestamp, true);
        } catch {
            return r;
        }
    }

    function _previous(
        AggregatorV3Interface feed,
        uint80 currentRoundId,
        uint8 feedDecimals
    ) private view returns (Response memory r) {
        if (currentRoundId == 0) return r;
        try feed.getRoundData(currentRoundId - 1) returns (
            uint80 roundId,
            int256 answer,
            uint256,
            uint256 timestamp,
            uint80
        ) {
            (r.roundId, r.answer, r.timestamp, r.decimals, r.success) = (
                roundId,
                answer,
                timestamp,
                feedDecimals,
                true
            );
        } catch {
            return r;
        }
    }

    function _bad(Response memory r) private view returns (bool) {
        return
            !r.success ||
            r.roundId == 0 ||
            r.timestamp == 0 ||
            r.timestamp > block.timestamp ||
            r.answer <= 0;
    }
}
