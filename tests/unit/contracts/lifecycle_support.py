"""Requests made and accepted directly on an issuer contract, for the lifecycle tests (which use
several issuer versions, so the session's `mint_request` / `accept_redeem` fixtures, bound to
the deployment's issuer, do not fit)."""

from __future__ import annotations

from dataclasses import replace

DAY = 86_400


def request_on(issuer, who, chain, token, amount, nonce, is_mint=True, ttl=DAY):
    from ssikit.builders.requests import Request

    version, deadline = token.basketVersion(), chain.blocks.head.timestamp + ttl
    call = issuer.requestMint if is_mint else issuer.requestRedeem
    receipt = call(token, amount, version, 50, nonce, deadline, sender=who)
    event = issuer.MintRequested if is_mint else issuer.RedeemRequested
    factor = receipt.decode_logs(event)[0].factor
    return Request(
        requester=who.address,
        index=token.address,
        amount=amount,
        basket_version=version,
        max_fee_bps=50,
        nonce=nonce,
        deadline=deadline,
        factor=factor,
    )


def accept_on(issuer, custodian, request):
    from ssikit.builders.requests import Settlement

    log = issuer.acceptRedeem(request.as_abi(), sender=custodian).decode_logs(
        issuer.RedeemAccepted
    )[0]
    return Settlement(fee_bps=log.feeBps, factor=log.factor)


def configure_on(protocol, deployer, path, issuer, token, custodians, wlps):
    """Limits, fees and roles of `token` on `issuer` (another issuer version)."""
    from ssikit.chain.protocol import Deployment, IssuanceSettings, configure_issuance

    configure_issuance(
        Deployment(deployer, path=path),
        replace(protocol, issuer=issuer),
        token,
        IssuanceSettings(max_age=DAY),
        custodians,
        wlps,
    )
