"""Ready-made index parameters."""

from __future__ import annotations

from fractions import Fraction

from ..core.basket import basket_from_weights
from ..core.index import IndexParams
from ..math.fees import per_second_rate
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
