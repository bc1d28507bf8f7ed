"""The WLP's arbitrage bot on a chain: each round it prices the index at NAV, reads the pool,
decides (``bots.arbitrage.decide``) and acts within its limits. It keeps no memory between
rounds: pending requests come from the issuer's events and inventory from balances, so a bot
that restarts in the middle of a pending mint picks up where it left off."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..chain.session import IndexSession
from ..chain.uniswap import Uniswap, reserves, swap_exact_in
from ..core.units import INDEX_UNIT, whole_units
from ..math.amm import get_amount_out
from .arbitrage import Costs, Decision, Limits, decide
from .loop import run_rounds

PriceSource = Callable[[], Mapping[str, Decimal]]
"""USD per whole asset by ticker, now."""


def feed_prices(feeds: Mapping[str, Any], max_age: int | None = None) -> PriceSource:
    """A price source reading Chainlink-style USD feeds (AggregatorV3Interface), by ticker.
    A feed older than ``max_age`` seconds or answering a non-positive price is refused."""

    def read() -> dict[str, Decimal]:
        from ape import chain

        out = {}
        for symbol, feed in feeds.items():
            _, answer, _, updated_at, _ = feed.latestRoundData()
            if int(answer) <= 0:
                raise LookupError(f"{symbol} feed answers {answer}")
            if max_age is not None and int(chain.blocks.head.timestamp) - int(updated_at) > max_age:
                raise LookupError(f"{symbol} feed is stale (updated {updated_at})")
            out[symbol] = Decimal(int(answer)) / Decimal(10 ** int(feed.decimals()))
        return out

    return read


def nav_per_token(
    token: Any, registry: Any, prices: Mapping[str, Decimal], usd_decimals: int
) -> Fraction:
    """{stablecoin base units per whole index token}: Σ amount per token × price, at the current
    fee factor (IndexToken.basket() rounds each amount down)."""
    total = Fraction(0)
    for asset_id, amount in token.basket():
        info = registry.asset(asset_id)
        usd = prices.get(str(info.symbol))
        if usd is None:
            raise LookupError(f"no price for {info.symbol}")
        total += Fraction(int(amount), 10**18) / 10 ** int(info.decimals) * Fraction(usd)
    return Fraction(total * 10**usd_decimals)


@dataclass
class BotConfig:
    costs: Costs
    limits: Limits
    min_usd_balance: int = 0  # {stablecoin base units} the bot never spends below
    max_fee_bps: int = 50


@dataclass
class ArbitrageBot:
    """Keeps one index's Uniswap V2 pool within the band around NAV, as the WLP whose typed
    session (``chain.session.IndexSession``) it is given: its requests, balance and account
    are the session's."""

    market: IndexSession
    uniswap: Uniswap
    usd: Any  # the stablecoin ERC-20
    prices: PriceSource
    config: BotConfig
    log: Callable[[dict[str, Any]], None] = field(default=lambda entry: print(json.dumps(entry)))

    @property
    def token(self) -> Any:
        return self.market.token

    def round(self) -> dict[str, Any]:
        """One decision and what was done about it (also logged as one JSON line)."""
        token, account = self.token, self.market.session.account
        pending = self.market.pending()
        pair = self.uniswap.pair(token.address, self.usd.address)
        reserve_index, reserve_usd = reserves(pair, token.address)
        assets = self.market.session.protocol.assets
        nav = nav_per_token(token, assets, self.prices(), self.usd.decimals())
        decision = decide(nav, reserve_index, reserve_usd, self.config.costs, self.config.limits)
        entry: dict[str, Any] = {
            "nav": float(nav) / 10 ** self.usd.decimals(),
            "pool_price": float(decision.pool_price) / 10 ** self.usd.decimals(),
            "band": [float(b) / 10 ** self.usd.decimals() for b in decision.band],
            "decision": decision.action,
            "amount_index": decision.amount_index / INDEX_UNIT,
            "expected_profit": decision.expected_profit / 10 ** self.usd.decimals(),
            "reasons": decision.reasons,
            "pending": [r.id for r in pending],
        }
        entry["done"] = self._act(decision, token, account, pending)
        self.log(entry)
        return entry

    def _act(self, decision: Decision, token: Any, account: Any, pending: list[Any]) -> str:
        if decision.action == "hold":
            return "nothing"
        free = self.market.free_balance()
        if decision.action == "mint_and_sell":
            if free >= self.config.limits.min_index:  # tokens from an earlier, confirmed mint
                amount = min(free, decision.amount_index)
                pair = self.uniswap.pair(token.address, self.usd.address)
                reserve_index, reserve_usd = reserves(pair, token.address)
                min_out = get_amount_out(amount, reserve_index, reserve_usd)
                swap_exact_in(self.uniswap, token, self.usd, amount, min_out, account)
                return f"sold {amount / INDEX_UNIT:.6f} from inventory"
            if any(r.kind == "mint" for r in pending):
                return "waiting for the pending mint"
            minted = self.market.request_mint(
                whole_units(decision.amount_index, 18), max_fee_bps=self.config.max_fee_bps
            )
            return f"requested mint {minted.id}"
        # buy_and_redeem
        spendable = int(self.usd.balanceOf(account)) - self.config.min_usd_balance
        if decision.amount_usd > spendable:
            return "USD limit reached: not buying"
        swap_exact_in(
            self.uniswap, self.usd, token, decision.amount_usd, decision.amount_index, account
        )
        redeemed = self.market.request_redeem(
            whole_units(decision.amount_index, 18), max_fee_bps=self.config.max_fee_bps
        )
        return f"bought {decision.amount_index / INDEX_UNIT:.6f}, requested redeem {redeemed.id}"

    def run(self, rounds: int, interval: float = 0.0) -> list[dict[str, Any]]:
        """Up to ``rounds`` rounds (stop early with Ctrl-C)."""
        return run_rounds(self.round, rounds, interval, self.log)
