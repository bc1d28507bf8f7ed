"""Ready-made index parameters."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from ..core.basket import basket_from_weights
from ..core.index import IndexParams
from ..math.fees import per_second_rate
from ..methodology.compose import Announcement, Constituent
from ..methodology.weights import hybrid_weights
from .synthetic import synthetic_market_caps, synthetic_prices

MAG7_FEE_ANNUAL = "0.0095"
"""Management fee of the demo's MAG7.ssi: 0.95% a year."""
MAG7_MAX_FEE_ANNUAL = "0.05"
"""Its cap, fixed at creation: 5% a year."""
MAG7_INITIAL_NAV = Fraction(100)
"""USD value of one MAG7.ssi at creation."""


def mag7_params(compiler: str, fee_recipient: str) -> IndexParams:
    """MAG7.ssi on the synthetic snapshot: hybrid weights, $100 per token."""
    weights = hybrid_weights(synthetic_market_caps())
    basket = basket_from_weights(weights, synthetic_prices(), MAG7_INITIAL_NAV)
    return IndexParams(
        name="SoSoValue MAG7 Index",
        symbol="MAG7.ssi",
        basket=basket,
        fee_rate=per_second_rate(MAG7_FEE_ANNUAL),
        max_fee_rate=per_second_rate(MAG7_MAX_FEE_ANNUAL),
        compiler=compiler,
        fee_recipient=fee_recipient,
    )


# The rebalance the gas benchmark and the tests use: MAG7 with ADA and DOGE replaced by DOT and LTC.
REBALANCE_SYMBOLS = ("BTC", "ETH", "BNB", "SOL", "XRP", "DOT", "LTC")
REBALANCE_WEIGHTS = (0.28, 0.18, 0.11, 0.11, 0.11, 0.105, 0.105)


def fixed_announcement(
    symbols: tuple[str, ...] = REBALANCE_SYMBOLS,
    weights: tuple[float, ...] = REBALANCE_WEIGHTS,
    reason: str = "fixed example",
) -> Announcement:
    """A hand-made MAG7 announcement (2024-02-26, effective 2024-03-01) with these constituents
    and weights, for benchmarks and tests that need a rebalance without market data."""
    return Announcement(
        index="MAG7",
        reference_date=date(2024, 2, 26),
        announcement_date=date(2024, 2, 26),
        implementation_date=date(2024, 3, 1),
        constituents=[
            Constituent(
                asset_id=s.lower(),
                symbol=s,
                rank=k + 1,
                weight=w,
                ref_market_cap=1e9,
                ref_volume=1e8,
                action="keep",
                reason=reason,
            )
            for k, (s, w) in enumerate(zip(symbols, weights, strict=True))
        ],
        removed=[],
        excluded={},
        unverified_rules=[],
        eligible_count=20,
    )
