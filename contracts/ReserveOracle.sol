// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IReserveOracle} from "./interfaces/IReserveOracle.sol";
import {ICustodyVault} from "./interfaces/ICustodyVault.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IIndexToken} from "./interfaces/IIndexToken.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {Component} from "./types/Component.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {Units} from "./libraries/Units.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title ReserveOracle
/// @notice Storage is laid out for the hot paths: a mint's coverage check reads one slot per
///         component (`Account`: total reserves, as-of of the oldest report, max age). With a
///         single custodian per account (the usual case) a report writes that slot directly; with
///         several, each custodian's position is kept and the total recomputed from them.
contract ReserveOracle is IReserveOracle, EIP712 {
    using RoleCheck for IProtocolRoles;

    /// @dev One reserve account (index, asset): 128 + 40 + 32 + 8 + 8 + 8 + 32 = 256 bits, so a
    ///      report and a coverage check touch one slot per component.
    struct Account {
        uint128 total; // {base units} sum of the custodians' latest reports
        uint40 asOf; // {unix seconds} as-of time of the oldest of those reports (0 = none yet)
        uint32 maxAge; // {seconds} staleness limit
        uint8 custodianCount;
        bool opened;
        bool local; // reserves are the vault's ledger of `_localToken` for the index
        uint32 soleCustodian; // custodian id while custodianCount == 1
    }

    /// @dev A cached coverage check of one index (see `refreshCoverage`).
    struct Headroom {
        // {index wei at stored amounts} backing units the off-chain reserves cover
        uint128 maxUnits;
        uint40 validUntil; // {unix seconds} first expiry of the reports counted
        uint32 basketVersion;
        uint48 epoch; // `_epoch` when computed
    }

    struct Position {
        uint128 balance; // {base units}; kept only while the account has several custodians
        uint40 asOf; // {unix seconds}
        bool active; // the custodian's reports count for this account
    }

    struct CustodianState {
        uint64 sequence;
        uint40 asOf; // {unix seconds}
        uint32 id; // 1-based, assigned when first made a custodian of an account
    }

    uint256 public constant override MAX_CUSTODIANS = 8;

    bytes32 private constant HOLDING_TYPEHASH =
        keccak256("Holding(address index,bytes32 assetId,uint128 balance)");
    bytes32 private constant REPORT_TYPEHASH =
        keccak256(
            "ReserveReport(address custodian,uint64 sequence,uint40 asOf,bytes32 attestation,Holding[] holdings)"
            "Holding(address index,bytes32 assetId,uint128 balance)"
        );

    /// @inheritdoc IReserveOracle
    IProtocolRoles public immutable override ROLES;
    /// @inheritdoc IReserveOracle
    IAssetRegistry public immutable override REGISTRY;
    /// @inheritdoc IReserveOracle
    address public immutable override vault;

    mapping(address index => mapping(bytes32 assetId => Account)) private _accounts;
    mapping(bytes32 assetId => address) private _localToken;
    mapping(address index => mapping(bytes32 assetId => address[])) private _custodiansOf;
    mapping(address custodian => mapping(address index => mapping(bytes32 assetId => Position)))
        private _positions;
    mapping(address custodian => CustodianState) private _custodians;
    mapping(address index => Headroom) private _headroom;
    uint32 private _custodianIds;
    /// @dev Bumped whenever any account's reserves fall, or a custodian or max age changes: every
    ///      cached headroom older than the current epoch is ignored. Reports that keep or raise
    ///      reserves, the usual case, leave caches valid.
    uint48 private _epoch;

    /// @param custodyVault the vault whose per-index ledger counts as on-chain reserves
    constructor(
        IProtocolRoles roles,
        IAssetRegistry registry,
        address custodyVault
    ) EIP712("ssikit ReserveOracle", "1") {
        ROLES = roles;
        REGISTRY = registry;
        vault = custodyVault;
    }

    // ------------------------------------------------------------ admin

    /// @inheritdoc IReserveOracle
    function openAccount(address index, bytes32 assetId, uint32 maxAge) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (maxAge == 0) revert OracleInvalidConfig(index, assetId);
        Account storage a = _accounts[index][assetId];
        if (a.opened) revert OracleAlreadyConfigured(index, assetId, address(0));
        (, address token) = REGISTRY.assetInfo(assetId); // reverts AssetUnknown
        a.opened = true;
        a.maxAge = maxAge;
        if (token != address(0)) {
            a.local = true;
            _localToken[assetId] = token;
        }
        emit AccountOpened(index, assetId, maxAge, token);
    }

    /// @inheritdoc IReserveOracle
    function setMaxAge(address index, bytes32 assetId, uint32 maxAge) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        Account storage a = _accounts[index][assetId];
        if (maxAge == 0 || !a.opened) revert OracleInvalidConfig(index, assetId);
        a.maxAge = maxAge;
        ++_epoch;
        emit MaxAgeSet(index, assetId, maxAge);
    }

    /// @inheritdoc IReserveOracle
    function addCustodian(address index, bytes32 assetId, address custodian) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        Account storage a = _accounts[index][assetId];
        if (!a.opened || a.local || a.custodianCount >= MAX_CUSTODIANS)
            revert OracleInvalidConfig(index, assetId);
        if (_positions[custodian][index][assetId].active)
            revert OracleAlreadyConfigured(index, assetId, custodian);
        CustodianState storage c = _custodians[custodian];
        if (c.id == 0) c.id = ++_custodianIds;
        address[] storage list = _custodiansOf[index][assetId];
        if (a.custodianCount == 1) {
            // Leaving single-custodian mode: the aggregate was the first custodian's position.
            _positions[list[0]][index][assetId] = Position({
                balance: a.total,
                asOf: a.asOf,
                active: true
            });
        }
        // A custodian added again starts from nothing: its old balance never comes back.
        _positions[custodian][index][assetId] = Position({balance: 0, asOf: 0, active: true});
        list.push(custodian);
        a.custodianCount += 1;
        if (a.custodianCount == 1) {
            (a.total, a.asOf, a.soleCustodian) = (0, 0, c.id);
        } else {
            // The new custodian has not reported: asOf 0 makes the account stale (fail closed).
            (a.asOf, a.soleCustodian) = (0, 0);
        }
        ++_epoch;
        emit CustodianAdded(index, assetId, custodian);
    }

    /// @inheritdoc IReserveOracle
    function removeCustodian(address index, bytes32 assetId, address custodian) external override {
        if (
            !ROLES.hasRole(RoleIds.ADMIN, msg.sender) && ROLES.hasRole(RoleIds.CUSTODIAN, custodian)
        ) {
            revert OracleCustodianStillActive(custodian);
        }
        Account storage a = _accounts[index][assetId];
        address[] storage list = _custodiansOf[index][assetId];
        uint256 n = list.length;
        uint256 at = n;
        for (uint256 i; i < n; ++i) {
            if (list[i] == custodian) at = i;
        }
        if (at == n) revert OracleNotCustodian(index, assetId, custodian);
        list[at] = list[n - 1];
        list.pop();
        delete _positions[custodian][index][assetId];
        a.custodianCount -= 1;
        if (a.custodianCount == 0) {
            (a.total, a.asOf, a.soleCustodian) = (0, 0, 0);
        } else if (a.custodianCount == 1) {
            // Back to single-custodian mode: the remaining position becomes the aggregate.
            address last = list[0];
            Position memory p = _positions[last][index][assetId];
            (a.total, a.asOf, a.soleCustodian) = (p.balance, p.asOf, _custodians[last].id);
            delete _positions[last][index][assetId].balance;
        } else {
            _recompute(index, assetId, a);
        }
        ++_epoch;
        emit CustodianRemoved(index, assetId, custodian, msg.sender);
    }

    // ------------------------------------------------------------ reports

    /// @inheritdoc IReserveOracle
    function report(ReserveReport calldata r) external override {
        if (msg.sender != r.custodian) revert OracleUnknownCustodian(msg.sender);
        _accept(r);
    }

    /// @inheritdoc IReserveOracle
    function reportSigned(ReserveReport calldata r, bytes calldata signature) external override {
        if (!SignatureChecker.isValidSignatureNow(r.custodian, reportDigest(r), signature)) {
            revert OracleInvalidSignature(r.custodian);
        }
        _accept(r);
    }

    /// @inheritdoc IReserveOracle
    function reportDigest(ReserveReport calldata r) public view override returns (bytes32) {
        uint256 n = r.holdings.length;
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            Holding calldata h = r.holdings[i];
            hashes[i] = keccak256(abi.encode(HOLDING_TYPEHASH, h.index, h.assetId, h.balance));
        }
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        REPORT_TYPEHASH,
                        r.custodian,
                        r.sequence,
                        r.asOf,
                        r.attestation,
                        keccak256(abi.encodePacked(hashes))
                    )
                )
            );
    }

    function _accept(ReserveReport calldata r) private {
        address c = r.custodian;
        ROLES.check(RoleIds.CUSTODIAN, c);
        uint256 n = r.holdings.length;
        if (n == 0) revert OracleEmptyReport();
        CustodianState memory last = _custodians[c];
        if (r.sequence <= last.sequence)
            revert OracleSequenceNotIncreasing(c, r.sequence, last.sequence);
        if (r.asOf <= last.asOf) revert OracleReportOutdated(c, r.asOf, last.asOf);
        if (r.asOf > block.timestamp) revert OracleReportFromFuture(r.asOf, block.timestamp);
        _custodians[c] = CustodianState({sequence: r.sequence, asOf: r.asOf, id: last.id});

        bool fell;
        for (uint256 i; i < n; ++i) {
            Holding calldata h = r.holdings[i];
            Account storage a = _accounts[h.index][h.assetId];
            uint128 before = a.total;
            if (a.custodianCount == 1 && a.soleCustodian == last.id && last.id != 0) {
                (a.total, a.asOf) = (h.balance, r.asOf);
            } else {
                Position storage p = _positions[c][h.index][h.assetId];
                if (!p.active || a.custodianCount < 2)
                    revert OracleUnknownAccount(c, h.index, h.assetId);
                (p.balance, p.asOf) = (h.balance, r.asOf);
                _recompute(h.index, h.assetId, a);
            }
            if (a.total < before) fell = true;
        }
        if (fell) ++_epoch;
        emit ReserveReported(c, r.sequence, r.asOf, r.attestation, r.holdings);
    }

    /// @dev Total and oldest as-of over the account's custodians (several-custodian mode).
    function _recompute(address index, bytes32 assetId, Account storage a) private {
        address[] storage list = _custodiansOf[index][assetId];
        uint256 total;
        uint40 oldest = type(uint40).max;
        for (uint256 i; i < list.length; ++i) {
            Position memory p = _positions[list[i]][index][assetId];
            total += p.balance;
            if (p.asOf < oldest) oldest = p.asOf;
        }
        // Each balance is uint128 and at most MAX_CUSTODIANS are summed; saturate rather than wrap.
        a.total = total > type(uint128).max ? type(uint128).max : uint128(total);
        a.asOf = oldest;
    }

    // ------------------------------------------------------------ reads

    /// @inheritdoc IReserveOracle
    function reservesOf(
        address index,
        bytes32 assetId
    ) public view override returns (uint256 reserves, uint256 asOf) {
        (reserves, asOf, , ) = _reserves(index, assetId);
    }

    /// @return reserves {base units}, asOf {unix seconds}, maxAge {seconds}, fresh
    function _reserves(
        address index,
        bytes32 assetId
    ) private view returns (uint256, uint256, uint256, bool) {
        Account memory a = _accounts[index][assetId];
        if (a.local) {
            // On-chain reserves: the vault's ledger for this index, read now, so always fresh.
            return (
                ICustodyVault(vault).heldFor(index, _localToken[assetId]),
                block.timestamp,
                a.maxAge,
                true
            );
        }
        bool fresh = a.opened && a.asOf != 0 && block.timestamp - a.asOf <= a.maxAge;
        return (a.total, a.asOf, a.maxAge, fresh);
    }

    /// @inheritdoc IReserveOracle
    function accountConfig(
        address index,
        bytes32 assetId
    ) external view override returns (bool, uint32, uint8, bool) {
        Account memory a = _accounts[index][assetId];
        return (a.opened, a.maxAge, a.custodianCount, a.local);
    }

    /// @inheritdoc IReserveOracle
    function isCustodianOf(
        address custodian,
        address index,
        bytes32 assetId
    ) external view override returns (bool) {
        return _positions[custodian][index][assetId].active;
    }

    /// @inheritdoc IReserveOracle
    function custodiansOf(
        address index,
        bytes32 assetId
    ) external view override returns (address[] memory) {
        return _custodiansOf[index][assetId];
    }

    /// @inheritdoc IReserveOracle
    function lastReport(address custodian) external view override returns (uint64, uint40) {
        CustodianState memory s = _custodians[custodian];
        return (s.sequence, s.asOf);
    }

    /// @inheritdoc IReserveOracle
    function requireCovered(
        address index,
        Component[] calldata stored,
        uint256 backingUnits
    ) public view override {
        for (uint256 i; i < stored.length; ++i) {
            _requireComponent(index, stored[i], backingUnits);
        }
    }

    function _requireComponent(
        address index,
        Component calldata component,
        uint256 backingUnits
    ) private view {
        bytes32 id = component.assetId;
        (uint256 reserves, uint256 asOf, uint256 maxAge, bool fresh) = _reserves(index, id);
        if (!fresh) revert OracleReservesStale(id, asOf, maxAge);
        uint256 owed = BasketMath.liability(component.amount, backingUnits);
        if (reserves < owed) revert OracleReservesShort(id, reserves, owed);
    }

    /// @inheritdoc IReserveOracle
    function checkMint(
        address index,
        Component[] calldata stored,
        uint32 basketVersion,
        uint256 backingUnits,
        bool hasLocal
    ) external view override {
        Headroom memory h = _headroom[index];
        bool cached = h.epoch == _epoch &&
            h.basketVersion == basketVersion &&
            block.timestamp <= h.validUntil &&
            backingUnits <= h.maxUnits;
        if (!cached) {
            requireCovered(index, stored, backingUnits);
            return;
        }
        if (!hasLocal) return;
        // The cache covers the off-chain components; on-chain ones are the vault's live ledger.
        for (uint256 i; i < stored.length; ++i) {
            if (_accounts[index][stored[i].assetId].local)
                _requireComponent(index, stored[i], backingUnits);
        }
    }

    /// @inheritdoc IReserveOracle
    function refreshCoverage(
        address index
    ) external override returns (uint256 maxUnits, uint256 validUntil) {
        (Component[] memory stored, , , uint32 version, ) = IIndexToken(index).basketState();
        maxUnits = type(uint128).max;
        validUntil = type(uint40).max;
        for (uint256 i; i < stored.length; ++i) {
            Account memory a = _accounts[index][stored[i].assetId];
            if (a.local) continue;
            bool fresh = a.opened && a.asOf != 0 && block.timestamp - a.asOf <= a.maxAge;
            if (!fresh) {
                (maxUnits, validUntil) = (0, 0);
                break;
            }
            uint256 units = BasketMath.maxBackingUnits(a.total, stored[i].amount);
            if (units < maxUnits) maxUnits = units;
            if (a.asOf + a.maxAge < validUntil) validUntil = a.asOf + a.maxAge;
        }
        _headroom[index] = Headroom(uint128(maxUnits), uint40(validUntil), version, _epoch);
        emit CoverageRefreshed(index, version, maxUnits, validUntil);
    }

    /// @inheritdoc IReserveOracle
    function coverage(address index) public view override returns (ComponentCoverage[] memory out) {
        (Component[] memory stored, , uint256 units, , ) = IIndexToken(index).basketState();
        out = new ComponentCoverage[](stored.length);
        for (uint256 i; i < stored.length; ++i) {
            bytes32 id = stored[i].assetId;
            (uint256 reserves, uint256 asOf, , bool fresh) = _reserves(index, id);
            uint256 owed = BasketMath.liability(stored[i].amount, units);
            out[i] = ComponentCoverage({
                assetId: id,
                reserves: reserves,
                liabilities: owed,
                ratio: owed == 0 ? type(uint256).max : Math.mulDiv(reserves, Units.WAD, owed),
                age: asOf == 0 ? type(uint256).max : block.timestamp - asOf,
                fresh: fresh
            });
        }
    }

    /// @inheritdoc IReserveOracle
    function isCovered(address index) external view override returns (bool) {
        ComponentCoverage[] memory all = coverage(index);
        for (uint256 i; i < all.length; ++i) {
            if (!all[i].fresh || all[i].reserves < all[i].liabilities) return false;
        }
        return true;
    }
}
