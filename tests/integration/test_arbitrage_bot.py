"""The WLP's arbitrage bot against a real Uniswap V2 pool: it closes a premium by minting and
selling, and a discount by buying and redeeming; restarted in the middle of a pending mint, it
finds the request from the chain's events and does not mint twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ssikit.bots.arbitrage import Costs, Limits, band
from ssikit.bots.runner import ArbitrageBot, BotConfig, nav_per_token
from ssikit.chain.issuance import WlpClient
from ssikit.chain.session import Session
from ssikit.chain.uniswap import add_liquidity, deploy_uniswap, reserves
from ssikit.core.units import INDEX_UNIT
from ssikit.presets.synthetic import synthetic_prices

USDC = 10**6
REFS7 = [bytes([i]) * 32 for i in range(1, 8)]
PRICES = {
    a.symbol: Decimal(p.numerator) / Decimal(p.denominator) for a, p in synthetic_prices().items()
}
CONFIG = dict(
    costs=Costs(mint_fee_bps=10, redeem_fee_bps=20, gas_usd=USDC, threshold_bps=10),
    limits=Limits(max_index=1_000 * INDEX_UNIT, max_usd=10**6 * USDC),
)


@pytest.fixture
def market(
    index, protocol, deployer, wlp, cover, mint_request, issuer_contract, custodian, project
):
    """The WLP holds 1,000 MAG7.ssi (minted through the issuer) and 1M test USDC."""
    request, _ = mint_request(index, 1_000 * INDEX_UNIT)
    cover(index, 1_000 * INDEX_UNIT)
    issuer_contract.confirmMint(request.as_abi(), REFS7, sender=custodian)
    usd = project.TestToken.deploy("USD Coin (test)", "USDC", 6, sender=deployer)
    usd.mint(wlp, 10**6 * USDC, sender=deployer)
    uniswap = deploy_uniswap(deployer)
    nav = nav_per_token(index, protocol.assets, PRICES, 6)
    return usd, uniswap, nav


def _bot(protocol, wlp, uniswap, usd, log):
    market = Session(protocol, wlp).index("MAG7.ssi")
    return ArbitrageBot(market, uniswap, usd, lambda: PRICES, BotConfig(**CONFIG), log=log.append)


def _price(pair, index, usd_decimals=6):
    reserve_index, reserve_usd = reserves(pair, index.address)
    return reserve_usd * INDEX_UNIT / reserve_index / 10**usd_decimals


def test_premium__mint_then_sell__restart_does_not_mint_twice(
    market, index, protocol, wlp, custodian, cover, issuer_contract
):
    usd, uniswap, nav = market
    # The pool trades 5% above NAV.
    pair = add_liquidity(uniswap, index, usd, 400 * INDEX_UNIT, int(400 * nav * 105 / 100), wlp)
    log: list = []
    # The WLP's remaining tokens go elsewhere, so the bot has no inventory and must mint.
    index.transfer(custodian, index.balanceOf(wlp), sender=wlp)
    first = _bot(protocol, wlp, uniswap, usd, log).round()
    assert first["decision"] == "mint_and_sell" and first["done"].startswith("requested mint")

    restarted = _bot(protocol, wlp, uniswap, usd, log)  # a new process: no memory
    again = restarted.round()
    assert again["done"] == "waiting for the pending mint"
    assert [r.kind for r in restarted.market.pending()] == ["mint"]
    assert again["pending"] == [r.id for r in restarted.market.pending()]

    # The custodian receives the basket and confirms; the bot sells the new tokens.
    (pending,) = WlpClient(protocol, wlp).pending()
    cover(index, pending.request.amount)
    issuer_contract.confirmMint(pending.request.as_abi(), REFS7, sender=custodian)
    sold = restarted.round()
    assert sold["decision"] == "mint_and_sell" and sold["done"].startswith("sold")
    lower, upper = band(nav, CONFIG["costs"])
    assert float(lower) / USDC <= _price(pair, index) <= float(upper) / USDC * 1.0001
    assert restarted.round()["decision"] == "hold"


def test_discount__buy_and_redeem_brings_the_pool_back(market, index, protocol, wlp):
    usd, uniswap, nav = market
    pair = add_liquidity(uniswap, index, usd, 400 * INDEX_UNIT, int(400 * nav * 95 / 100), wlp)
    log: list = []
    bot = _bot(protocol, wlp, uniswap, usd, log)
    entry = bot.round()
    assert entry["decision"] == "buy_and_redeem" and "requested redeem" in entry["done"]
    lower, _ = band(nav, CONFIG["costs"])
    assert _price(pair, index) >= float(lower) / USDC * 0.9999
    assert [r.kind for r in bot.market.pending()] == ["redeem"]
    assert bot.round()["decision"] == "hold"
    assert len(log) == 2 and all("nav" in e and "pool_price" in e for e in log)


def test_price_source__chainlink_style_feeds_give_the_same_nav(
    index, protocol, deployer, project, chain
):
    from ssikit.bots.runner import feed_prices

    feeds = {
        symbol: project.TestPriceFeed.deploy(
            8, f"{symbol} / USD", int(price * 10**8), sender=deployer
        )
        for symbol, price in PRICES.items()
    }
    from_feeds = feed_prices(feeds, max_age=3600)()
    assert nav_per_token(index, protocol.assets, from_feeds, 6) == pytest.approx(
        float(nav_per_token(index, protocol.assets, PRICES, 6)), rel=1e-8
    )
    chain.mine(1, timestamp=chain.blocks.head.timestamp + 7200)
    with pytest.raises(LookupError, match="stale"):
        feed_prices(feeds, max_age=3600)()
