"""A real Uniswap V2 market on a local chain: the official factory, router and WETH9 deployed from
the bytecode published in the npm packages ``@uniswap/v2-core`` and ``@uniswap/v2-periphery``,
shipped in the SDK's artifacts (no compiling: the pair's init-code hash matches the router's
constant, as on mainnet)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .artifacts import container


@dataclass(frozen=True)
class Uniswap:
    factory: Any
    router: Any
    weth: Any

    def pair(self, token_a: str, token_b: str) -> Any:
        address = self.factory.getPair(token_a, token_b)
        if int(address, 16) == 0:
            raise LookupError(f"no pair for {token_a} / {token_b}")
        return container("UniswapV2Pair").at(address)


def deploy_uniswap(sender: Any) -> Uniswap:
    """WETH9, the factory (fee switch off, `sender` may turn it on) and Router02."""
    weth = container("WETH9").deploy(sender=sender)
    factory = container("UniswapV2Factory").deploy(sender.address, sender=sender)
    router = container("UniswapV2Router02").deploy(factory.address, weth.address, sender=sender)
    return Uniswap(factory=factory, router=router, weth=weth)


def add_liquidity(
    uniswap: Uniswap, token_a: Any, token_b: Any, amount_a: int, amount_b: int, provider: Any
) -> Any:
    """Seeds (or adds to) the pool of two ERC-20s at the ratio given; returns the pair."""
    from ape import chain

    for token, amount in ((token_a, amount_a), (token_b, amount_b)):
        token.approve(uniswap.router.address, amount, sender=provider)
    uniswap.router.addLiquidity(
        token_a.address,
        token_b.address,
        amount_a,
        amount_b,
        0,
        0,
        provider.address,
        chain.blocks.head.timestamp + 3600,
        sender=provider,
    )
    return uniswap.pair(token_a.address, token_b.address)


def reserves(pair: Any, token: str) -> tuple[int, int]:
    """(reserve of ``token``, reserve of the other token)."""
    r0, r1, _ = pair.getReserves()
    return (int(r0), int(r1)) if pair.token0().lower() == token.lower() else (int(r1), int(r0))


def swap_exact_in(
    uniswap: Uniswap, token_in: Any, token_out: Any, amount_in: int, min_out: int, trader: Any
) -> Any:
    """Sells exactly ``amount_in`` of ``token_in`` for at least ``min_out`` of ``token_out``."""
    from ape import chain

    token_in.approve(uniswap.router.address, amount_in, sender=trader)
    return uniswap.router.swapExactTokensForTokens(
        amount_in,
        min_out,
        [token_in.address, token_out.address],
        trader.address,
        chain.blocks.head.timestamp + 600,
        sender=trader,
    )


def load_uniswap(record: Any) -> Uniswap:
    """The Uniswap V2 contracts recorded in a chain's deployments record."""
    found = {}
    for name in ("WETH9", "UniswapV2Factory", "UniswapV2Router02"):
        deployed = record.contracts.get(name)
        if deployed is None:
            raise LookupError(f"{name} is not deployed on this chain (see `ape run demo`)")
        found[name] = container(name).at(deployed.address)
    return Uniswap(
        factory=found["UniswapV2Factory"], router=found["UniswapV2Router02"], weth=found["WETH9"]
    )
