// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Component} from "../types/Component.sol";

/// @title Custodians' proof of reserves, and the coverage check every mint must pass
/// @notice Custodians report, per asset, the balance they hold for the protocol, with an as-of
///         time, a report sequence number and a reference to the off-chain attestation (a hash of
///         the wallet list and balances, or a Merkle root). Reports come from the custodian's own
///         account or as its EIP-712 signature relayed by anyone.
///
///         Reserves of an asset = the sum of the latest reports of its custodians; for an asset
///         that lives on this chain, the custody vault's token balance (always fresh). An asset's
///         reserves are fresh while the oldest of those reports is at most `maxAge` old.
///
///         Trust assumption: a custodian reports what it holds. The oracle makes every report
///         attributable (signed, sequenced, with an attestation reference) and every mint fail
///         closed on missing or stale reports; it cannot see inside a custodian's wallets.
interface IReserveOracle {
    struct AssetBalance {
        bytes32 assetId;
        uint128 balance; // {base units}
    }

    /// @notice One custodian's report for some of its assets.
    struct ReserveReport {
        address custodian;
        uint64 sequence; // strictly increasing per custodian
        uint40 asOf; // {unix seconds} time the balances were read; increasing, not in the future
        bytes32 attestation; // hash of the wallet list and balances, or a Merkle root
        AssetBalance[] balances;
    }

    /// @notice Coverage of one component of an index.
    struct ComponentCoverage {
        bytes32 assetId;
        uint256 reserves; // {base units}
        uint256 liabilities; // {base units} holders + fee recipient, rounded up
        uint256 ratio; // {WAD} reserves / liabilities (type(uint256).max when nothing is owed)
        uint256 age; // {seconds} since the oldest report counted (0 for on-chain assets)
        bool fresh;
    }

    event AssetConfigured(bytes32 indexed assetId, uint32 maxAge, address token);
    event CustodianAdded(bytes32 indexed assetId, address indexed custodian);
    /// @notice The cached coverage of `index` was recomputed (see `refreshCoverage`).
    event CoverageRefreshed(address indexed index, uint32 basketVersion, uint256 maxUnits, uint256 validUntil);
    event ReserveReported(
        address indexed custodian, uint64 indexed sequence, uint40 asOf, bytes32 attestation, AssetBalance[] balances
    );

    /// @notice The report's custodian does not hold `CUSTODIAN_ROLE` (or did not sign it).
    error OracleUnknownCustodian(address custodian);
    /// @notice The signature is not the custodian's (ECDSA for an account, ERC-1271 for a contract such as a Safe).
    error OracleInvalidSignature(address custodian);
    /// @notice Sequence not above the custodian's last one (replayed or reordered report).
    error OracleSequenceNotIncreasing(address custodian, uint64 sequence, uint64 lastSequence);
    /// @notice As-of time not after the custodian's last report.
    error OracleReportOutdated(address custodian, uint40 asOf, uint40 lastAsOf);
    /// @notice As-of time in the future.
    error OracleReportFromFuture(uint40 asOf, uint256 nowTimestamp);
    /// @notice The custodian is not a custodian of this asset (or the asset is not configured).
    error OracleUnknownAsset(address custodian, bytes32 assetId);
    /// @notice An asset is configured twice, or a custodian added twice.
    error OracleAlreadyConfigured(bytes32 assetId, address custodian);
    /// @notice Max age zero, or more custodians than `MAX_CUSTODIANS`.
    error OracleInvalidConfig(bytes32 assetId);
    /// @notice Reserves of a component are below what a mint would make it owe.
    error OracleReservesShort(bytes32 assetId, uint256 reserves, uint256 liabilities);
    /// @notice Reserves of a component are missing or older than its max age.
    error OracleReservesStale(bytes32 assetId, uint256 asOf, uint256 maxAge);
    /// @notice A report with no balances.
    error OracleEmptyReport();

    function MAX_CUSTODIANS() external view returns (uint256);

    /// @notice Sets an asset's staleness limit; for an asset on this chain, its reserves are the
    ///         vault's balance of its token. Admin only; once per asset.
    function configureAsset(bytes32 assetId, uint32 maxAge) external;

    /// @notice Makes `custodian` one of the custodians whose reports count for `assetId`. Admin only.
    function addCustodian(bytes32 assetId, address custodian) external;

    /// @notice Posts a report; the caller must be `report.custodian`.
    function report(ReserveReport calldata reserveReport) external;

    /// @notice Posts a report signed (EIP-712) by `report.custodian`; anyone may relay it.
    function reportSigned(ReserveReport calldata reserveReport, bytes calldata signature) external;

    /// @notice EIP-712 digest a custodian signs for `report`.
    function reportDigest(ReserveReport calldata reserveReport) external view returns (bytes32);

    /// @notice Reserves of an asset {base units} and the as-of time of the oldest report counted.
    function reservesOf(bytes32 assetId) external view returns (uint256 reserves, uint256 asOf);

    /// @notice The latest sequence number and as-of time of a custodian.
    function lastReport(address custodian) external view returns (uint64 sequence, uint40 asOf);

    /// @notice Reverts `OracleReservesStale` or `OracleReservesShort` unless fresh reserves of
    ///         every component cover storedAmount × backingUnits / 1e36 (rounded up).
    function requireCovered(Component[] calldata stored, uint256 backingUnits) external view;

    /// @notice The check a mint confirmation runs: like `requireCovered`, but answered from the
    ///         index's cached headroom when that cache is still valid (same basket version, no
    ///         reserves fallen since, no report expired) — one storage read instead of one per
    ///         component. On-chain components are always checked live. Any doubt falls back to
    ///         the full check, so the cache can only make a mint cheaper, never less safe.
    function checkMint(
        address index,
        Component[] calldata stored,
        uint32 basketVersion,
        uint256 backingUnits,
        bool hasLocal
    ) external view;

    /// @notice Anyone: recomputes and caches how many backing units the off-chain reserves of
    ///         `index` cover, and until when (custodians call it after reporting).
    /// @return maxUnits {index wei at stored amounts}; 0 when a component is stale
    /// @return validUntil {unix seconds}
    function refreshCoverage(address index) external returns (uint256 maxUnits, uint256 validUntil);

    /// @notice Coverage of every component of `index` now.
    function coverage(address index) external view returns (ComponentCoverage[] memory);

    /// @notice Whether every component of `index` is fresh and covered now.
    function isCovered(address index) external view returns (bool);

    /// @notice An asset's settings: staleness limit, number of custodians, whether on this chain.
    function assetConfig(bytes32 assetId)
        external
        view
        returns (bool configured, uint32 maxAge, uint8 custodianCount, bool local);

    /// @notice Whether `custodian`'s reports count for `assetId`.
    function isCustodianOf(address custodian, bytes32 assetId) external view returns (bool);

    /// @notice The vault whose balances count as on-chain reserves.
    function vault() external view returns (address);
}
