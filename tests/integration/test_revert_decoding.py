"""Reverts from Anvil named by ``ssikit.chain.reverts.describe``: as Ape decoded them, or, when
only the raw revert data is left (a plain JSON-RPC call, a caller without the ABI), from the ABIs
the SDK ships (a selector table: no compiler, no Ape project, no network)."""

from __future__ import annotations

import pytest
from ape.exceptions import ContractLogicError

from ssikit.chain.reverts import decode_error, describe, error_table
from ssikit.core.assets import asset_id


def test_describe__error_raised_below_the_called_contract__named_with_its_values(
    factory, deployer, mag7_params
):
    """The factory asks the asset registry about an unknown asset: the registry's error."""
    from ssikit.builders.index import create_index_args

    unknown = asset_id("nowhere", "nothing")
    basket = sorted([*mag7_params.basket.as_abi(), (unknown, 10**18)])
    name, _, _, fee, max_fee, compiler, recipient = create_index_args(mag7_params)
    args = (name, "FRESH.ssi", basket, fee, max_fee, compiler, recipient)
    with pytest.raises(ContractLogicError) as raised:
        factory.createIndex(args, sender=deployer)
    assert describe(raised.value) == f"AssetUnknown(assetId=0x{unknown.hex()})"


def test_describe__raw_revert_data_of_an_eth_call(index, issuer_contract, wlp, chain):
    """The same table decodes what a plain JSON-RPC ``eth_call`` returns (web3, no Ape)."""
    minimum, maximum = issuer_contract.limits(index)[:2]
    data = issuer_contract.requestMint.encode_input(
        index, 1, index.basketVersion(), 50, 1, chain.blocks.head.timestamp + 3600
    )
    web3 = chain.provider.web3
    with pytest.raises(Exception) as raised:  # web3's ContractCustomError
        web3.eth.call({"from": wlp.address, "to": issuer_contract.address, "data": data})
    assert describe(raised.value) == (
        f"IssuerAmountOutOfLimits(amount=1, minAmount={minimum}, maxAmount={maximum})"
    )


def test_decode_error__unknown_selector__none():
    assert b"\xde\xad\xbe\xef" not in error_table()
    assert decode_error(b"\xde\xad\xbe\xef" + bytes(32)) is None
    assert decode_error(b"\x01") is None
