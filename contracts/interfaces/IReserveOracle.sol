// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Component} from "../types/Component.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";
import {IProtocolRoles} from "./IProtocolRoles.sol";

/// @title Custodians' proof of reserves per index, and the coverage check every mint must pass
/// @notice **Reserves are attributed to one index.** Each index holds every asset in a
///         segregated *reserve account* keyed (index, asset). A custodian's report lists
///         holdings, each naming the index it backs, so a unit of an asset is reported for
///         exactly one index and can never cover two: with MAG7.ssi and DEFI.ssi both holding
///         BTC, 100 BTC reported for MAG7.ssi cover MAG7.ssi alone, and DEFI.ssi needs its
///         own. Summed over indices, what is reported and held is at least what every index
///         owes whenever each index is covered, so the promise "no index token exists that
///         reserves do not cover" holds for the whole system, not index by index. (The
///         alternative, one global liability per asset kept on every mint, burn and
///         activation, costs an extra storage write per component on every mint and burn;
///         attribution costs nothing on the hot paths and matches how custodians keep
///         segregated client accounts.)
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
///         Roles. The admin (`DEFAULT_ADMIN_ROLE` of `IProtocolRoles`) opens accounts, sets their
///         staleness limits and chooses their custodians; a custodian must hold `CUSTODIAN_ROLE`
///         and be a custodian of every account it reports; reads, `refreshCoverage` and pruning a
///         revoked custodian are open to anyone.
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
        bytes32 assetId; // asset registry id
        uint128 balance; // {base units} replaces the custodian's last balance for the account
    }

    /// @notice One custodian's report for some of its accounts.
    struct ReserveReport {
        address custodian;
        uint64 sequence; // strictly increasing per custodian
        uint40 asOf; // {unix seconds} time the balances were read; increasing, not in the future
        bytes32 attestation; // hash of the wallet list and balances, or a Merkle root (logged)
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

    /// @notice The admin opened the reserve account (index, asset) with staleness limit
    ///         `maxAge` {seconds}. `token` is the asset's ERC-20 on this chain (its reserves are
    ///         the vault's ledger), or address(0).
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
    /// @notice `custodian`'s reports no longer count for the account (its last balance with
    ///         it); `by` is the admin, or anyone pruning a custodian whose `CUSTODIAN_ROLE` was
    ///         revoked.
    event CustodianRemoved(
        address indexed index,
        bytes32 indexed assetId,
        address indexed custodian,
        address by
    );
    /// @notice The cached coverage of `index` was recomputed (see `refreshCoverage`):
    ///         `maxUnits` {index wei at stored amounts, rounded down} of basket `basketVersion`
    ///         are covered until `validUntil` {unix seconds}.
    event CoverageRefreshed(
        address indexed index,
        uint32 basketVersion,
        uint256 maxUnits,
        uint256 validUntil
    );
    /// @notice A report was accepted; every holding in it now counts for its account (`asOf`
    ///         {unix seconds}, balances {base units}).
    event ReserveReported(
        address indexed custodian,
        uint64 indexed sequence,
        uint40 asOf,
        bytes32 attestation,
        Holding[] holdings
    );

    /// @notice The caller of `report` is not the report's custodian. (A custodian without
    ///         `CUSTODIAN_ROLE` is refused with `AccessControlUnauthorizedAccount`.)
    error OracleUnknownCustodian(address custodian);
    /// @notice The signature is not the custodian's (ECDSA for an account, ERC-1271 for a
    ///         contract such as a Safe).
    error OracleInvalidSignature(address custodian);
    /// @notice Sequence not above the custodian's last one (replayed or reordered report).
    error OracleSequenceNotIncreasing(address custodian, uint64 sequence, uint64 lastSequence);
    /// @notice As-of time {unix seconds} not after the custodian's last report (for any account).
    error OracleReportOutdated(address custodian, uint40 asOf, uint40 lastAsOf);
    /// @notice As-of time {unix seconds} after the block's timestamp.
    error OracleReportFromFuture(uint40 asOf, uint256 nowTimestamp);
    /// @notice The custodian is not a custodian of this account (or the account is not open, or
    ///         it is an on-chain asset's account, which nobody reports).
    error OracleUnknownAccount(address custodian, address index, bytes32 assetId);
    /// @notice The account is already open (`custodian` = address(0)), or the custodian
    ///         already counts for it.
    error OracleAlreadyConfigured(address index, bytes32 assetId, address custodian);
    /// @notice Max age zero; more custodians than `MAX_CUSTODIANS`; a custodian for an on-chain
    ///         asset's account; or an account that is not open.
    error OracleInvalidConfig(address index, bytes32 assetId);
    /// @notice `removeCustodian` by someone other than the admin, for a custodian that still
    ///         holds `CUSTODIAN_ROLE`.
    error OracleCustodianStillActive(address custodian);
    /// @notice The custodian does not count for the account.
    error OracleNotCustodian(address index, bytes32 assetId, address custodian);
    /// @notice Reserves {base units} of a component are below what the index would owe
    ///         (`liabilities` {base units}, rounded up).
    error OracleReservesShort(bytes32 assetId, uint256 reserves, uint256 liabilities);
    /// @notice Reserves of a component are missing (account not open, no custodian, or one not
    ///         yet reported: `asOf` 0) or older than its max age (`asOf` {unix seconds}, `maxAge`
    ///         {seconds}).
    error OracleReservesStale(bytes32 assetId, uint256 asOf, uint256 maxAge);
    /// @notice A report with no holdings.
    error OracleEmptyReport();

    /// @notice Most custodians per reserve account (8).
    function MAX_CUSTODIANS() external view returns (uint256);

    /// @notice The deployment's roles (admin, `CUSTODIAN_ROLE`); fixed at deployment.
    function ROLES() external view returns (IProtocolRoles);

    /// @notice The asset registry `openAccount` checks assets against (and learns from whether
    ///         an asset is an ERC-20 on this chain); fixed at deployment.
    function REGISTRY() external view returns (IAssetRegistry);

    // ------------------------------------------------------------ admin

    /// @notice Admin only; once per account. Opens the reserve account (index, asset) with a
    ///         staleness limit `maxAge` {seconds}. For an asset on this chain the account's
    ///         reserves are the vault's ledger for the index (always fresh, no custodians); for
    ///         any other asset, its custodians' reports (stale until a custodian is added and
    ///         reports). Emits `AccountOpened`. The index is not checked: an account for an
    ///         address that is no index is never read.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `OracleInvalidConfig` (maxAge 0),
    ///      `OracleAlreadyConfigured`, `IAssetRegistry.AssetUnknown`.
    function openAccount(address index, bytes32 assetId, uint32 maxAge) external;

    /// @notice Admin only. Changes an open account's staleness limit `maxAge` {seconds}; bumps
    ///         the coverage epoch so no cached headroom (of any index) outlives it. Emits
    ///         `MaxAgeSet`.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `OracleInvalidConfig` (maxAge 0 or
    ///      account not open).
    function setMaxAge(address index, bytes32 assetId, uint32 maxAge) external;

    /// @notice Admin only. Makes `custodian` one of the custodians whose reports count for the
    ///         account. Until it reports, the account is stale (fail closed). A removed
    ///         custodian may be added again and starts from nothing. Does not grant
    ///         `CUSTODIAN_ROLE` (the custodian needs it to report). Bumps the coverage epoch;
    ///         emits `CustodianAdded`.
    /// @dev Reverts `AccessControlUnauthorizedAccount`, `OracleInvalidConfig` (account not open,
    ///      on-chain asset, or `MAX_CUSTODIANS` reached), `OracleAlreadyConfigured`.
    function addCustodian(address index, bytes32 assetId, address custodian) external;

    /// @notice The admin, for any custodian; anyone, for one whose `CUSTODIAN_ROLE` has been
    ///         revoked (so a revoked custodian's last report never keeps counting). Stops
    ///         counting `custodian`'s reports for the account, at once: the account's reserves
    ///         become the sum of the remaining custodians' latest reports and its as-of the
    ///         oldest of theirs (stale if none remains, until a new custodian is added and
    ///         reports). Bumps the coverage epoch; emits `CustodianRemoved`.
    /// @dev Reverts `OracleCustodianStillActive` (not the admin, custodian still holds the
    ///      role), `OracleNotCustodian`.
    function removeCustodian(address index, bytes32 assetId, address custodian) external;

    // ------------------------------------------------------------ reports

    /// @notice `CUSTODIAN_ROLE` only: the caller must be `report.custodian` and a custodian of
    ///         every account it lists. Records the report's sequence and as-of time as the
    ///         custodian's last; each holding's balance {base units} replaces the custodian's
    ///         last for its account (a holding listed twice: the last one counts), whose
    ///         reserves become the sum of its custodians' latest balances and whose as-of the
    ///         oldest of their reports. Bumps the coverage epoch if any account's reserves fell
    ///         (reports that keep or raise reserves leave cached headroom valid). Emits
    ///         `ReserveReported`.
    /// @dev Reverts `OracleUnknownCustodian` (caller is not `report.custodian`),
    ///      `AccessControlUnauthorizedAccount`, `OracleEmptyReport`,
    ///      `OracleSequenceNotIncreasing`, `OracleReportOutdated`, `OracleReportFromFuture`,
    ///      `OracleUnknownAccount`.
    function report(ReserveReport calldata reserveReport) external;

    /// @notice Anyone may relay a report signed (EIP-712, `reportDigest`) by `report.custodian`
    ///         (an account's ECDSA signature, or ERC-1271 for a contract such as a Safe); same
    ///         effects as `report`. The custodian must hold `CUSTODIAN_ROLE`.
    /// @dev Reverts `OracleInvalidSignature`, then as `report` except `OracleUnknownCustodian`:
    ///      `AccessControlUnauthorizedAccount`, `OracleEmptyReport`,
    ///      `OracleSequenceNotIncreasing`, `OracleReportOutdated`, `OracleReportFromFuture`,
    ///      `OracleUnknownAccount`. External call before the state change: the ERC-1271
    ///      `isValidSignature` view of a contract custodian.
    function reportSigned(ReserveReport calldata reserveReport, bytes calldata signature) external;

    /// @notice EIP-712 digest a custodian signs for `report` (domain "ssikit ReserveOracle", "1",
    ///         this chain's id, this contract), of the type
    ///         `ReserveReport(address custodian,uint64 sequence,uint40 asOf,bytes32 attestation,
    ///         Holding[] holdings)` with `Holding(address index,bytes32 assetId,uint128 balance)`.
    function reportDigest(ReserveReport calldata reserveReport) external view returns (bytes32);

    // ------------------------------------------------------------ reads

    /// @notice Reserves {base units} attributed to `index` in `assetId`, and the as-of time
    ///         {unix seconds} of the oldest report counted (now for an on-chain asset; 0 when
    ///         nothing counts yet). (0, 0) for an account that is not open; never reverts for it.
    function reservesOf(
        address index,
        bytes32 assetId
    ) external view returns (uint256 reserves, uint256 asOf);

    /// @notice The latest sequence number and as-of time {unix seconds} of a custodian's
    ///         reports, over all its accounts; (0, 0) before its first report.
    function lastReport(address custodian) external view returns (uint64 sequence, uint40 asOf);

    /// @notice Returns when fresh reserves of `index` in every component of `stored` {1e-18
    ///         base units per token, at fee factor 1} cover its liability
    ///         `BasketMath.liability`: ceil(storedAmount × backingUnits / 1e36) {base units}
    ///         (rounded up, in the protocol's favour). `backingUnits` {index wei at stored
    ///         amounts}. Rebalance activations run it on the new basket.
    /// @dev Reverts, for the first component that fails, `OracleReservesStale` (not fresh) or
    ///      `OracleReservesShort`.
    function requireCovered(
        address index,
        Component[] calldata stored,
        uint256 backingUnits
    ) external view;

    /// @notice The check a mint confirmation runs: like `requireCovered`, but answered from the
    ///         index's cached headroom when that cache is still valid (same basket version, no
    ///         reserves fallen and no custodian or max age changed since, no report expired,
    ///         `backingUnits` {index wei at stored amounts} at most the cached `maxUnits`) — one
    ///         storage read instead of one per component. On-chain components are always checked
    ///         live. Any doubt falls back to the full check, so the cache can only make a mint
    ///         cheaper, never less safe. Trust assumption: the caller (the issuer) passes the
    ///         index's current `stored` basket and `basketVersion`, and `hasLocal` true when any
    ///         component is an ERC-20 on this chain (false skips their live check when cached).
    /// @dev Reverts as `requireCovered`: `OracleReservesStale`, `OracleReservesShort`.
    function checkMint(
        address index,
        Component[] calldata stored,
        uint32 basketVersion,
        uint256 backingUnits,
        bool hasLocal
    ) external view;

    /// @notice Anyone: recomputes and caches how many backing units the off-chain reserves of
    ///         `index` cover, and until when (custodians call it after reporting), for its
    ///         current basket; the cache is valid for this basket version and coverage epoch
    ///         only. Emits `CoverageRefreshed`.
    /// @dev Reverts whatever `IIndexToken(index).basketState()` reverts with (not an index).
    /// @return maxUnits {index wei at stored amounts}: min over the off-chain components of
    ///         `BasketMath.maxBackingUnits` (rounded down), at most 2^128 - 1; 0 when a
    ///         component is stale
    /// @return validUntil {unix seconds}: the earliest asOf + maxAge over the off-chain
    ///         components (2^40 - 1 when there is none); 0 when a component is stale
    function refreshCoverage(address index) external returns (uint256 maxUnits, uint256 validUntil);

    /// @notice Coverage of every component of `index` now, against its own reserve accounts,
    ///         in basket order, for the index's whole backing (holders and fee recipient):
    ///         liabilities rounded up, ratio {WAD} rounded down (see `ComponentCoverage`).
    /// @dev Reverts whatever `IIndexToken(index).basketState()` reverts with (not an index).
    function coverage(address index) external view returns (ComponentCoverage[] memory);

    /// @notice Whether every component of `index` is fresh and covered now (`coverage`, as a
    ///         bool; never reverts `OracleReserves*`).
    function isCovered(address index) external view returns (bool);

    /// @notice A reserve account's settings: open, staleness limit {seconds}, number of
    ///         custodians (at most `MAX_CUSTODIANS`), whether the asset is on this chain.
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

    /// @notice The custodians whose reports count for the account (order not meaningful: a
    ///         removal moves the last one into the gap).
    function custodiansOf(address index, bytes32 assetId) external view returns (address[] memory);

    /// @notice The vault whose per-index ledger (`ICustodyVault.heldFor`) counts as on-chain
    ///         reserves; fixed at deployment.
    function vault() external view returns (address);
}
