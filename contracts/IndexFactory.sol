// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {IIndexFactory} from "./interfaces/IIndexFactory.sol";
import {IIndexToken} from "./interfaces/IIndexToken.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {IReserveOracle} from "./interfaces/IReserveOracle.sol";
import {IVersionRegistry} from "./interfaces/IVersionRegistry.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";
import {IndexToken} from "./IndexToken.sol";

/// @title IndexFactory
/// @notice Deploys its IndexToken implementation in its constructor, so the implementation's
///         `factory()` is this contract and only this contract can initialise clones.
contract IndexFactory is IIndexFactory {
    using RoleCheck for IProtocolRoles;

    uint64 public constant override FEE_RATE_CEILING = 1e19;

    IProtocolRoles public immutable ROLES;
    IAssetRegistry public immutable REGISTRY;
    IVersionRegistry public immutable VERSIONS;
    address public immutable override implementation;

    /// @dev The issuer and oracle a new index starts on (one slot each).
    address private _issuer;
    address private _oracle;
    /// @dev Deprecated indices whose symbol was reused: still indices of this factory.
    mapping(address index => bool) private _superseded;

    /// @dev The registry: keccak256(symbol) -> index. One slot per index keeps creation cheap;
    ///      `isIndex` is derived from it and the list of indices is in the IndexCreated events.
    mapping(bytes32 symbolHash => address index) private _bySymbol;

    /// @param issuer The issuer new indices start on (a usable version in `versions`).
    /// @param oracle The reserve oracle new indices start on (a usable version in `versions`).
    constructor(
        IProtocolRoles roles,
        IAssetRegistry registry,
        IVersionRegistry versions,
        address issuer,
        IReserveOracle oracle
    ) {
        if (issuer == address(0) || address(oracle) == address(0)) revert FactoryZeroAddress();
        ROLES = roles;
        REGISTRY = registry;
        VERSIONS = versions;
        (_issuer, _oracle) = (issuer, address(oracle));
        implementation = address(new IndexToken(roles, registry, versions));
        emit DefaultsSet(issuer, address(oracle));
    }

    /// @inheritdoc IIndexFactory
    function defaults() external view override returns (address, address) {
        return (_issuer, _oracle);
    }

    /// @inheritdoc IIndexFactory
    function setDefaults(address issuer, address oracle) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        VERSIONS.requireUsable(IVersionRegistry.Kind.Issuer, issuer);
        VERSIONS.requireUsable(IVersionRegistry.Kind.Oracle, oracle);
        (_issuer, _oracle) = (issuer, oracle);
        emit DefaultsSet(issuer, oracle);
    }

    /// @inheritdoc IIndexFactory
    function createIndex(CreateIndexParams calldata p) external override returns (address index) {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        bytes32 key = keccak256(bytes(p.symbol));
        address existing = _bySymbol[key];
        if (existing != address(0)) {
            (, bool deprecated) = IIndexToken(existing).lifecycle();
            if (deprecated) revert FactorySymbolDeprecated(p.symbol, existing);
            revert FactorySymbolTaken(p.symbol, existing);
        }
        index = _create(p, key);
    }

    /// @inheritdoc IIndexFactory
    function createIndexReusingSymbol(
        CreateIndexParams calldata p
    ) external override returns (address index) {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        bytes32 key = keccak256(bytes(p.symbol));
        address existing = _bySymbol[key];
        bool deprecated;
        if (existing != address(0)) (, deprecated) = IIndexToken(existing).lifecycle();
        if (!deprecated) revert FactorySymbolNotDeprecated(p.symbol, existing);
        _superseded[existing] = true;
        index = _create(p, key);
        emit SymbolReused(p.symbol, existing, index);
    }

    function _create(CreateIndexParams calldata p, bytes32 key) private returns (address index) {
        // No new index on a version the admin has deprecated since it became the default.
        _requireNotDeprecated(IVersionRegistry.Kind.Issuer, _issuer);
        _requireNotDeprecated(IVersionRegistry.Kind.Oracle, _oracle);
        if (p.compiler == address(0) || p.feeRecipient == address(0)) revert FactoryZeroAddress();
        if (p.maxFeeRate > FEE_RATE_CEILING || p.feeRate > p.maxFeeRate) {
            revert FactoryFeeRateInvalid(p.feeRate, p.maxFeeRate, FEE_RATE_CEILING);
        }
        bytes memory args = abi.encodePacked(
            _short(p.name),
            _short(p.symbol),
            p.maxFeeRate,
            _issuer,
            _oracle
        );
        index = Clones.cloneWithImmutableArgs(implementation, args);
        _bySymbol[key] = index;
        // External calls to the fresh clone and to the role registry, both protocol contracts.
        IIndexToken(index).initialize(p.basket, p.feeRate);
        ROLES.wireIndex(index, p.compiler, p.feeRecipient);
        emit IndexCreated(
            index,
            p.symbol,
            p.name,
            p.feeRate,
            p.maxFeeRate,
            p.compiler,
            p.feeRecipient
        );
    }

    /// @inheritdoc IIndexFactory
    function indexOf(string calldata symbol) external view override returns (address) {
        return _bySymbol[keccak256(bytes(symbol))];
    }

    /// @inheritdoc IIndexFactory
    function isIndex(address index) external view override returns (bool) {
        if (index.code.length == 0) return false;
        try IIndexToken(index).symbol() returns (string memory s) {
            return _bySymbol[keccak256(bytes(s))] == index || _superseded[index];
        } catch {
            return false;
        }
    }

    /// @dev The constructor's defaults need not be listed (a test deployment may start on any
    ///      account); `setDefaults` only takes usable versions.
    function _requireNotDeprecated(IVersionRegistry.Kind kind, address target) private view {
        uint256 at = VERSIONS.deprecatedAt(kind, target);
        if (at != 0) revert IVersionRegistry.VersionIsDeprecated(kind, target, at);
    }

    function _short(string calldata s) private pure returns (ShortString) {
        if (bytes(s).length == 0 || bytes(s).length > 31) revert FactoryInvalidName(s);
        return ShortStrings.toShortString(s);
    }
}
