"""Importers from the three real data sets (see ../shared/data/README.md) to the canonical
market table. They read the files where they are; nothing is copied into the project."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..presets.classification import is_curated_derivative, is_curated_stablecoin
from .data import MarketDataError, validate_market_frame
from .identity import Resolution, identity_table, report_of
from .sectors import attach_sectors


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Vendor glitches (negative or non-numeric prices, caps, volumes) become missing values;
    how many is kept in ``frame.attrs["cleaned"]`` so the CLI can report it."""
    cleaned = 0
    for column in ("price", "market_cap", "volume"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = (values < 0) | (values.isna() & frame[column].notna())
        cleaned += int(bad.sum())
        frame[column] = values.mask(values < 0)
    frame = frame.dropna(subset=["price"])
    frame.attrs["cleaned"] = cleaned
    return frame


def _classify(
    frame: pd.DataFrame, flagged_stable: set[str], flagged_derivative: set[str]
) -> pd.DataFrame:
    """Curated lists plus the data set's own flags, decided once per (id, symbol) pair."""
    pairs = frame[["asset_id", "symbol"]].drop_duplicates()
    stable = {i for i, s in pairs.itertuples(index=False) if is_curated_stablecoin(i, s)}
    derivative = {i for i, s in pairs.itertuples(index=False) if is_curated_derivative(i, s)}
    frame["is_stablecoin"] = frame["asset_id"].isin(stable | flagged_stable)
    frame["is_derivative"] = frame["asset_id"].isin(derivative | flagged_derivative)
    return frame


def _finish(
    valid: pd.DataFrame, cleaned: pd.DataFrame, stable: set[str], derivative: set[str]
) -> pd.DataFrame:
    out = attach_sectors(_classify(valid, stable, derivative))
    out.attrs["cleaned"] = cleaned.attrs.get("cleaned", 0)
    return out


def _hathix_flags(path: Path) -> tuple[set[str], set[str]]:
    """The data set's own stablecoin / derivative lists (sections of a plain-text file)."""
    stable: set[str] = set()
    derivative: set[str] = set()
    if not path.exists():
        return stable, derivative
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        (stable if "stable" in section else derivative).add(line)
    return stable, derivative


def import_coingecko_2021(src: Path) -> pd.DataFrame:
    """hathix/historical-crypto-data: daily price, circulating market cap and volume of 2,496
    coins in 2021. Rows not at 00:00 UTC (one intraday row on 2021-12-31) are dropped."""
    src = Path(src)
    data = src / "coingecko_daily_2021_all_coins.csv.gz" if src.is_dir() else src
    folder = data.parent
    raw = pd.read_csv(
        data,
        usecols=["timestamp", "coinId", "price", "marketCap", "totalVolume"],
        dtype={"coinId": str},
        engine="pyarrow",
    )
    stamp = pd.to_datetime(raw["timestamp"], unit="ms", utc=True)
    raw = raw[stamp == stamp.dt.normalize()]
    symbols: dict[str, str] = {}
    for listing in ("fullcoinlist.csv", "coinlist.csv"):
        if (folder / listing).exists():
            table = pd.read_csv(folder / listing, dtype=str)
            symbols.update(dict(zip(table["id"], table["symbol"].str.upper(), strict=True)))
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(raw["timestamp"], unit="ms", utc=True),
            "asset_id": raw["coinId"],
            "symbol": raw["coinId"].map(
                {i: symbols.get(i, i.upper()) for i in raw["coinId"].unique()}
            ),
            "price": raw["price"],
            "market_cap": raw["marketCap"],
            "volume": raw["totalVolume"],
        }
    )
    stable, derivative = _hathix_flags(folder / "stablecoin_and_derivative_ids.txt")
    stable |= {i for i in frame["asset_id"].unique() if re.search(r"-(?:usd|eur)$", i)}
    frame = _clean(frame)
    return _finish(validate_market_frame(frame, str(data)), frame, stable, derivative)


# Symbols of the 48 coins of nktcodes/Coins-By-Market-Capitalization (CoinGecko ids).
_NKT_SYMBOLS = {
    "algorand": "ALGO",
    "apecoin": "APE",
    "avalanche": "AVAX",
    "axie-infinity": "AXS",
    "bitcoin-cash": "BCH",
    "bitcoin": "BTC",
    "bnb": "BNB",
    "busd": "BUSD",
    "cardano": "ADA",
    "chainlink": "LINK",
    "chiliz": "CHZ",
    "cosmos": "ATOM",
    "dai": "DAI",
    "decentraland": "MANA",
    "dogecoin": "DOGE",
    "eos": "EOS",
    "ethereum-classic": "ETC",
    "ethereum": "ETH",
    "filecoin": "FIL",
    "flow": "FLOW",
    "frax": "FRAX",
    "ftx-token": "FTT",
    "hedera-hashgraph": "HBAR",
    "internet-computer": "ICP",
    "leo-token": "LEO",
    "lido-dao": "LDO",
    "litecoin": "LTC",
    "matic-network": "MATIC",
    "monero": "XMR",
    "near": "NEAR",
    "okb": "OKB",
    "polkadot": "DOT",
    "quant-network": "QNT",
    "ripple": "XRP",
    "shiba-inu": "SHIB",
    "solana": "SOL",
    "staked-ether": "STETH",
    "stellar": "XLM",
    "terra-luna": "LUNA",
    "tether": "USDT",
    "tezos": "XTZ",
    "the-sandbox": "SAND",
    "theta-token": "THETA",
    "tron": "TRX",
    "uniswap": "UNI",
    "usd-coin": "USDC",
    "vechain": "VET",
    "wrapped-bitcoin": "WBTC",
}


def import_coingecko_48(src: Path) -> pd.DataFrame:
    """nktcodes/Coins-By-Market-Capitalization: daily data of 48 coins to 2023-08-28, one CSV a
    coin (headers normalised, dates cut to their first 10 characters)."""
    folder = Path(src)
    folder = folder / "csv" if (folder / "csv").is_dir() else folder
    frames = []
    for path in sorted(folder.glob("*.csv")):
        raw = pd.read_csv(path, dtype=str)
        raw.columns = [c.strip() for c in raw.columns]
        coin = path.stem
        frames.append(
            pd.DataFrame(
                {
                    "date": raw["date"].str.slice(0, 10),
                    "asset_id": coin,
                    "symbol": _NKT_SYMBOLS.get(coin, coin.upper()),
                    "price": raw["price"],
                    "market_cap": raw["market_cap"],
                    "volume": raw["total_volume"],
                }
            )
        )
    if not frames:
        raise MarketDataError(str(folder), None, None, "no CSV files found")
    frame = _clean(pd.concat(frames, ignore_index=True))
    return _finish(validate_market_frame(frame, str(folder)), frame, set(), set())


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def import_cmc_monthly(src: Path) -> pd.DataFrame:
    """smoothbrainquant/trading-for-new-dads: CoinMarketCap top-200 snapshots on the 1st of each
    month, 2020-01 to 2025-10. Sparse: one row per asset per month. CoinMarketCap gives no ids,
    so each (ticker, name) listing is resolved to its canonical id through the project's
    identity table (``methodology.identity``); a listing the table does not know, or cannot
    tell apart, keeps the id "<symbol>-<slug of its name>" and is reported in
    ``frame.attrs["identity"]``, never guessed."""
    src = Path(src)
    data = src / "coinmarketcap_monthly_all_snapshots.csv" if src.is_dir() else src
    raw = pd.read_csv(data, dtype={"Symbol": str, "Name": str, "snapshot_date": str})
    table = identity_table()
    listings = raw[["Symbol", "Name"]].drop_duplicates()
    resolved: dict[str, Resolution] = {}
    ids: dict[tuple[str, str], str] = {}
    for symbol, name in listings.itertuples(index=False):
        found = table.resolve_cmc(symbol, name)
        resolved[f"{symbol} / {name}"] = found
        ids[(symbol, name)] = found.asset_id or f"{symbol.lower()}-{_slug(name)}"
    keys = pd.MultiIndex.from_frame(raw[["Symbol", "Name"]])
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(raw["snapshot_date"], format="%Y%m%d", utc=True),
            "asset_id": pd.Series(ids).reindex(keys).to_numpy(),
            "symbol": raw["Symbol"].str.upper(),
            "price": raw["Price"],
            "market_cap": raw["Market Cap"],
            "volume": raw["Volume (24h)"],
        }
    )
    frame = _clean(frame.drop_duplicates(["date", "asset_id"], keep="first"))
    out = _finish(validate_market_frame(frame, str(data)), frame, set(), set())
    out.attrs["identity"] = report_of("coinmarketcap", resolved)
    return out


IMPORTERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "coingecko-2021": import_coingecko_2021,
    "coingecko-48": import_coingecko_48,
    "cmc-monthly": import_cmc_monthly,
}
