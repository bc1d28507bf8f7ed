"""The WLP's arbitrage decision (pure): keep the pool price of an index token within the band
around its net asset value (NAV) that the round trip's costs define.

- Premium (pool price above NAV × (1 + mint fee) + costs): mint at NAV, sell into the pool.
- Discount (pool price below NAV × (1 - redeem fee) - costs): buy from the pool, redeem at NAV.

Sizes bring the pool's spot price back to the band's edge (never past it), are cut to the
configured limits, and a trade is made only if its expected profit after every cost (protocol
fee, pool fee, gas) exceeds the threshold. Units: index amounts in index wei (18 decimals),
stablecoin amounts in its base units, prices in stablecoin base units per whole index token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from ..core.units import BPS, INDEX_UNIT
from ..math.amm import get_amount_in, get_amount_out


@dataclass(frozen=True)
class Costs:
    mint_fee_bps: int
    redeem_fee_bps: int
    gas_usd: int  # {stablecoin base units} per round trip (request, confirm, swap)
    threshold_bps: int = 10  # extra margin beyond the costs before acting


@dataclass(frozen=True)
class Limits:
    max_index: int  # {index wei} per decision
    max_usd: int  # {stablecoin base units} per decision
    min_index: int = INDEX_UNIT // 1000  # below this, not worth a request


@dataclass(frozen=True)
class Decision:
    action: str  # "mint_and_sell" | "buy_and_redeem" | "hold"
    amount_index: int  # {index wei} minted and sold, or bought and redeemed
    amount_usd: int  # {stablecoin base units} received from the pool, or paid into it
    expected_profit: int  # {stablecoin base units} after every cost
    pool_price: Fraction  # {stablecoin base units per whole token} before
    price_after: Fraction  # after the swap
    band: tuple[Fraction, Fraction]  # (lower, upper) edges
    reasons: list[str] = field(default_factory=list)


def spot(reserve_index: int, reserve_usd: int) -> Fraction:
    """{stablecoin base units per whole index token}"""
    return Fraction(reserve_usd * INDEX_UNIT, reserve_index)


def band(nav: Fraction, costs: Costs) -> tuple[Fraction, Fraction]:
    """Pool prices between which no trade pays: NAV less the redeem leg's costs, NAV plus the
    mint leg's (the pool fee is 0.3% on the swap; gas is counted per trade, not here)."""
    pool_fee = Fraction(3, 1000)
    lower = nav * (1 - Fraction(costs.redeem_fee_bps + costs.threshold_bps, BPS) - pool_fee)
    upper = nav * (1 + Fraction(costs.mint_fee_bps + costs.threshold_bps, BPS) + pool_fee)
    return lower, upper


def _largest(predicate: Callable[[int], bool], high: int) -> int:
    """The largest n in [0, high] with predicate(n) true (predicate monotone, true at 0)."""
    low = 0
    while low < high:
        mid = (low + high + 1) // 2
        if predicate(mid):
            low = mid
        else:
            high = mid - 1
    return low


def decide(
    nav: Fraction,
    reserve_index: int,
    reserve_usd: int,
    costs: Costs,
    limits: Limits,
) -> Decision:
    """What to do this round. ``nav``: stablecoin base units per whole index token."""
    price = spot(reserve_index, reserve_usd)
    lower, upper = band(nav, costs)

    def hold(reason: str) -> Decision:
        return Decision("hold", 0, 0, 0, price, price, (lower, upper), [reason])

    if lower <= price <= upper:
        return hold(f"pool price {float(price):.4f} within the band")
    if price > upper:
        # Sell minted tokens until the spot price reaches the band's upper edge.
        def still_above(amount: int) -> bool:
            if amount == 0:
                return True
            out = get_amount_out(amount, reserve_index, reserve_usd)
            return spot(reserve_index + amount, reserve_usd - out) >= upper

        size = min(_largest(still_above, limits.max_index), limits.max_index)
        if size < limits.min_index:
            return hold("premium too thin for the minimum trade")
        received = get_amount_out(size, reserve_index, reserve_usd)
        cost = nav * size / INDEX_UNIT * (1 + Fraction(costs.mint_fee_bps, BPS))
        profit = int(received - cost) - costs.gas_usd
        if cost > limits.max_usd:
            return hold("the mint would exceed the USD limit")
        after = spot(reserve_index + size, reserve_usd - received)
        if profit <= 0:
            return hold(f"unprofitable after costs ({profit})")
        return Decision(
            "mint_and_sell",
            size,
            received,
            profit,
            price,
            after,
            (lower, upper),
            [f"premium: pool {float(price):.4f} > upper {float(upper):.4f}"],
        )

    # Discount: buy tokens with USD until the spot price reaches the band's lower edge.
    def still_below(amount: int) -> bool:
        if amount == 0:
            return True
        paid = get_amount_in(amount, reserve_usd, reserve_index)
        return spot(reserve_index - amount, reserve_usd + paid) <= lower

    size = _largest(still_below, min(limits.max_index, reserve_index - 1))
    if size < limits.min_index:
        return hold("discount too thin for the minimum trade")
    paid = get_amount_in(size, reserve_usd, reserve_index)
    if paid > limits.max_usd:
        size = _largest(
            lambda n: n == 0 or get_amount_in(n, reserve_usd, reserve_index) <= limits.max_usd,
            size,
        )
        if size < limits.min_index:
            return hold("the USD limit leaves less than the minimum trade")
        paid = get_amount_in(size, reserve_usd, reserve_index)
    proceeds = nav * size / INDEX_UNIT * (1 - Fraction(costs.redeem_fee_bps, BPS))
    profit = int(proceeds - paid) - costs.gas_usd
    after = spot(reserve_index - size, reserve_usd + paid)
    if profit <= 0:
        return hold(f"unprofitable after costs ({profit})")
    return Decision(
        "buy_and_redeem",
        size,
        paid,
        profit,
        price,
        after,
        (lower, upper),
        [f"discount: pool {float(price):.4f} < lower {float(lower):.4f}"],
    )
