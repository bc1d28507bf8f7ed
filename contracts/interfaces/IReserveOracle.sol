// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Component} from "../types/Component.sol";

/// @title Custodians' proof of reserves per index, and the coverage check every mint must pass
/// @notice **Reserves are attributed to one index.** Each index holds every asset in a
///         segregated *reserve account* keyed (index, asset). A custodian's report lists
///         holdings, each naming the index it backs, so a unit of an asset is reported for
///         exactly one index and can never cover two: with MAG7.ssi and DEFI.ssi both holding BTC,
///         100 BTC reported for MAG7.ssi cover MAG7.ssi alone, and DEFI.ssi needs its own. Summed
///         over indices, what is reported and held is at least what every index owes whenever
///         each index is covered, so the promise "no index token exists that reserves do not
///         cover" holds for the whole system, not index by index. (The alternative, one global
///         liability per asset kept on every mint, burn and activation, costs an extra storage
///         write per component on every mint and burn; attribution costs nothing on the hot
///         paths and matches how custodians keep segregated client accounts.)
///
///         Reserves of an account = the sum of the latest reports of its custodians, or, for an
///         asset that lives on this chain, what the custody vault holds for that index
///         (`ICustodyVault.heldFor`, always fresh; tokens sent to the vault by anyone else never
///         count). An account is fresh while the oldest of its custodians' reports is at most
///         `maxAge` old; an account with no custodian, or one whose custodian has not yet
///         reported, is stale. Staleness fails closed: a mint needs every component fresh.
///
///         Custodians can be added, removed and replaced per account. A removed custodian's
///         reports stop counting at once (the account's total is recomputed without it), and a
///         custodian whose protocol role has been revoked can be pruned by anyone.
///
///         Trust assumption: a custodian reports what it holds for each index. The oracle makes
///         every report attributable (signed, sequenced, with an attestation reference) and every
///         mint fail closed on missing or stale reports; it cannot see inside a custodian's
///         wallets.
///
///         Supported ranges: balances up to 2^128 - 1 base units (assets have at most 24
///         decimals: 3.4e14 whole units of the finest asset); at most `MAX_CUSTODIANS`
///         custodians per account; maxAge from 1 second to 2^32 - 1 seconds.
interface IReserveOracle {
    /// @notice One reserve account's balance in a report.
    struct Holding {
        address index; // the index these reserves back
        bytes32 assetId;
        uint128 balance; // {base units}
    }

    /// @notice One custodian's report for some of its accounts.
    struct ReserveReport {
        address custodian;
        uint64 sequence; // strictly increasing per custodian
        uint40 asOf; // {unix seconds} time the balances were read; increasing, not in the future
        bytes32 attestation; // hash of the wallet list and balances, or a Merkle root
        Holding[] holdings;
    }

    /// @notice Coverage of one component of an index.
    struct ComponentCoverage {
        bytes32 assetId;
        uint256 reserves; // {base units} attributed to this index
        uint256 liabilities; // {base units} holders + fee recipient, rounded up
        uint256 ratio; // {WAD} reserves / liabilities (type(uint256).max when nothing is owed)
        uint256 age; // {seconds} since the oldest report counted (0 for on-chain assets;
        //               type(uint256).max when nothing was reported)
        bool fresh;
    }

    /// @notice The admin opened the reserve account (index, asset). `token` is the asset's
    ///         ERC-20 on this chain (its reserves are the vault's ledger), or address(0).
    event AccountOpened(
        address indexed index,
        bytes32 indexed assetId,
        uint32 maxAge,
        address token
    );
    /// @notice The admin changed an account's staleness limit {seconds}.
    event MaxAgeSet(address indexed index, bytes32 indexed assetId, uint32 maxAge);
    /// @notice `custodian`'s reports now count for the account.
    event CustodianAdded(address indexed index, bytes32 indexed assetId, address indexed custodian);
    /// @notice `custodian`'s reports no longer count for the account (its last balance with it).
    event CustodianRemoved(
        address indexed index,
        bytes32 indexed assetId,
        address indexed custodian,
        address by
    );
    /// @notice The cached coverage of `index` was recomputed (see `refreshCoverage`).
    event CoverageRefreshed(
        address indexed index,
        uint32 basketVersion,
        uint256 maxUnits,
        uint256 validUntil
    );
    /// @notice A report was accepted; every holding in it now counts for its account.
    event ReserveReported(
        address indexed custodian,
        uint64 indexed sequence,
        uint40 asOf,
        bytes32 attestation,
        Holding[] holdings
    );

    /// @notice The report's custodian does not hold `CUSTODIAN_ROLE`, or the caller of `report`
    ///         is not the report's custodian.
    error OracleUnknownCustodian(address custodian);
    /// @notice The signature is not the custodian's (ECDSA for an account, ERC-1271 for a
    ///         contract such as a Safe).
    error OracleInvalidSignature(address custodian);
    /// @notice Sequence not above the custodian's last one (replayed or reordered report).
    error OracleSequenceNotIncreasing(address custodian, uint64 sequence, uint64 lastSequence);
    /// @notice As-of time not after the custodian's last report.
    error OracleReportOutdated(address custodian, uint40 asOf, uint40 lastAsOf);
    /// @notice As-of time in the future.
    error OracleReportFromFuture(uint40 asOf, uint256 nowTimestamp);
    /// @notice The custodian is not a custodian of this account (or the account is not open, or
    ///         it is an on-chain asset's account, which nobody reports).
    error OracleUnknownAccount(address custodian, address index, bytes32 assetId);
    /// @notice The account is already open, or the custodian already counts for it.
    error OracleAlreadyConfigured(address index, bytes32 assetId, address custodian);
    /// @notice Max age zero; more custodians than `MAX_CUSTODIANS`; a custodian for an on-chain
    ///         asset's account; or an account that is not open.
    error OracleInvalidConfig(address index, bytes32 assetId);
    /// @notice `removeCustodian` by someone other than the admin, for a custodian that still
    ///         holds `CUSTODIAN_ROLE`.
    error OracleCustodianStillActive(address custodian);
    /// @notice The custodian does not count for the account.
    error OracleNotCustodian(address index, bytes32 assetId, address custodian);
    /// @notice Reserves of a component are below what the index would owe.
    error OracleReservesShort(bytes32 assetId, uint256 reserves, uint256 liabilities);
    /// @notice Reserves of a component are missing or older than its max age.
    error OracleReservesStale(bytes32 assetId, uint256 asOf, uint256 maxAge);
    /// @notice A report with no holdings.
    error OracleEmptyReport();

    /// @notice Most custodians per reserve account (8).
    function MAX_CUSTODIANS() external view returns (uint256);

    // ------------------------------------------------------------ admin

    /// @notice Opens the reserve account (index, asset) with a staleness limit. For an asset on
    ///         this chain the account's reserves are the vault's ledger for the index; for any
    ///         other asset, its custodians' reports. Admin only; once per account.
    /// @dev Reverts `OracleInvalidConfig` (maxAge 0), `OracleAlreadyConfigured`,
    ///      `IAssetRegistry.AssetUnknown`, `AccessControlUnauthorizedAccount`.
    function openAccount(address index, bytes32 assetId, uint32 maxAge) external;

    /// @notice Changes an open account's staleness limit {seconds}; bumps the coverage epoch so
    ///         no cached headroom outlives it. Admin only.
    /// @dev Reverts `OracleInvalidConfig` (maxAge 0 or account not open),
    ///      `AccessControlUnauthorizedAccount`.
    function setMaxAge(address index, bytes32 assetId, uint32 maxAge) external;

    /// @notice Makes `custodian` one of the custodians whose reports count for the account. Until
    ///         it reports, the account is stale (fail closed). A removed custodian may be added
    ///         again and starts from nothing. Admin only.
    /// @dev Reverts `OracleInvalidConfig` (account not open, on-chain asset, or MAX_CUSTODIANS
    ///      reached), `OracleAlreadyConfigured`, `AccessControlUnauthorizedAccount`.
    function addCustodian(address index, bytes32 assetId, address custodian) external;

    /// @notice Stops counting `custodian`'s reports for the account, at once: the account's
    ///         reserves become the sum of the remaining custodians' latest reports (stale if none
    ///         remains, until a new custodian is added and reports). The admin may remove any
    ///         custodian; anyone may remove one whose `CUSTODIAN_ROLE` has been revoked, so a
    ///         revoked custodian's last report never keeps counting.
    /// @dev Reverts `OracleNotCustodian`, `OracleCustodianStillActive`.
    function removeCustodian(address index, bytes32 assetId, address custodian) external;

    // ------------------------------------------------------------ reports

    /// @notice Posts a report; the caller must be `report.custodian`, a holder of
    ///         `CUSTODIAN_ROLE` and a custodian of every account it lists.
    /// @dev Reverts `OracleUnknownCustodian`, `OracleEmptyReport`, `OracleSequenceNotIncreasing`,
    ///      `OracleReportOutdated`, `OracleReportFromFuture`, `OracleUnknownAccount`,
    ///      `AccessControlUnauthorizedAccount`.
    function report(ReserveReport calldata reserveReport) external;

    /// @notice Posts a report signed (EIP-712, `reportDigest`) by `report.custodian`; anyone may
    ///         relay it. Same checks as `report`, plus `OracleInvalidSignature`.
    function reportSigned(ReserveReport calldata reserveReport, bytes calldata signature) external;

    /// @notice EIP-712 digest a custodian signs for `report` (domain "ssikit ReserveOracle", "1").
    function reportDigest(ReserveReport calldata reserveReport) external view returns (bytes32);

    // ------------------------------------------------------------ reads

    /// @notice Reserves {base units} attributed to `index` in `assetId`, and the as-of time of
    ///         the oldest report counted (now for an on-chain asset; 0 when nothing counts yet).
    function reservesOf(
        address index,
        bytes32 assetId
    ) external view returns (uint256 reserves, uint256 asOf);

    /// @notice The latest sequence number and as-of time of a custodian.
    function lastReport(address custodian) external view returns (uint64 sequence, uint40 asOf);

    /// @notice Reverts `OracleReservesStale` or `OracleReservesShort` unless fresh reserves of
    ///         `index` in every component cover storedAmount × backingUnits / 1e36 (rounded up).
    ///         Rebalance activations run it on the new basket.
    function requireCovered(
        address index,
        Component[] calldata stored,
        uint256 backingUnits
    ) external view;

    /// @notice The check a mint confirmation runs: like `requireCovered`, but answered from the
    ///         index's cached headroom when that cache is still valid (same basket version, no
    ///         reserves fallen and no custodian or max age changed since, no report expired) —
    ///         one storage read instead of one per component. On-chain components are always
    ///         checked live. Any doubt falls back to the full check, so the cache can only make a
    ///         mint cheaper, never less safe.
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

    /// @notice Coverage of every component of `index` now, against its own reserve accounts.
    function coverage(address index) external view returns (ComponentCoverage[] memory);

    /// @notice Whether every component of `index` is fresh and covered now.
    function isCovered(address index) external view returns (bool);

    /// @notice A reserve account's settings: open, staleness limit {seconds}, number of
    ///         custodians, whether the asset is on this chain.
    function accountConfig(
        address index,
        bytes32 assetId
    ) external view returns (bool opened, uint32 maxAge, uint8 custodianCount, bool local);

    /// @notice Whether `custodian`'s reports count for the account (index, asset).
    function isCustodianOf(
        address custodian,
        address index,
        bytes32 assetId
    ) external view returns (bool);

    /// @notice The custodians whose reports count for the account.
    function custodiansOf(address index, bytes32 assetId) external view returns (address[] memory);

    /// @notice The vault whose per-index ledger counts as on-chain reserves.
    function vault() external view returns (address);
}
