"""SYNTHETIC market snapshot used by the demo when no market data is given.

These numbers are made up to be of a realistic order of magnitude (early 2024); they are not
market data and are labelled synthetic wherever they appear.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

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


# ---------------------------------------------------------------- a synthetic market history

SYNTHETIC_SOURCE = "synthetic"

# The MAG7 majors under their CoinGecko ids, with their sectors (start price, start cap in USD).
_MAJORS: dict[str, tuple[str, str, float, float]] = {
    "bitcoin": ("BTC", "Layer1", 43_000.0, 843e9),
    "ethereum": ("ETH", "Layer1", 2_550.0, 306e9),
    "binancecoin": ("BNB", "CeFi", 310.0, 47e9),
    "solana": ("SOL", "Layer1", 95.0, 41e9),
    "ripple": ("XRP", "Payment", 0.57, 31e9),
    "cardano": ("ADA", "Layer1", 0.52, 18e9),
    "dogecoin": ("DOGE", "Meme", 0.08, 11.5e9),
}


_CODES = {
    "Layer1": "LA",
    "Layer2": "LB",
    "DeFi": "DF",
    "RWA": "RW",
    "CeFi": "CF",
    "Payment": "PY",
    "Meme": "MM",
    "DePIN": "DP",
    "AI": "AI",
    "GameFi": "GF",
    "NFT": "NF",
    "SocialFi": "SF",
}


def synthetic_market(
    start: date = date(2024, 1, 1),
    days: int = 366,
    seed: int = 2024,
    per_sector: int = 10,
) -> pd.DataFrame:
    """A SYNTHETIC daily market (not real data): the seven MAG7 majors, ``per_sector`` made-up
    coins in each of the 12 sectors, two USD stablecoins, a wrapped BTC, a coin listed late and
    five coins with almost no volume, so every eligibility rule has something to exclude.

    Prices follow a seeded random walk with a common market factor, so ranks change from month
    to month and the buffers matter. The same arguments always give the same table; it is marked
    ``frame.attrs["source"] == "synthetic"`` and every made-up id starts with ``synthetic-``.
    """
    from ..methodology.data import validate_market_frame
    from ..methodology.spec import SECTORS

    rng = np.random.default_rng(seed)
    assets: list[tuple[str, str, str | None, float, float, float, int]] = []
    # (id, symbol, sector, start price, start cap, daily volatility, first day)
    for asset_id, (symbol, sector, price, cap) in _MAJORS.items():
        assets.append((asset_id, symbol, sector, price, cap, 0.03, 0))
    for s, sector in enumerate(SECTORS):
        for k in range(per_sector):
            cap = 5e9 * 0.6**k * (1 + 0.1 * s)  # a power law within each sector
            price = float(np.round(rng.uniform(0.05, 50), 4))
            symbol = f"X{_CODES[sector]}{k + 1}"
            assets.append(
                (f"synthetic-{sector.lower()}-{k + 1}", symbol, sector, price, cap, 0.05, 0)
            )
    assets += [
        ("tether", "USDT", None, 1.0, 95e9, 0.0005, 0),
        ("usd-coin", "USDC", None, 1.0, 25e9, 0.0005, 0),
        ("wrapped-bitcoin", "WBTC", None, 43_000.0, 7e9, 0.0, 0),
        ("synthetic-late-listing", "LATE", "Layer1", 3.0, 60e9, 0.05, max(days - 60, 0)),
    ]
    assets += [
        (f"synthetic-thin-{k + 1}", f"THN{k + 1}", "Layer1", 1.0, 2e9, 0.04, 0) for k in range(5)
    ]
    market = rng.normal(0.0005, 0.03, days)  # the common factor's daily log return
    dates = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=days, freq="D")
    btc_path = None
    columns: dict[str, list[object]] = {k: [] for k in ("date", "asset_id", "symbol", "price")}
    columns.update({k: [] for k in ("market_cap", "volume", "sector")})
    flags: dict[str, list[bool]] = {"is_stablecoin": [], "is_derivative": []}
    for asset_id, symbol, sector, price, cap, vol, first in assets:
        n = days - first
        if asset_id in ("tether", "usd-coin"):
            path = 1 + rng.normal(0, vol, n)  # holds the peg
        elif asset_id == "wrapped-bitcoin":
            assert btc_path is not None
            path = btc_path[first:] / btc_path[0]
        else:
            beta = 1.0 if vol <= 0.03 else rng.uniform(0.6, 1.6)
            steps = beta * market[first:] + rng.normal(0, vol, n)
            path = np.exp(np.cumsum(steps) - steps[0])
        prices = price * path if asset_id not in ("tether", "usd-coin") else path
        if asset_id == "bitcoin":
            btc_path = prices
        caps = cap * prices / prices[0]
        turnover = 0.0001 if asset_id.startswith("synthetic-thin") else rng.uniform(0.02, 0.12)
        volumes = caps * turnover * rng.lognormal(0, 0.3, n)
        columns["date"] += list(dates[first:])
        columns["asset_id"] += [asset_id] * n
        columns["symbol"] += [symbol] * n
        columns["price"] += list(prices)
        columns["market_cap"] += list(caps)
        columns["volume"] += list(volumes)
        columns["sector"] += [sector] * n
        flags["is_stablecoin"] += [asset_id in ("tether", "usd-coin")] * n
        flags["is_derivative"] += [asset_id == "wrapped-bitcoin"] * n
    frame = validate_market_frame(pd.DataFrame({**columns, **flags}), SYNTHETIC_LABEL)
    frame.attrs["source"] = SYNTHETIC_SOURCE
    return frame
