// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";

/// @title LockableERC20
/// @notice ERC-20 with EIP-2612 permit (OpenZeppelin's EIP712 and Nonces, OpenZeppelin's
///         ERC-6093 errors) whose storage is laid out for the index token's hot paths:
///         - one slot per account holds its balance and the part of it locked for a pending
///           redemption, so locking (a redeem request) and burning the locked part (its
///           confirmation) each write a single slot, and no tokens travel to an escrow account;
///         - one slot holds the total supply and the index's backing units, which every mint and
///           burn changes together.
///         Locked tokens stay in `balanceOf` (the holder still owns them; Σ balances = supply)
///         but cannot be transferred. Only the derived contract locks, unlocks, mints and burns.
abstract contract LockableERC20 is
    IERC20,
    IERC20Metadata,
    IERC20Permit,
    IERC20Errors,
    EIP712Upgradeable,
    NoncesUpgradeable
{
    using SafeCast for uint256;

    struct Account {
        uint128 balance; // {index wei}, locked included
        uint128 locked; // {index wei}
    }

    struct Supply {
        uint128 total; // {index wei}
        uint128 backingUnits; // {index wei at stored amounts}: see IndexToken
    }

    bytes32 private constant PERMIT_TYPEHASH =
        keccak256(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
        );

    mapping(address account => Account) private _accounts;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    Supply internal _supply;

    error ERC2612ExpiredSignature(uint256 deadline);
    error ERC2612InvalidSigner(address signer, address owner);
    /// @notice Unlocking or burning more than the holder has locked.
    error LockedBalanceTooLow(address holder, uint256 locked, uint256 needed);

    // ---------------------------------------------------------------- ERC-20

    function totalSupply() public view override returns (uint256) {
        return _supply.total;
    }

    function balanceOf(address account) public view override returns (uint256) {
        return _accounts[account].balance;
    }

    /// @notice The part of `account`'s balance locked for pending redemptions {index wei}.
    function lockedOf(address account) public view virtual returns (uint256) {
        return _accounts[account].locked;
    }

    function allowance(address owner, address spender) public view override returns (uint256) {
        return _allowances[owner][spender];
    }

    function approve(address spender, uint256 value) external override returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external override returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(
        address from,
        address to,
        uint256 value
    ) external override returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                _allowances[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    // ---------------------------------------------------------------- EIP-2612

    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external override {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline)
        );
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }

    function nonces(
        address owner
    ) public view virtual override(IERC20Permit, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view override returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internal

    function _approve(address owner, address spender, uint256 value) internal {
        if (owner == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    /// @dev Moves unlocked tokens. Cannot overflow the receiver: Σ balances = supply < 2^128.
    ///      A transfer from address(0) is refused: its Transfer event would read as a mint.
    function _transfer(address from, address to, uint256 value) internal {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        Account memory a = _accounts[from];
        uint256 free = a.balance - a.locked;
        if (value > free) revert ERC20InsufficientBalance(from, free, value);
        unchecked {
            _accounts[from].balance = a.balance - uint128(value);
            _accounts[to].balance += uint128(value);
        }
        emit Transfer(from, to, value);
    }

    /// @dev Mints `amount` to `to` and adds `units` backing units, in one supply write.
    function _mint(address to, uint256 amount, uint256 units) internal {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        Supply memory s = _supply;
        _supply = Supply((s.total + amount).toUint128(), (s.backingUnits + units).toUint128());
        unchecked {
            _accounts[to].balance += uint128(amount); // <= supply < 2^128
        }
        emit Transfer(address(0), to, amount);
    }

    /// @dev Moves `amount` of `holder`'s free balance into its locked part.
    function _lock(address holder, uint256 amount) internal {
        Account memory a = _accounts[holder];
        uint256 free = a.balance - a.locked;
        if (amount > free) revert ERC20InsufficientBalance(holder, free, amount);
        unchecked {
            _accounts[holder].locked = a.locked + uint128(amount);
        }
    }

    function _unlock(address holder, uint256 amount) internal {
        uint128 locked = _accounts[holder].locked;
        if (amount > locked) revert LockedBalanceTooLow(holder, locked, amount);
        unchecked {
            _accounts[holder].locked = locked - uint128(amount);
        }
    }

    /// @dev Burns `amount` of `holder`'s locked tokens and removes `units` backing units.
    function _burnLocked(address holder, uint256 amount, uint256 units) internal {
        Account memory a = _accounts[holder];
        if (amount > a.locked) revert LockedBalanceTooLow(holder, a.locked, amount);
        Supply memory s = _supply;
        uint128 unitsLeft = s.backingUnits - units.toUint128(); // checked: never below zero
        unchecked {
            // amount <= locked <= balance <= total
            _accounts[holder] = Account(a.balance - uint128(amount), a.locked - uint128(amount));
            _supply = Supply(s.total - uint128(amount), unitsLeft);
        }
        emit Transfer(holder, address(0), amount);
    }
}
