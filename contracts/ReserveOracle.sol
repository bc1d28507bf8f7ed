// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IReserveOracle} from "./interfaces/IReserveOracle.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IIndexToken} from "./interfaces/IIndexToken.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {Component} from "./types/Component.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title ReserveOracle
/// @notice Storage is laid out for the hot paths: a mint's coverage check reads one slot per
///         component (`AssetState`: total reserves, as-of of the oldest report, max age). With a
///         single custodian per asset (the usual case) a report writes that slot directly; with
///         several, each custodian's position is kept and the total recomputed from them.
contract ReserveOracle is IReserveOracle, EIP712 {
    using RoleCheck for IProtocolRoles;

    /// @dev 128 + 40 + 32 + 8 + 8 + 8 + 32 = 256 bits: a report and a coverage check touch one
    ///      slot per asset.
    struct AssetState {
        uint128 total; // {base units} sum of the custodians' latest reports
        uint40 asOf; // {unix seconds} as-of time of the oldest of those reports (0 = none yet)
        uint32 maxAge; // {seconds} staleness limit
        uint8 custodianCount;
        bool configured;
        bool local; // reserves are the vault's balance of `_localToken`
        uint32 soleCustodian; // custodian id while custodianCount == 1
    }

    /// @dev A cached coverage check of one index (see `refreshCoverage`).
    struct Headroom {
        uint128 maxUnits; // {index wei at stored amounts} backing units the off-chain reserves cover
        uint40 validUntil; // {unix seconds} first expiry of the reports counted
        uint32 basketVersion;
        uint48 epoch; // `_epoch` when computed
    }

    struct Position {
        uint128 balance; // {base units}; kept only while the asset has several custodians
        uint40 asOf;
        bool active; // the custodian's reports count for this asset
    }

    struct CustodianState {
        uint64 sequence;
        uint40 asOf;
        uint32 id; // 1-based, assigned when first made a custodian of an asset
    }

    uint256 public constant override MAX_CUSTODIANS = 8;
    uint256 private constant WAD = 1e18;
    bytes32 private constant BALANCE_TYPEHASH = keccak256("AssetBalance(bytes32 assetId,uint128 balance)");
    bytes32 private constant REPORT_TYPEHASH = keccak256(
        "ReserveReport(address custodian,uint64 sequence,uint40 asOf,bytes32 attestation,AssetBalance[] balances)"
        "AssetBalance(bytes32 assetId,uint128 balance)"
    );

    IProtocolRoles public immutable ROLES;
    IAssetRegistry public immutable REGISTRY;
    address public immutable override vault;

    mapping(bytes32 assetId => AssetState) private _assets;
    mapping(bytes32 assetId => address) private _localToken;
    mapping(bytes32 assetId => address[]) private _custodiansOf;
    mapping(address custodian => mapping(bytes32 assetId => Position)) private _positions;
    mapping(address custodian => CustodianState) private _custodians;
    mapping(address index => Headroom) private _headroom;
    uint32 private _custodianIds;
    /// @dev Bumped whenever any asset's reserves fall (or a custodian is added): every cached
    ///      headroom older than the current epoch is ignored. Reports that keep or raise reserves,
    ///      the usual case, leave caches valid.
    uint48 private _epoch;

    constructor(IProtocolRoles roles, IAssetRegistry registry, address custodyVault) EIP712("ssikit ReserveOracle", "1") {
        ROLES = roles;
        REGISTRY = registry;
        vault = custodyVault;
    }

    // ------------------------------------------------------------ admin

    /// @inheritdoc IReserveOracle
    function configureAsset(bytes32 assetId, uint32 maxAge) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (maxAge == 0) revert OracleInvalidConfig(assetId);
        AssetState storage a = _assets[assetId];
        if (a.configured) revert OracleAlreadyConfigured(assetId, address(0));
        (, address token) = REGISTRY.assetInfo(assetId); // reverts AssetUnknown
        a.configured = true;
        a.maxAge = maxAge;
        if (token != address(0)) {
            a.local = true;
            _localToken[assetId] = token;
        }
        emit AssetConfigured(assetId, maxAge, token);
    }

    /// @inheritdoc IReserveOracle
    function addCustodian(bytes32 assetId, address custodian) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        AssetState storage a = _assets[assetId];
        if (!a.configured || a.local || a.custodianCount >= MAX_CUSTODIANS) revert OracleInvalidConfig(assetId);
        if (_positions[custodian][assetId].active) revert OracleAlreadyConfigured(assetId, custodian);
        CustodianState storage c = _custodians[custodian];
        if (c.id == 0) c.id = ++_custodianIds;
        if (a.custodianCount == 1) {
            // Leaving single-custodian mode: the aggregate was the first custodian's position.
            address first = _custodiansOf[assetId][0];
            _positions[first][assetId] = Position({balance: a.total, asOf: a.asOf, active: true});
        }
        _positions[custodian][assetId].active = true;
        _custodiansOf[assetId].push(custodian);
        a.custodianCount += 1;
        a.soleCustodian = a.custodianCount == 1 ? c.id : 0;
        // A custodian that has not reported yet makes the asset stale: fail closed.
        a.asOf = a.custodianCount == 1 ? 0 : _minAsOf(assetId);
        ++_epoch;
        emit CustodianAdded(assetId, custodian);
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
        uint256 n = r.balances.length;
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            hashes[i] = keccak256(abi.encode(BALANCE_TYPEHASH, r.balances[i].assetId, r.balances[i].balance));
        }
        return _hashTypedDataV4(
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
        uint256 n = r.balances.length;
        if (n == 0) revert OracleEmptyReport();
        CustodianState memory last = _custodians[c];
        if (r.sequence <= last.sequence) revert OracleSequenceNotIncreasing(c, r.sequence, last.sequence);
        if (r.asOf <= last.asOf) revert OracleReportOutdated(c, r.asOf, last.asOf);
        if (r.asOf > block.timestamp) revert OracleReportFromFuture(r.asOf, block.timestamp);
        _custodians[c] = CustodianState({sequence: r.sequence, asOf: r.asOf, id: last.id});

        bool fell;
        for (uint256 i; i < n; ++i) {
            bytes32 id = r.balances[i].assetId;
            uint128 balance = r.balances[i].balance;
            AssetState storage a = _assets[id];
            uint128 before = a.total;
            if (a.custodianCount == 1 && a.soleCustodian == last.id && last.id != 0) {
                (a.total, a.asOf) = (balance, r.asOf);
            } else {
                Position storage p = _positions[c][id];
                if (!p.active || a.custodianCount < 2) revert OracleUnknownAsset(c, id);
                (p.balance, p.asOf) = (balance, r.asOf);
                _recompute(id, a);
            }
            if (a.total < before) fell = true;
        }
        if (fell) ++_epoch;
        emit ReserveReported(c, r.sequence, r.asOf, r.attestation, r.balances);
    }

    function _recompute(bytes32 id, AssetState storage a) private {
        address[] storage list = _custodiansOf[id];
        uint256 total;
        uint40 oldest = type(uint40).max;
        for (uint256 i; i < list.length; ++i) {
            Position memory p = _positions[list[i]][id];
            total += p.balance;
            if (p.asOf < oldest) oldest = p.asOf;
        }
        // Each balance is uint128 and at most MAX_CUSTODIANS are summed; saturate rather than wrap.
        a.total = total > type(uint128).max ? type(uint128).max : uint128(total);
        a.asOf = oldest;
    }

    function _minAsOf(bytes32 id) private view returns (uint40 oldest) {
        address[] storage list = _custodiansOf[id];
        oldest = type(uint40).max;
        for (uint256 i; i < list.length; ++i) {
            uint40 t = _positions[list[i]][id].asOf;
            if (t < oldest) oldest = t;
        }
    }

    // ------------------------------------------------------------ reads

    /// @inheritdoc IReserveOracle
    function reservesOf(bytes32 assetId) public view override returns (uint256 reserves, uint256 asOf) {
        (reserves, asOf,,) = _reserves(assetId);
    }

    /// @return reserves {base units}, asOf {unix seconds}, maxAge {seconds}, fresh
    function _reserves(bytes32 assetId) private view returns (uint256, uint256, uint256, bool) {
        AssetState memory a = _assets[assetId];
        if (a.local) {
            // On-chain reserves: the vault's balance, read now, so always fresh.
            return (IERC20(_localToken[assetId]).balanceOf(vault), block.timestamp, a.maxAge, true);
        }
        bool fresh = a.configured && a.asOf != 0 && block.timestamp - a.asOf <= a.maxAge;
        return (a.total, a.asOf, a.maxAge, fresh);
    }

    /// @inheritdoc IReserveOracle
    function assetConfig(bytes32 assetId) external view override returns (bool, uint32, uint8, bool) {
        AssetState memory a = _assets[assetId];
        return (a.configured, a.maxAge, a.custodianCount, a.local);
    }

    /// @inheritdoc IReserveOracle
    function isCustodianOf(address custodian, bytes32 assetId) external view override returns (bool) {
        return _positions[custodian][assetId].active;
    }

    /// @inheritdoc IReserveOracle
    function lastReport(address custodian) external view override returns (uint64, uint40) {
        CustodianState memory s = _custodians[custodian];
        return (s.sequence, s.asOf);
    }

    /// @inheritdoc IReserveOracle
    function requireCovered(Component[] calldata stored, uint256 backingUnits) public view override {
        for (uint256 i; i < stored.length; ++i) {
            _requireComponent(stored[i], backingUnits);
        }
    }

    function _requireComponent(Component calldata component, uint256 backingUnits) private view {
        bytes32 id = component.assetId;
        (uint256 reserves, uint256 asOf, uint256 maxAge, bool fresh) = _reserves(id);
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
        bool cached = h.epoch == _epoch && h.basketVersion == basketVersion && block.timestamp <= h.validUntil
            && backingUnits <= h.maxUnits;
        if (!cached) {
            requireCovered(stored, backingUnits);
            return;
        }
        if (!hasLocal) return;
        // The cache covers the off-chain components; on-chain ones are the vault's live balance.
        for (uint256 i; i < stored.length; ++i) {
            if (_assets[stored[i].assetId].local) _requireComponent(stored[i], backingUnits);
        }
    }

    /// @inheritdoc IReserveOracle
    function refreshCoverage(address index) external override returns (uint256 maxUnits, uint256 validUntil) {
        (Component[] memory stored,,, uint32 version,) = IIndexToken(index).basketState();
        maxUnits = type(uint128).max;
        validUntil = type(uint40).max;
        for (uint256 i; i < stored.length; ++i) {
            AssetState memory a = _assets[stored[i].assetId];
            if (a.local) continue;
            bool fresh = a.configured && a.asOf != 0 && block.timestamp - a.asOf <= a.maxAge;
            if (!fresh) {
                (maxUnits, validUntil) = (0, 0);
                break;
            }
            // reserves >= ceil(stored × L / 1e36)  <=>  L <= floor(reserves × 1e36 / stored)
            uint256 units = Math.mulDiv(a.total, 1e36, stored[i].amount);
            if (units < maxUnits) maxUnits = units;
            if (a.asOf + a.maxAge < validUntil) validUntil = a.asOf + a.maxAge;
        }
        _headroom[index] = Headroom(uint128(maxUnits), uint40(validUntil), version, _epoch);
        emit CoverageRefreshed(index, version, maxUnits, validUntil);
    }

    /// @inheritdoc IReserveOracle
    function coverage(address index) public view override returns (ComponentCoverage[] memory out) {
        (Component[] memory stored,, uint256 units,,) = IIndexToken(index).basketState();
        out = new ComponentCoverage[](stored.length);
        for (uint256 i; i < stored.length; ++i) {
            bytes32 id = stored[i].assetId;
            (uint256 reserves, uint256 asOf, , bool fresh) = _reserves(id);
            uint256 owed = BasketMath.liability(stored[i].amount, units);
            out[i] = ComponentCoverage({
                assetId: id,
                reserves: reserves,
                liabilities: owed,
                ratio: owed == 0 ? type(uint256).max : Math.mulDiv(reserves, WAD, owed),
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
