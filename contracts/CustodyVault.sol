// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICustodyVault} from "./interfaces/ICustodyVault.sol";
import {IProtocolRoles} from "./interfaces/IProtocolRoles.sol";
import {RoleCheck} from "./libraries/RoleCheck.sol";
import {RoleIds} from "./libraries/RoleIds.sol";

/// @title CustodyVault
/// @notice Trust assumption: tokens are registered assets' ERC-20s (the issuer only moves those)
///         that move exactly the amounts asked (the issuer refuses fee-on-transfer tokens).
contract CustodyVault is ICustodyVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RoleCheck for IProtocolRoles;

    IProtocolRoles public immutable ROLES;
    address public override issuer;

    mapping(address index => mapping(address token => uint256)) private _held; // {base units}
    mapping(address token => uint256) private _total; // {base units} Σ over indices

    constructor(IProtocolRoles roles) {
        ROLES = roles;
    }

    modifier onlyIssuer() {
        if (msg.sender != issuer || msg.sender == address(0)) revert VaultNotIssuer(msg.sender);
        _;
    }

    /// @inheritdoc ICustodyVault
    function bindIssuer(address issuer_) external override {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        if (issuer != address(0) || issuer_ == address(0)) revert VaultIssuerBound(issuer);
        issuer = issuer_;
        emit IssuerBound(issuer_);
    }

    /// @inheritdoc ICustodyVault
    function deposit(address index, address token, uint256 amount) external override onlyIssuer {
        uint256 total = _total[token] + amount;
        uint256 balance = IERC20(token).balanceOf(address(this));
        if (balance < total) revert VaultDepositMissing(token, balance, total);
        _total[token] = total;
        _held[index][token] += amount;
        emit Deposited(index, token, amount);
    }

    /// @inheritdoc ICustodyVault
    function release(address index, address token, address to, uint256 amount)
        external
        override
        onlyIssuer
        nonReentrant
    {
        uint256 held = _held[index][token];
        if (amount > held) revert VaultInsufficientHeld(index, token, held, amount);
        unchecked {
            _held[index][token] = held - amount; // amount <= held
            _total[token] -= amount; // held <= total
        }
        emit Released(index, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc ICustodyVault
    function sweep(address token, address to) external override nonReentrant returns (uint256 amount) {
        ROLES.check(RoleIds.ADMIN, msg.sender);
        uint256 balance = IERC20(token).balanceOf(address(this));
        amount = balance > _total[token] ? balance - _total[token] : 0;
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
}
