"""`chain.asset_setup.set_up_asset`: one idempotent step registers an asset, gives it a USD feed
and opens its reserve account for an index with its custodians; a second identical call sends
nothing; a setting that differs from the chain's is refused before anything is sent, unless it
is meant to replace it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ssikit.chain import asset_setup
from ssikit.chain.asset_setup import AssetSetupConflict, AssetSetupError, set_up_asset
from ssikit.chain.transact import Refused
from ssikit.core.assets import KNOWN_ASSETS, Asset

DAY = 86_400


def _untouched(deployer, chain):
    """(the deployer's nonce, the head block): a call that sent nothing leaves both as they were."""
    return deployer.nonce, chain.blocks.head.number


def test_set_up_asset__first_call_sets_up__second_sends_nothing(
    protocol, mag7, deployer, custodian, project, chain
):
    dot = KNOWN_ASSETS["DOT"]
    kwargs = dict(
        price=Decimal("7.2"),
        feed_max_age=DAY,
        index=mag7.address,
        custodians=[custodian.address],
        reserve_max_age=2 * DAY,
        sender=deployer,
    )
    assert not protocol.assets.isRegistered(dot.id)

    first = set_up_asset(protocol, dot, **kwargs)
    assert first.actions == (
        "register DOT",
        "deploy TestPriceFeed DOT",
        "feed DOT",
        f"open DOT account of {mag7.address}",
        f"custodian {custodian.address} of DOT for {mag7.address}",
    )
    assert protocol.assets.isRegistered(dot.id)
    stored = protocol.assets.asset(dot.id)
    assert (stored.symbol, stored.decimals, stored.chain) == ("DOT", dot.decimals, dot.chain)
    feed, max_age, decimals = protocol.assets.priceFeed(dot.id)
    assert (first.feed, first.feed_max_age) == (feed, DAY) and (max_age, decimals) == (DAY, 8)
    assert project.TestPriceFeed.at(feed).latestRoundData()[1] == 720_000_000  # {USD × 1e8}
    opened, reserve_age, count, local = protocol.oracle.accountConfig(mag7, dot.id)
    assert (opened, reserve_age, count, local) == (True, 2 * DAY, 1, False)
    assert protocol.oracle.isCustodianOf(custodian, mag7, dot.id)

    before = _untouched(deployer, chain)
    second = set_up_asset(protocol, dot, **kwargs)
    assert second.actions == () and not second.changed
    assert _untouched(deployer, chain) == before  # not a single transaction sent
    assert second.feed == first.feed and second.custodians == (custodian.address,)


def test_set_up_asset__another_feed__refused_until_replace(protocol, deployer, project, chain):
    """The live-like path (a feed's address, as a Chainlink aggregator's): another address for
    an asset that has a feed is refused, nothing sent; with ``replace`` it replaces it."""
    ltc = KNOWN_ASSETS["LTC"]
    first_feed = project.TestPriceFeed.deploy(8, "LTC / USD", 70 * 10**8, sender=deployer)
    other_feed = project.TestPriceFeed.deploy(8, "LTC / USD v2", 71 * 10**8, sender=deployer)
    setup = set_up_asset(protocol, ltc, feed=first_feed.address, sender=deployer)
    assert setup.actions == ("register LTC", "feed LTC") and setup.feed == first_feed.address
    assert set_up_asset(protocol, ltc, feed=first_feed.address, sender=deployer).actions == ()

    before = _untouched(deployer, chain)
    with pytest.raises(AssetSetupConflict, match=r"feed is 0x.* on chain, not 0x") as err:
        set_up_asset(protocol, ltc, feed=other_feed.address, sender=deployer)
    assert (err.value.field, err.value.current, err.value.wanted) == (
        "feed",
        first_feed.address,
        other_feed.address,
    )
    with pytest.raises(AssetSetupConflict) as err:  # the same feed, another staleness limit
        set_up_asset(protocol, ltc, feed=first_feed.address, feed_max_age=60, sender=deployer)
    assert (err.value.field, err.value.current, err.value.wanted) == ("feed_max_age", DAY, 60)
    assert _untouched(deployer, chain) == before
    assert protocol.assets.priceFeed(ltc.id)[0] == first_feed.address

    replaced = set_up_asset(
        protocol, ltc, feed=other_feed.address, feed_max_age=3_600, replace=True, sender=deployer
    )
    assert replaced.actions == ("feed LTC",)
    assert protocol.assets.priceFeed(ltc.id)[:2] == (other_feed.address, 3_600)
    assert (replaced.feed, replaced.feed_max_age) == (other_feed.address, 3_600)


def test_set_up_asset__price_on_a_live_chain__refused_nothing_sent(
    protocol, deployer, chain, monkeypatch
):
    monkeypatch.setattr(asset_setup, "LOCAL_CHAIN_IDS", ())  # this chain counts as live
    before = _untouched(deployer, chain)
    with pytest.raises(AssetSetupError, match=r"no price feed for BCH on chain .*Chainlink"):
        set_up_asset(protocol, KNOWN_ASSETS["BCH"], price=Decimal(250), sender=deployer)
    assert _untouched(deployer, chain) == before
    assert not protocol.assets.isRegistered(KNOWN_ASSETS["BCH"].id)


def test_set_up_asset__other_reserve_max_age__refused_until_replace(
    protocol, mag7, deployer, custodian, chain
):
    btc = KNOWN_ASSETS["BTC"]  # registered, with a feed, by the `protocol` fixture
    new = mag7.address
    set_up_asset(protocol, btc, index=new, custodians=[custodian.address], sender=deployer)
    before = _untouched(deployer, chain)
    with pytest.raises(AssetSetupConflict, match="reserve_max_age is 86400 on chain, not 60"):
        set_up_asset(protocol, btc, index=new, reserve_max_age=60, sender=deployer)
    assert _untouched(deployer, chain) == before
    moved = set_up_asset(
        protocol, btc, index=new, reserve_max_age=60, replace=True, sender=deployer
    )
    assert moved.actions == (f"reserve max age BTC of {new}",)
    assert protocol.oracle.accountConfig(new, btc.id)[1] == 60


def test_set_up_asset__erc20_of_this_chain__registered_from_the_token_no_custodians(
    protocol, mag7, deployer, custodian, project, chain
):
    token = project.TestToken.deploy("Local", "LOC", 6, sender=deployer)
    local = Asset.local_token(chain.chain_id, token.address, "LOC", 6)
    setup = set_up_asset(
        protocol,
        local,
        price=Decimal(1),
        index=mag7.address,
        custodians=[custodian.address],
        sender=deployer,
    )
    assert setup.actions == (
        "register LOC",
        "deploy TestPriceFeed LOC",
        "feed LOC",
        f"open LOC account of {mag7.address}",
    )
    assert setup.custodians == ()  # the vault's ledger is its reserve
    assert protocol.assets.assetInfo(local.id) == (6, token.address)
    assert tuple(protocol.oracle.accountConfig(mag7, local.id)) == (True, DAY, 0, True)


def test_set_up_asset__registered_under_other_metadata__refused(protocol, deployer):
    btc = KNOWN_ASSETS["BTC"]
    wrong = btc.model_copy(update={"decimals": 18})
    with pytest.raises(AssetSetupConflict, match="decimals is 8 on chain, not 18"):
        set_up_asset(protocol, wrong, sender=deployer)


def test_set_up_asset__not_the_admin__refused_by_the_simulation(protocol, stranger, chain):
    nonce, head = stranger.nonce, chain.blocks.head.number
    with pytest.raises(Refused, match="AccessControlUnauthorizedAccount"):
        set_up_asset(protocol, KNOWN_ASSETS["TRX"], sender=stranger)
    assert (stranger.nonce, chain.blocks.head.number) == (nonce, head)
