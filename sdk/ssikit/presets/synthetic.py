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


# ---------------------------------------------------------------- a synthetic full-history universe

_UNIVERSE_SECTORS = 12  # every 13th made-up coin has no sector (MAG7-only, like many real ones)


def synthetic_universe(
    assets: int = 10_000,
    days: int = 3_650,
    start: date = date(2015, 1, 1),
    seed: int = 7,
) -> pd.DataFrame:
    """A SYNTHETIC full-history market (not real data) for the scale benchmark: ``assets``
    made-up coins (``synthetic-00000`` ...) observed on every one of ``days`` days, so
    ``assets × days`` rows, built column by column without a Python object per row.

    Market caps follow a power law (the largest near $1T, most below the $100M floor), prices a
    seeded random walk with a common factor; coins 0, 1000, 2000, ... are stablecoins held at
    1 USD, coins 500, 1500, ... are flagged derivatives, the sectors go round the twelve (every
    13th coin has none). Ids, symbols and sectors are categoricals, the table is sorted by
    (date, asset_id), marked ``frame.attrs["source"] == "synthetic"`` and valid as it is
    (``validate_market_frame`` returns it unchanged)."""
    from ..methodology.spec import SECTORS

    if assets < 1 or days < 1:
        raise ValueError("a universe needs at least one asset and one day")
    rng = np.random.default_rng(seed)
    index = np.arange(assets)
    stable = index % 1000 == 0
    derivative = index % 1000 == 500
    # {USD} day-0 caps: rank k of the universe holds about 1e12 / (k + 1)^1.3.
    cap0 = 1e12 / (rng.permutation(assets) + 1.0) ** 1.3
    price0 = np.where(stable, 1.0, np.round(rng.uniform(0.05, 500.0, assets), 4))
    market = rng.normal(0.0004, 0.03, days).astype(np.float32)  # common daily log return
    beta = rng.uniform(0.6, 1.6, assets).astype(np.float32)
    steps = rng.standard_normal((days, assets), dtype=np.float32)
    steps *= rng.uniform(0.02, 0.08, assets).astype(np.float32)
    steps += market[:, None] * beta
    steps[0] = 0
    relative = np.exp(np.cumsum(steps, axis=0, dtype=np.float64))  # P_t / P_0
    del steps
    relative[:, stable] = 1.0 + rng.normal(0, 0.0005, (days, int(stable.sum())))
    price = relative * price0
    cap = relative * cap0
    del relative
    noise = rng.lognormal(0, 0.3, (days, assets)).astype(np.float32)
    volume = cap * (rng.uniform(0.005, 0.12, assets) * noise)
    del noise
    ids = pd.Index([f"synthetic-{k:05d}" for k in index])
    sector_names = [*SECTORS, None]
    sector_of = [sector_names[k % (_UNIVERSE_SECTORS + 1)] for k in index]
    codes = np.tile(index.astype(np.int32 if assets > 32_000 else np.int16), days)
    dates = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=days, freq="D")
    frame = pd.DataFrame(
        {
            "date": dates.repeat(assets),
            "asset_id": pd.Categorical.from_codes(codes, categories=ids),
            "symbol": pd.Categorical.from_codes(
                codes, categories=pd.Index([f"S{k:05d}" for k in index])
            ),
            "price": price.ravel(),
            "market_cap": cap.ravel(),
            "volume": volume.ravel(),
            "sector": pd.Categorical(sector_of, categories=list(SECTORS)).take(codes),
            "is_stablecoin": np.tile(stable, days),
            "is_derivative": np.tile(derivative, days),
        },
        copy=False,
    )
    frame.attrs["source"] = SYNTHETIC_SOURCE
    return frame
