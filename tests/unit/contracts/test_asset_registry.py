"""AssetRegistry: ids, metadata, and every refusal."""

from __future__ import annotations

import pytest

from ssikit.core.assets import Asset, asset_id, local_chain


def test_register_external_asset__id_is_abi_encoded_chain_and_identity(registry, deployer):
    receipt = registry.registerExternalAsset("stellar", "native", "XLM", 7, sender=deployer)
    expected = asset_id("stellar", "native")
    assert registry.assetId("stellar", "native") == expected
    event = receipt.decode_logs(registry.AssetRegistered)[0]
    assert event.assetId == expected and event.identity == "native"
    stored = registry.asset(expected)
    assert (stored.chain, stored.symbol, stored.decimals, stored.token) == (
        "stellar",
        "XLM",
        7,
        "0x0000000000000000000000000000000000000000",
    )


def test_asset_id__no_collision_between_shifted_strings(registry):
    # encodePacked would give the same bytes for these two pairs; abi.encode does not.
    assert registry.assetId("ab", "c") != registry.assetId("a", "bc")
    assert registry.assetId("ab", "c") == asset_id("ab", "c")


@pytest.mark.parametrize("decimals", [6, 8, 18])
def test_register_local_token__reads_symbol_and_decimals(
    registry, deployer, project, chain, decimals
):
    token = project.TestToken.deploy(f"Token{decimals}", f"T{decimals}", decimals, sender=deployer)
    registry.registerLocalToken(token, sender=deployer)
    expected = Asset.local_token(chain.chain_id, token.address, f"T{decimals}", decimals)
    info = registry.asset(expected.id)
    assert (info.chain, info.symbol, info.decimals, info.token) == (
        local_chain(chain.chain_id),
        f"T{decimals}",
        decimals,
        token.address,
    )
    assert registry.assetInfo(expected.id) == (decimals, token.address)


def test_register__twice__reverts_already_registered(expect_revert, registry, deployer):
    existing = asset_id("bitcoin", "native")
    with expect_revert(registry.AssetAlreadyRegistered, assetId=existing):
        registry.registerExternalAsset("bitcoin", "native", "BTC2", 8, sender=deployer)
    assert registry.asset(existing).symbol == "BTC"


def test_register__decimals_over_24__reverts(expect_revert, registry, deployer):
    """Reserve reports (uint128) and basket amounts (2^160) are sized for 24 decimals."""
    with expect_revert(registry.AssetDecimalsTooLarge, decimals=25, maxDecimals=24):
        registry.registerExternalAsset("mars", "native", "MRS", 25, sender=deployer)
    assert not registry.isRegistered(asset_id("mars", "native"))


def test_register__24_decimals__accepted(registry, deployer):
    registry.registerExternalAsset("mars", "native", "MRS", 24, sender=deployer)
    assert registry.asset(asset_id("mars", "native")).decimals == 24


@pytest.mark.parametrize(
    ("chain_name", "identity", "symbol", "field"),
    [("", "native", "X", "chain"), ("mars", "", "X", "identity"), ("mars", "native", "", "symbol")],
)
def test_register__empty_field__reverts(
    expect_revert, registry, deployer, chain_name, identity, symbol, field
):
    with expect_revert(registry.AssetEmptyField, field=field):
        registry.registerExternalAsset(chain_name, identity, symbol, 8, sender=deployer)


def test_register_external__local_chain__reverts(expect_revert, registry, deployer, chain):
    name = local_chain(chain.chain_id)
    with expect_revert(registry.AssetChainIsLocal, chain=name):
        registry.registerExternalAsset(name, "0xabc", "ABC", 18, sender=deployer)


def test_register_local_token__not_a_token__reverts(expect_revert, registry, deployer, stranger):
    with expect_revert(registry.AssetTokenUnreadable, token=stranger.address):
        registry.registerLocalToken(stranger, sender=deployer)


def test_register__without_admin_role__reverts(expect_revert, registry, roles, stranger):
    with expect_revert(roles.AccessControlUnauthorizedAccount, account=stranger.address):
        registry.registerExternalAsset("mars", "native", "MRS", 8, sender=stranger)
    assert not registry.isRegistered(asset_id("mars", "native"))


def test_asset__unknown__reverts(expect_revert, registry):
    unknown = asset_id("nowhere", "nothing")
    with expect_revert(registry.AssetUnknown, assetId=unknown):
        registry.asset(unknown)
    with expect_revert(registry.AssetUnknown, assetId=unknown):
        registry.requireRegistered([asset_id("bitcoin", "native"), unknown])
