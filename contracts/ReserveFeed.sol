// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./interfaces/external/AggregatorV3Interface.sol";
import {IReserveOracle} from "./interfaces/IReserveOracle.sol";

/// @title ReserveFeed
/// @notice One asset's reserves through Chainlink's AggregatorV3Interface, so existing
///         proof-of-reserve consumers read ssikit unchanged. `answer` is the reserves in the
///         asset's base units (`decimals()` = the asset's decimals), `updatedAt` the as-of time of
///         the oldest report counted. Only the latest round exists: `roundId` is always 1 and
///         `getRoundData` answers it alone.
contract ReserveFeed is AggregatorV3Interface {
    error FeedRoundUnavailable(uint80 roundId);

    uint80 private constant ROUND = 1;

    IReserveOracle public immutable ORACLE;
    address public immutable INDEX;
    bytes32 public immutable ASSET_ID;
    uint8 private immutable DECIMALS;
    string private _description;

    constructor(IReserveOracle oracle, address index, bytes32 assetId, uint8 assetDecimals, string memory symbol) {
        ORACLE = oracle;
        INDEX = index;
        ASSET_ID = assetId;
        DECIMALS = assetDecimals;
        _description = string.concat(symbol, " reserves (ssikit)");
    }

    function decimals() external view override returns (uint8) {
        return DECIMALS;
    }

    function description() external view override returns (string memory) {
        return _description;
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId != ROUND) revert FeedRoundUnavailable(roundId);
        return _latest();
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return _latest();
    }

    function _latest() private view returns (uint80, int256, uint256, uint256, uint80) {
        (uint256 reserves, uint256 asOf) = ORACLE.reservesOf(INDEX, ASSET_ID);
        // reserves <= 2^128 (reports are uint128, vault balances are summed into uint256 but an
        // ERC-20 balance above 2^255 does not exist in practice); the cast is checked anyway.
        if (reserves > uint256(type(int256).max)) reserves = uint256(type(int256).max);
        return (ROUND, int256(reserves), asOf, asOf, ROUND);
    }
}
