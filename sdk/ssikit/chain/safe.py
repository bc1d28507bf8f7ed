"""A real Safe (v1.4.1, the official bytecode from the npm package `@safe-global/safe-contracts`,
shipped in the SDK's artifacts) on a local chain, and executing a Safe transaction signed by its
owners (EIP-712 SafeTx)."""

from __future__ import annotations

from typing import Any

from .artifacts import container

ZERO = "0x0000000000000000000000000000000000000000"


def deploy_safe(owners: list[str], threshold: int, sender: Any, salt: int = 0) -> Any:
    """A Safe proxy over a fresh singleton, set up with ``owners`` and ``threshold``."""
    singleton = container("Safe").deploy(sender=sender)
    factory = container("SafeProxyFactory").deploy(sender=sender)
    setup = singleton.setup.encode_input(owners, threshold, ZERO, b"", ZERO, ZERO, 0, ZERO)
    receipt = factory.createProxyWithNonce(singleton.address, setup, salt, sender=sender)
    proxy = receipt.decode_logs(factory.ProxyCreation)[0].proxy
    return container("Safe").at(proxy)


def exec_transaction(safe: Any, to: str, data: bytes, owners: list[Any], sender: Any) -> Any:
    """Executes a call from the Safe, signed by ``owners`` over the EIP-712 SafeTx hash
    (signatures sorted by owner address, as the Safe requires)."""
    from eth_account import Account

    nonce = safe.call_view_method("nonce")  # `nonce` is also the account nonce in Ape
    tx_hash = safe.getTransactionHash(to, 0, data, 0, 0, 0, 0, ZERO, ZERO, nonce)
    signatures = b""
    for owner in sorted(owners, key=lambda a: int(a.address, 16)):
        signed = Account.unsafe_sign_hash(bytes(tx_hash), owner.private_key)
        signatures += (
            signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])
        )
    return safe.execTransaction(to, 0, data, 0, 0, 0, 0, ZERO, ZERO, signatures, sender=sender)
