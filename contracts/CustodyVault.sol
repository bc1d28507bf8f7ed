// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICustodyVault} from "./interfaces/ICustodyVault.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {IVersionRegistry} from "./interfaces/IVersionRegistry.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title CustodyVault
/// @notice Trust assumption: tokens are registered assets' ERC-20s (the issuer only moves those);
///         a token that delivers less than asked is refused at escrow, never accounted short.
contract CustodyVault is ICustodyVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RoleCheck for IProtocolRoles;

    struct EscrowEntry {
        address token;
        uint256 amount; // {base units}
    }

    IProtocolRoles public immutable ROLES;
    IVersionRegistry public immutable VERSIONS;
    mapping(address account => bool) private _boundIssuer;

    mapping(address index => mapping(address token => uint256)) private _held; // {base units}
    mapping(address token => uint256) private _total; // {base units} Σ of _held over indices
    mapping(bytes32 id => EscrowEntry[]) private _escrow;
    mapping(address token => uint256) private _escrowed; // {base units} Σ of open escrow
    mapping(address account => mapping(address token => uint256)) private _claimable;
    mapping(address token => uint256) private _claimableTotal;

    constructor(IProtocolRoles roles, IVersionRegistry versions) {
        ROLES = roles;
        VERSIONS = versions;
    }

    modifier onlyIssuer() {
        if (!_boundIssuer[msg.sender]) revert VaultNotIssuer(msg.sender);
        _;
    }

    /// @inheritdoc ICustodyVault
    function bindIssuer(address issuer_) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (_boundIssuer[issuer_]) revert VaultIssuerBound(issuer_);
        VERSIONS.requireUsable(IVersionRegistry.Kind.Issuer, issuer_);
        _boundIssuer[issuer_] = true;
        emit IssuerBound(issuer_);
    }

    /// @inheritdoc ICustodyVault
    function isBoundIssuer(address account) external view override returns (bool) {
        return _boundIssuer[account];
    }

    /// @inheritdoc ICustodyVault
    /// @dev The transfers are external calls before the ledger write of each entry; the issuer's
    ///      entry point and this one are both reentrancy-guarded, and the received amount is
    ///      measured, never assumed.
    function pull(
        bytes32 id,
        address from,
        address[] calldata tokens,
        uint256[] calldata amounts
    ) external override onlyIssuer nonReentrant {
        EscrowEntry[] storage escrow = _escrow[id];
        for (uint256 i; i < tokens.length; ++i) {
            IERC20 token = IERC20(tokens[i]);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(from, address(this), amounts[i]);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != amounts[i])
                revert VaultTransferShortfall(tokens[i], amounts[i], received);
            escrow.push(EscrowEntry(tokens[i], amounts[i]));
            _escrowed[tokens[i]] += amounts[i];
            emit Escrowed(id, from, tokens[i], amounts[i]);
        }
    }

    /// @inheritdoc ICustodyVault
    function settle(
        bytes32 id,
        address index
    ) external override onlyIssuer returns (uint256 count) {
        EscrowEntry[] storage escrow = _escrow[id];
        count = escrow.length;
        for (uint256 i; i < count; ++i) {
            EscrowEntry memory e = escrow[i];
            _escrowed[e.token] -= e.amount;
            _held[index][e.token] += e.amount;
            _total[e.token] += e.amount;
            emit Deposited(index, e.token, e.amount);
        }
        if (count != 0) delete _escrow[id];
    }

    /// @inheritdoc ICustodyVault
    function refund(bytes32 id, address to) external override onlyIssuer {
        EscrowEntry[] storage escrow = _escrow[id];
        uint256 n = escrow.length;
        for (uint256 i; i < n; ++i) {
            EscrowEntry memory e = escrow[i];
            _escrowed[e.token] -= e.amount;
            _claimable[to][e.token] += e.amount;
            _claimableTotal[e.token] += e.amount;
            emit RefundClaimable(id, to, e.token, e.amount);
        }
        if (n != 0) delete _escrow[id];
    }

    /// @inheritdoc ICustodyVault
    function claim(
        address token,
        address to
    ) external override nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert VaultZeroAddress();
        amount = _claimable[msg.sender][token];
        if (amount == 0) revert VaultNothingToClaim(msg.sender, token);
        _claimable[msg.sender][token] = 0;
        _claimableTotal[token] -= amount;
        emit RefundClaimed(msg.sender, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc ICustodyVault
    function release(
        address index,
        address token,
        address to,
        uint256 amount
    ) external override onlyIssuer {
        uint256 held = _held[index][token];
        if (amount > held) revert VaultInsufficientHeld(index, token, held, amount);
        unchecked {
            _held[index][token] = held - amount; // amount <= held
            _total[token] -= amount; // held <= total
        }
        // Credited, not pushed: a recipient that makes its own transfers fail cannot block the
        // confirmation of its redemption (and then reclaim the tokens it was paid for).
        _claimable[to][token] += amount;
        _claimableTotal[token] += amount;
        emit Released(index, token, to, amount);
    }

    /// @inheritdoc ICustodyVault
    function sweep(
        address token,
        address to
    ) external override nonReentrant returns (uint256 amount) {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        uint256 accounted = _total[token] + _escrowed[token] + _claimableTotal[token];
        uint256 balance = IERC20(token).balanceOf(address(this));
        amount = balance > accounted ? balance - accounted : 0;
        emit Swept(token, to, amount);
        if (amount != 0) IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc ICustodyVault
    function heldFor(address index, address token) external view override returns (uint256) {
        return _held[index][token];
    }

    /// @inheritdoc ICustodyVault
    function totalHeld(address token) external view override returns (uint256) {
        return _total[token];
    }

    /// @inheritdoc ICustodyVault
    function escrowed(address token) external view override returns (uint256) {
        return _escrowed[token];
    }

    /// @inheritdoc ICustodyVault
    function escrowOf(
        bytes32 id
    ) external view override returns (address[] memory tokens, uint256[] memory amounts) {
        EscrowEntry[] storage escrow = _escrow[id];
        tokens = new address[](escrow.length);
        amounts = new uint256[](escrow.length);
        for (uint256 i; i < escrow.length; ++i) {
            (tokens[i], amounts[i]) = (escrow[i].token, escrow[i].amount);
        }
    }

    /// @inheritdoc ICustodyVault
    function claimable(address account, address token) external view override returns (uint256) {
        return _claimable[account][token];
    }

    /// @inheritdoc ICustodyVault
    function claimableTotal(address token) external view override returns (uint256) {
        return _claimableTotal[token];
    }
}
