"""A real Uniswap V2 market (official npm bytecode) pairing an index token with a USD
stablecoin; the SDK's pool arithmetic agrees with the deployed contracts to the unit."""

from __future__ import annotations

from ssikit.bots.arbitrage import spot
from ssikit.chain.uniswap import add_liquidity, deploy_uniswap, reserves, swap_exact_in
from ssikit.core.units import INDEX_UNIT
from ssikit.math.amm import get_amount_out

USDC = 10**6


def test_pool__seeded_at_nav_and_swaps_match_the_sdk_math(
    direct_mag7, issuer, holder, deployer, project
):
    usd = project.TestToken.deploy("USD Coin (test)", "USDC", 6, sender=deployer)
    usd.mint(holder, 10**7 * USDC, sender=deployer)
    direct_mag7.mint(holder, 2_000 * INDEX_UNIT, 0, direct_mag7.feeFactor(), sender=issuer)
    uniswap = deploy_uniswap(deployer)
    pair = add_liquidity(
        uniswap, direct_mag7, usd, 1_000 * INDEX_UNIT, 100_000 * USDC, provider=holder
    )
    index_reserve, usd_reserve = reserves(pair, direct_mag7.address)
    assert (index_reserve, usd_reserve) == (1_000 * INDEX_UNIT, 100_000 * USDC)
    assert spot(index_reserve, usd_reserve) == 100 * USDC

    expected = get_amount_out(10 * INDEX_UNIT, index_reserve, usd_reserve)
    before = usd.balanceOf(holder)
    swap_exact_in(uniswap, direct_mag7, usd, 10 * INDEX_UNIT, expected, trader=holder)
    assert usd.balanceOf(holder) - before == expected  # the SDK mirror, to the unit
    assert reserves(pair, direct_mag7.address) == (
        index_reserve + 10 * INDEX_UNIT,
        usd_reserve - expected,
    )
