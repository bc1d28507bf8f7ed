// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorInterface} from "./AggregatorInterface.sol";
import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title Chainlink's AggregatorV2V3Interface
/// @notice As published in @chainlink/contracts (src/v0.6/interfaces/AggregatorV2V3Interface.sol,
///         same ABI): both read interfaces of a Chainlink data feed, the one `EACAggregatorProxy`
///         expects of the aggregator behind it.
interface AggregatorV2V3Interface is AggregatorInterface, AggregatorV3Interface {}
