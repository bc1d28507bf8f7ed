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
contract CustodyVault is ICustodyVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RoleCheck for IProtocolRoles;

    IProtocolRoles public immutable ROLES;

    constructor(IProtocolRoles roles) {
        ROLES = roles;
    }

    /// @inheritdoc ICustodyVault
    function release(address token, address to, uint256 amount) external override nonReentrant {
        ROLES.check(RoleIds.ISSUER, msg.sender);
        // Trust assumption: `token` is a registered asset's ERC-20 (the issuer only releases those).
        IERC20(token).safeTransfer(to, amount);
        emit Released(token, to, amount, msg.sender);
    }
}
