// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV2V3Interface} from "./external/AggregatorV2V3Interface.sol";
import {IReserveSource} from "./IReserveSource.sol";

/// @title A Chainlink-style feed of one index's reserves of one asset, with real rounds
/// @notice Proof-of-reserve consumers read ssikit through Chainlink's interfaces, directly or
///         behind Chainlink's `EACAggregatorProxy`: both the V3 views (`latestRoundData`,
///         `getRoundData`) and the V2 views (`latestAnswer`, `latestTimestamp`, `latestRound`,
///         `getAnswer`, `getTimestamp`) answer from the same recorded rounds.
///
///         Rounds. The feed records rounds itself (reserve reports stay cheap: the oracle writes
///         nothing for the feed). `update()`, callable by anyone and called by the custodian
///         service after each report, reads `SOURCE().reservesOf(INDEX(), ASSET_ID())` and, when
///         (reserves, asOf) differs from the latest round's, records a new round. Round ids start
///         at 1 and increase by 1; a recorded round never changes, so
///         `getRoundData(latestRound())` equals `latestRoundData()` and a superseded round keeps
///         its answer and time.
///
///         What a round says:
///         - `answer` {asset base units, `decimals()` = the asset's decimals}: the reserves.
///         - `startedAt` = `updatedAt` {unix seconds}: the source's asOf, the as-of time of the
///           oldest custodian report counted (block.timestamp of the update for an on-chain
///           asset). Not the time the round was recorded (that is the block of its
///           `AnswerUpdated` log): a consumer's staleness check on `updatedAt` then measures the
///           age of the reserves themselves, the same age the oracle's freshness check uses, and
///           recording an old report late cannot make it look fresh. Successive rounds may share
///           an `updatedAt` (one custodian of several reported); detect new answers by round id.
///         - `answeredInRound` = `roundId`.
///         - When reserves stop counting (the source answers asOf 0 after a round with reserves:
///           the account's custodians were removed, or a new one has not reported yet), the next
///           `update()` records a round of 0 reserves at the block's timestamp, so the feed
///           never keeps showing reserves that no longer count.
///
///         Missing data, as Chainlink's aggregators: `latestRoundData` before the first round
///         and `getRoundData` of a round that was not recorded (0, or above `latestRound()`)
///         revert;
///         the V2 views answer 0 instead. Chainlink reverts with the string "No data present",
///         this feed with `ReserveFeedNoDataPresent(roundId)`: `try`/`catch` consumers (Liquity's
///         PriceFeed and its forks) treat both alike; only a consumer catching `Error(string)`
///         alone would not. Behind `EACAggregatorProxy`, round ids are `phaseId << 64 | roundId`
///         and the proxy forwards the revert, so unknown proxy round ids revert too.
///
///         Supported ranges: reserves 0 ..= 2^128 - 1 {base units}; asOf 1 ..= 2^64 - 1 {unix
///         seconds}; round ids 1 ..= 2^64 - 1 (the proxy keeps 64 bits of an aggregator's round
///         id). A source answer outside them makes `update()` revert, leaving the feed at its
///         last round (it then goes stale, visibly).
///
///         Trust assumption: the feed reports what its source says; the source (the reserve
///         oracle) is trusted to attribute custodians' reports to the right index and asset.
interface IReserveFeed is AggregatorV2V3Interface {
    /// @notice `latestRoundData` before the first round (`roundId` 0), or `getRoundData` of a
    ///         round that was not recorded.
    error ReserveFeedNoDataPresent(uint80 roundId);

    /// @notice The source answered reserves {base units} or an as-of time {unix seconds} outside
    ///         the supported ranges.
    error ReserveFeedValueOutOfRange(uint256 reserves, uint256 asOf);

    /// @notice Anyone: records round `latestRound() + 1` when the source's (reserves {base
    ///         units}, asOf {unix seconds}) for this feed's index and asset differs from the
    ///         latest round's; otherwise changes nothing. An answer with asOf = 0 (nothing
    ///         counts) records nothing before the first round or after a round of 0 reserves;
    ///         after a round with reserves it records (0, block.timestamp). Emits
    ///         `NewRound(roundId, msg.sender, asOf)` then `AnswerUpdated(reserves, roundId, asOf)`
    ///         for a recorded round.
    /// @dev Reverts `ReserveFeedValueOutOfRange` outside the supported ranges. External call
    ///      before the state change: `SOURCE().reservesOf`, a view (STATICCALL) of the trusted
    ///      source, which cannot re-enter.
    /// @return recorded whether a round was recorded
    function update() external returns (bool recorded);

    /// @notice The source the feed reads (the reserve oracle); fixed at deployment.
    function SOURCE() external view returns (IReserveSource);

    /// @notice The index whose reserves the feed reports; fixed at deployment.
    function INDEX() external view returns (address);

    /// @notice The asset whose reserves the feed reports (asset registry id); fixed at
    ///         deployment, as `decimals()` (the asset's).
    function ASSET_ID() external view returns (bytes32);
}
