// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/external/AggregatorV3Interface.sol";

/// @notice Test only: a USD price feed with Chainlink's interface whose answer its deployer sets,
///         standing in for a live Chainlink aggregator (which cannot run on a local chain).
contract TestPriceFeed is AggregatorV3Interface {
    error TestPriceFeedNotOwner();
    error TestPriceFeedNoRound(uint80 roundId);

    struct Round {
        int256 answer;
        uint256 updatedAt;
    }

    address private immutable OWNER;
    uint8 public immutable override decimals;
    string public override description;
    uint80 private _latest;
    uint80 private _lag; // answeredInRound = roundId - lag (a round not answered in itself)
    mapping(uint80 roundId => Round) private _rounds;

    constructor(uint8 decimals_, string memory description_, int256 answer) {
        OWNER = msg.sender;
        decimals = decimals_;
        description = description_;
        _push(answer);
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    function setAnswer(int256 answer) external {
        if (msg.sender != OWNER) revert TestPriceFeedNotOwner();
        _push(answer);
    }

    /// @notice Makes every round report answeredInRound = roundId - `lag` (0: answered in itself).
    function setAnsweredInRoundLag(uint80 lag) external {
        if (msg.sender != OWNER) revert TestPriceFeedNotOwner();
        _lag = lag;
    }

    function getRoundData(
        uint80 roundId
    ) public view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        if (r.updatedAt == 0) revert TestPriceFeedNoRound(roundId);
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId - _lag);
    }

    function latestRoundData()
        external
        view
        override
        returns (uint80, int256, uint256, uint256, uint80)
    {
        return getRoundData(_latest);
    }

    function _push(int256 answer) private {
        _latest += 1;
        _rounds[_latest] = Round(answer, block.timestamp);
    }
}
