"""SYNTHETIC market snapshot used by the demo when no market data is given.

These numbers are made up to be of a realistic order of magnitude (early 2024); they are not
market data and are labelled synthetic wherever they appear.
"""

from __future__ import annotations

from fractions import Fraction

from ..core.assets import MAG7_ASSETS, Asset

SYNTHETIC_LABEL = "synthetic market (not real data)"

# symbol -> (price USD per whole asset, circulating market cap USD)
_SNAPSHOT: dict[str, tuple[str, int]] = {
    "BTC": ("43000", 843_000_000_000),
    "ETH": ("2550", 306_000_000_000),
    "BNB": ("310", 47_000_000_000),
    "SOL": ("95", 41_000_000_000),
    "XRP": ("0.57", 31_000_000_000),
    "ADA": ("0.52", 18_000_000_000),
    "DOGE": ("0.08", 11_500_000_000),
}


def synthetic_prices() -> dict[Asset, Fraction]:
    return {a: Fraction(_SNAPSHOT[a.symbol][0]) for a in MAG7_ASSETS}


def synthetic_market_caps() -> dict[Asset, Fraction]:
    return {a: Fraction(_SNAPSHOT[a.symbol][1]) for a in MAG7_ASSETS}
