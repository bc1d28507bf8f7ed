// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title The versions of the protocol's periphery an index may move to
/// @notice Index tokens never change code. What can change, per index and by the index's own
///         two-step move (`IIndexToken.signalMove` / `executeMove`), is which issuer mints and
///         burns it and which reserve oracle gates its mints and rebalances. This registry lists
///         the contracts such a move may target, each with the code hash it had when listed, so a
///         holder watching a signal can check exactly what code the index is about to trust.
///
///         The admin (`IProtocolRoles` ADMIN; a timelock in production) lists and deprecates. A
///         deprecated version can no longer be moved to, but an index already on it keeps
///         working, and a former version always keeps what it needs to finish its pending
///         requests: listing is never undone.
///
///         Integrators: the custody vault is not a movable kind. It holds the on-chain reserves
///         and claimable refunds of every index and has no logic worth replacing (a ledger); it
///         trusts exactly the issuer versions the admin bound to it after they were listed here.
interface IVersionRegistry {
    /// @notice The kinds of contract an index points at and may move.
    enum Kind {
        Issuer,
        Oracle
    }

    /// @notice What the registry knows of one contract.
    struct Version {
        bytes32 codeHash; // extcodehash when listed
        uint40 listedAt; // {unix seconds}; 0 = never listed
        uint40 deprecatedAt; // {unix seconds}; 0 = not deprecated
        string label; // e.g. "issuer v2 (cash desk)"
    }

    /// @notice `target` may now be moved to as a `kind`; `codeHash` is its code's hash.
    event VersionListed(Kind indexed kind, address indexed target, bytes32 codeHash, string label);
    /// @notice `target` may no longer be moved to; indices already on it are unaffected.
    event VersionDeprecated(Kind indexed kind, address indexed target);

    /// @notice `target` has no code.
    error VersionNoCode(address target);
    /// @notice `target` is already listed as `kind`.
    error VersionAlreadyListed(Kind kind, address target);
    /// @notice `target` is not listed as `kind`.
    error VersionNotListed(Kind kind, address target);
    /// @notice `target` is listed as `kind` but deprecated since `at` {unix seconds}.
    error VersionIsDeprecated(Kind kind, address target, uint256 at);
    /// @notice `target`'s code is no longer the code listed (`listed`), e.g. redeployed at the
    ///         same address.
    error VersionCodeChanged(address target, bytes32 listed, bytes32 current);

    /// @notice Lists `target` as a `kind` with its current code hash. Only the admin
    ///         (`AccessControlUnauthorizedAccount`). Reverts `VersionNoCode`,
    ///         `VersionAlreadyListed`. Emits `VersionListed`.
    function list(Kind kind, address target, string calldata label) external;

    /// @notice Marks a listed version deprecated, for good. Only the admin. Reverts
    ///         `VersionNotListed`, `VersionIsDeprecated` (already). Emits `VersionDeprecated`.
    function deprecate(Kind kind, address target) external;

    /// @notice What is recorded for `target` as `kind` (all zero when never listed).
    function versionOf(Kind kind, address target) external view returns (Version memory);

    /// @notice Reverts unless `target` is listed as `kind`, not deprecated, and still has the
    ///         code it was listed with (`VersionNotListed`, `VersionIsDeprecated`,
    ///         `VersionCodeChanged`); returns that code hash. What a move checks at signal and
    ///         again at execution.
    function requireUsable(Kind kind, address target) external view returns (bytes32 codeHash);

    /// @notice When `target` was deprecated as `kind` {unix seconds}; 0 when it is not (or was
    ///         never listed). One storage read: what the factory checks on every creation.
    function deprecatedAt(Kind kind, address target) external view returns (uint256);

    /// @notice Whether `target` was ever listed as `kind` (deprecated or not).
    function wasListed(Kind kind, address target) external view returns (bool);
}
