// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVersionRegistry} from "./interfaces/IVersionRegistry.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title VersionRegistry
/// @notice See IVersionRegistry. Entries are only ever added and deprecated, never removed.
contract VersionRegistry is IVersionRegistry {
    using RoleCheck for IProtocolRoles;

    IProtocolRoles public immutable ROLES;

    mapping(Kind kind => mapping(address target => Version)) private _versions;

    constructor(IProtocolRoles roles) {
        ROLES = roles;
    }

    /// @inheritdoc IVersionRegistry
    function list(Kind kind, address target, string calldata label) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (target.code.length == 0) revert VersionNoCode(target);
        Version storage v = _versions[kind][target];
        if (v.listedAt != 0) revert VersionAlreadyListed(kind, target);
        (v.codeHash, v.listedAt, v.label) = (target.codehash, uint40(block.timestamp), label);
        emit VersionListed(kind, target, v.codeHash, label);
    }

    /// @inheritdoc IVersionRegistry
    function deprecate(Kind kind, address target) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        Version storage v = _versions[kind][target];
        if (v.listedAt == 0) revert VersionNotListed(kind, target);
        if (v.deprecatedAt != 0) revert VersionIsDeprecated(kind, target, v.deprecatedAt);
        v.deprecatedAt = uint40(block.timestamp);
        emit VersionDeprecated(kind, target);
    }

    /// @inheritdoc IVersionRegistry
    function versionOf(Kind kind, address target) external view override returns (Version memory) {
        return _versions[kind][target];
    }

    /// @inheritdoc IVersionRegistry
    function requireUsable(
        Kind kind,
        address target
    ) external view override returns (bytes32 codeHash) {
        Version storage v = _versions[kind][target];
        if (v.listedAt == 0) revert VersionNotListed(kind, target);
        if (v.deprecatedAt != 0) revert VersionIsDeprecated(kind, target, v.deprecatedAt);
        codeHash = v.codeHash;
        if (target.codehash != codeHash)
            revert VersionCodeChanged(target, codeHash, target.codehash);
    }

    /// @inheritdoc IVersionRegistry
    function deprecatedAt(Kind kind, address target) external view override returns (uint256) {
        return _versions[kind][target].deprecatedAt;
    }

    /// @inheritdoc IVersionRegistry
    function wasListed(Kind kind, address target) external view override returns (bool) {
        return _versions[kind][target].listedAt != 0;
    }
}
