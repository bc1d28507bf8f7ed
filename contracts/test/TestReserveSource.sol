// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IReserveSource} from "../interfaces/IReserveSource.sol";

/// @notice Test only: a reserve source whose answers anyone sets, standing in for the reserve
///         oracle in the feed's tests.
contract TestReserveSource is IReserveSource {
    struct Answer {
        uint256 reserves; // {base units}
        uint256 asOf; // {unix seconds}
    }

    mapping(address index => mapping(bytes32 assetId => Answer)) private _answers;

    function set(address index, bytes32 assetId, uint256 reserves, uint256 asOf) external {
        _answers[index][assetId] = Answer(reserves, asOf);
    }

    function reservesOf(
        address index,
        bytes32 assetId
    ) external view override returns (uint256, uint256) {
        Answer memory a = _answers[index][assetId];
        return (a.reserves, a.asOf);
    }
}
