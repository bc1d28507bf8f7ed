"""IndexFactory: creation, the registry of indices, and every refusal."""

from __future__ import annotations

import pytest

from ssikit.builders.index import create_index_args
from ssikit.core.assets import MAG7_ASSETS, asset_id

ZERO = "0x0000000000000000000000000000000000000000"


def _args(params, **changes):
    """Raw CreateIndexParams with fields replaced, bypassing the SDK's own validation."""
    name, _symbol, basket, fee, max_fee, compiler, recipient = create_index_args(params)
    fields = dict(
        name=name,
        symbol="FRESH.ssi",
        basket=basket,
        fee=fee,
        max_fee=max_fee,
        compiler=compiler,
        recipient=recipient,
    )
    fields.update(changes)
    return tuple(fields.values())


def test_create_index__registers_and_wires_roles(factory, roles, deployer, mag7_params, project):
    mag7_params = mag7_params.model_copy(update={"symbol": "NEW7.ssi"})
    receipt = factory.createIndex(create_index_args(mag7_params), sender=deployer)
    event = receipt.decode_logs(factory.IndexCreated)[0]
    token = project.IndexToken.at(event.index)
    assert (event.symbol, event.name, event.feeRate, event.maxFeeRate) == (
        "NEW7.ssi",
        "SoSoValue MAG7 Index",
        mag7_params.fee_rate,
        mag7_params.max_fee_rate,
    )
    assert factory.indexOf("NEW7.ssi") == token.address
    assert factory.isIndex(token)
    assert token.factory() == factory.address
    assert roles.hasIndexRole(roles.INDEX_COMPILER_ROLE(), token, mag7_params.compiler)
    assert roles.hasIndexRole(roles.FEE_RECIPIENT_ROLE(), token, mag7_params.fee_recipient)
    assert not roles.hasIndexRole(roles.INDEX_COMPILER_ROLE(), token, mag7_params.fee_recipient)


def test_is_index__other_addresses__false(factory, stranger, registry):
    assert not factory.isIndex(stranger)  # no code
    assert not factory.isIndex(registry)  # code, but no symbol()
    assert factory.indexOf("NOPE") == ZERO


def test_create_index__symbol_taken__reverts(expect_revert, factory, deployer, mag7, mag7_params):
    with expect_revert(factory.FactorySymbolTaken, symbol="MAG7.ssi", index=mag7.address):
        factory.createIndex(_args(mag7_params, symbol="MAG7.ssi", name="Another"), sender=deployer)


def test_create_index__by_non_admin__reverts(expect_revert, factory, roles, stranger, mag7_params):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        factory.createIndex(_args(mag7_params), sender=stranger)
    assert factory.indexOf("FRESH.ssi") == ZERO


def test_create_index__empty_basket__reverts(
    expect_revert, factory, deployer, mag7_params, project
):
    token = project.IndexToken
    with expect_revert(token.BasketSizeInvalid, size=0, maxSize=32):
        factory.createIndex(_args(mag7_params, basket=[]), sender=deployer)


def test_create_index__too_many_components__reverts(
    expect_revert, factory, deployer, mag7_params, project
):
    basket = [(i.to_bytes(32, "big"), 1) for i in range(1, 34)]
    with expect_revert(project.IndexToken.BasketSizeInvalid, size=33, maxSize=32):
        factory.createIndex(_args(mag7_params, basket=basket), sender=deployer)


def test_create_index__duplicate_asset__reverts(
    expect_revert, factory, deployer, mag7_params, project
):
    basket = mag7_params.basket.as_abi()
    duplicated = [basket[0], basket[0], *basket[1:]]
    with expect_revert(project.IndexToken.BasketDuplicateAsset, assetId=basket[0][0]):
        factory.createIndex(_args(mag7_params, basket=duplicated), sender=deployer)


def test_create_index__unsorted_basket__reverts(
    expect_revert, factory, deployer, mag7_params, project
):
    basket = mag7_params.basket.as_abi()
    with expect_revert(project.IndexToken.BasketNotSorted, position=1):
        factory.createIndex(
            _args(mag7_params, basket=[basket[1], basket[0], *basket[2:]]), sender=deployer
        )


def test_create_index__zero_amount__reverts(expect_revert, factory, deployer, mag7_params, project):
    basket = mag7_params.basket.as_abi()
    basket[3] = (basket[3][0], 0)
    with expect_revert(project.IndexToken.BasketZeroAmount, assetId=basket[3][0]):
        factory.createIndex(_args(mag7_params, basket=basket), sender=deployer)


def test_create_index__unknown_asset__reverts(
    expect_revert, factory, deployer, mag7_params, registry
):
    unknown = asset_id("nowhere", "nothing")
    basket = sorted([*mag7_params.basket.as_abi(), (unknown, 10**18)])
    with expect_revert(registry.AssetUnknown, assetId=unknown):
        factory.createIndex(_args(mag7_params, basket=basket), sender=deployer)


def test_create_index__fee_above_cap__reverts(expect_revert, factory, deployer, mag7_params):
    cap = mag7_params.max_fee_rate
    with expect_revert(factory.FactoryFeeRateInvalid, feeRate=cap + 1, maxFeeRate=cap):
        factory.createIndex(_args(mag7_params, fee=cap + 1), sender=deployer)


def test_create_index__cap_above_ceiling__reverts(expect_revert, factory, deployer, mag7_params):
    ceiling = factory.FEE_RATE_CEILING()
    with expect_revert(factory.FactoryFeeRateInvalid, maxFeeRate=ceiling + 1, ceiling=ceiling):
        factory.createIndex(_args(mag7_params, max_fee=ceiling + 1), sender=deployer)


@pytest.mark.parametrize("field", ["name", "symbol"])
@pytest.mark.parametrize("value", ["", "x" * 32])
def test_create_index__bad_name_or_symbol__reverts(
    expect_revert, factory, deployer, mag7_params, field, value
):
    with expect_revert(factory.FactoryInvalidName, value=value):
        factory.createIndex(_args(mag7_params, **{field: value}), sender=deployer)


@pytest.mark.parametrize("field", ["compiler", "recipient"])
def test_create_index__zero_role_holder__reverts(
    expect_revert, factory, deployer, mag7_params, field
):
    with expect_revert(factory.FactoryZeroAddress):
        factory.createIndex(_args(mag7_params, **{field: ZERO}), sender=deployer)


def test_create_index__seven_assets_of_other_chains(mag7, registry):
    ids = {c.assetId for c in mag7.basket()}
    assert ids == {a.id for a in MAG7_ASSETS}
    for component in mag7.basket():
        assert registry.asset(component.assetId).token == ZERO
