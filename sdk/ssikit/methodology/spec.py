"""An index specification: every rule of the seed methodology as a parameter, with presets."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.errors import SsikitError


class Weighting(StrEnum):
    MARKET_CAP = "market_cap"  # w = cap / Σ cap (seed §3.2)
    HYBRID = "hybrid"  # MAG7.ssi: w = floor + share × cap / Σ cap
    CAPPED = "capped"  # market cap, no weight above `cap`, excess redistributed


class IndexSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    ticker: str
    sector: str | None = Field(default=None, description="None: every sector (e.g. MAG7)")
    constituents: int | None = Field(
        default=None,
        ge=1,
        description="fixed count; None: small_count, or large_count when more "
        "than large_threshold assets are eligible (seed §3.1)",
    )
    small_count: int = 5
    large_count: int = 10
    large_threshold: int = 15
    # eligibility (seed §2.1)
    window_days: int = Field(default=30, ge=1)
    min_listing_days: int = 90
    volume_drop_fraction: float = Field(default=0.4, ge=0, lt=1)
    min_avg_market_cap: float = 100e6
    qualified_exchanges: tuple[str, ...] = (
        "binance",
        "coinbase",
        "okx",
        "kraken",
        "bybit",
        "bitget",
    )
    quote_currencies: tuple[str, ...] = ("USD", "USDT", "USDC", "DAI")
    peg_band: float = Field(default=0.03, gt=0, description="|price - 1| within this is pegged")
    peg_fraction: float = Field(default=0.9, gt=0, le=1, description="share of window days pegged")
    # weights (seed §3.2)
    weighting: Weighting = Weighting.MARKET_CAP
    hybrid_floor: float = 0.10
    hybrid_share: float = 0.30
    cap: float | None = Field(default=None, gt=0, le=1)
    # level (seed §3.3, §4.3)
    base_date: date = date(2024, 1, 12)
    base_value: float = 10.0

    @model_validator(mode="after")
    def _consistent(self) -> IndexSpec:
        if self.weighting is Weighting.CAPPED and self.cap is None:
            raise ValueError("capped weighting needs a cap")
        if self.weighting is Weighting.HYBRID and self.constituents is None:
            raise ValueError("hybrid weighting needs a fixed number of constituents")
        if self.weighting is Weighting.HYBRID:
            total = self.hybrid_floor * (self.constituents or 0) + self.hybrid_share
            if abs(total - 1) > 1e-12:
                raise ValueError(f"hybrid floor × n + share must be 1, is {total}")
        return self

    def count_for(self, eligible: int) -> int:
        if self.constituents is not None:
            return self.constituents
        return self.large_count if eligible > self.large_threshold else self.small_count

    @classmethod
    def load(cls, path: Path) -> IndexSpec:
        return cls.model_validate(yaml.safe_load(path.read_text()))


SECTORS = (
    "Layer1",
    "Layer2",
    "DeFi",
    "RWA",
    "CeFi",
    "Payment",
    "Meme",
    "DePIN",
    "AI",
    "GameFi",
    "NFT",
    "SocialFi",
)


def _sector_spec(sector: str) -> IndexSpec:
    return IndexSpec(name=f"SoSoValue {sector} Index", ticker=f"ssi{sector}", sector=sector)


# The products (seed 000, MAG7.ssi article) follow their own documented rules; the twelve sector
# indices follow the seed's 5-or-10 rule (seed 004 §3.1).
PRESETS: dict[str, IndexSpec] = {
    **{f"ssi{s}": _sector_spec(s) for s in SECTORS},
    # MAG7.ssi: the top 7 by market cap, "10% equal weight + circulating market cap weight".
    "MAG7": IndexSpec(name="MAG7.ssi", ticker="MAG7", constituents=7, weighting=Weighting.HYBRID),
    # DEFI.ssi: large, liquid DeFi assets; 10 constituents, no weight above 30%.
    "DEFI": IndexSpec(
        name="DEFI.ssi",
        ticker="DEFI",
        sector="DeFi",
        constituents=10,
        weighting=Weighting.CAPPED,
        cap=0.3,
    ),
    # MEME.ssi: meme coins with a market cap above $800M; 10 constituents, no weight above 30%.
    "MEME": IndexSpec(
        name="MEME.ssi",
        ticker="MEME",
        sector="Meme",
        constituents=10,
        min_avg_market_cap=800e6,
        weighting=Weighting.CAPPED,
        cap=0.3,
    ),
}


class UnknownPreset(SsikitError, KeyError):
    """No preset has this name (names are matched case-insensitively)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown preset {self.name!r}; known: {', '.join(PRESETS)}"


def preset(name: str) -> IndexSpec:
    """The preset called ``name``, in any case (``mag7``, ``SSILAYER1``)."""
    by_folded = {k.casefold(): v for k, v in PRESETS.items()}
    try:
        return by_folded[name.strip().casefold()]
    except KeyError:
        raise UnknownPreset(name) from None
