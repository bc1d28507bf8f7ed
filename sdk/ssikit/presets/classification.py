"""The project's curated list of assets that are not free-floating (seed methodology §2.1):
stablecoins and other pegged tokens, and wrapped, bridged or staked derivatives. Matched by
CoinGecko id or by symbol (case-insensitive). The peg detector in the methodology catches what
this list misses; the list catches what the detector cannot (derivatives, depegged coins)."""

from __future__ import annotations

STABLECOIN_IDS = frozenset(
    {
        "tether",
        "usd-coin",
        "binance-usd",
        "dai",
        "terrausd",
        "true-usd",
        "paxos-standard",
        "frax",
        "liquity-usd",
        "fei-usd",
        "husd",
        "gemini-dollar",
        "neutrino",
        "magic-internet-money",
        "alchemix-usd",
        "origin-dollar",
        "celo-dollar",
        "nusd",
        "usdx",
        "musd",
        "stasis-eurs",
        "first-digital-usd",
        "paypal-usd",
        "usdd",
        "ethena-usde",
        "tether-gold",
        "pax-gold",
    }
)
STABLECOIN_SYMBOLS = frozenset(
    {
        "USDT",
        "USDC",
        "BUSD",
        "DAI",
        "UST",
        "USTC",
        "TUSD",
        "USDP",
        "PAX",
        "FRAX",
        "LUSD",
        "FEI",
        "HUSD",
        "GUSD",
        "USDN",
        "MIM",
        "ALUSD",
        "OUSD",
        "CUSD",
        "SUSD",
        "USDX",
        "MUSD",
        "EURS",
        "FDUSD",
        "PYUSD",
        "USDD",
        "USDE",
        "XAUT",
        "PAXG",
        "EURT",
        "USDJ",
        "CEUR",
    }
)
DERIVATIVE_IDS = frozenset(
    {
        "wrapped-bitcoin",
        "staked-ether",
        "weth",
        "renbtc",
        "huobi-btc",
        "seth",
        "seth2",
        "interest-bearing-bitcoin",
        "obtc",
        "wrapped-steth",
        "rocket-pool-eth",
        "coinbase-wrapped-staked-eth",
        "binance-eth",
        "wrapped-beacon-eth",
        "bitcoin-bep2",
        "compound-ether",
        "compound-usd-coin",
        "compound-dai",
        "aave-usdc",
        "wrapped-eos",
    }
)
DERIVATIVE_SYMBOLS = frozenset(
    {
        "WBTC",
        "STETH",
        "WSTETH",
        "WETH",
        "RENBTC",
        "HBTC",
        "SETH",
        "SETH2",
        "OBTC",
        "RETH",
        "CBETH",
        "WBETH",
        "BETH",
        "BTCB",
        "CETH",
        "CUSDC",
        "CDAI",
        "WEETH",
        "EZETH",
        "METH",
        "JITOSOL",
        "MSOL",
        "BNSOL",
        "LSETH",
        "WEOS",
        "WTRX",
        "WBNB",
    }
)


def is_curated_stablecoin(asset_id: str, symbol: str) -> bool:
    return asset_id.lower() in STABLECOIN_IDS or symbol.upper() in STABLECOIN_SYMBOLS


def is_curated_derivative(asset_id: str, symbol: str) -> bool:
    return asset_id.lower() in DERIVATIVE_IDS or symbol.upper() in DERIVATIVE_SYMBOLS
