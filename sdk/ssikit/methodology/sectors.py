"""Sector classification (seed §1: 12 sectors) from the data's ``sector`` column or a mapping.

The project's curated mapping is ``presets/sectors.yaml`` (CoinGecko ids with their tickers).
A mapping file is either that YAML layout (``sector: {asset_id: SYMBOL}`` or ``sector: [ids]``)
or a CSV with columns ``asset_id,sector`` (or ``symbol,sector``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from ..core.errors import SsikitError
from .spec import SECTORS


class ClassificationRecord(BaseModel):
    """Where an announcement's sectors came from; the rebalance commitment covers it, so a
    changed taxonomy snapshot or override file gives a different commitment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str  # "data" (the table's own sector column), "taxonomy", "curated" or a file
    taxonomy_snapshot: str | None = None  # id of the vendor taxonomy snapshot used
    mapping_version: str | None = None  # version of the vendor-category-to-sector mapping
    overrides_sha256: str | None = None  # the override file applied on top
    baseline_sha256: str | None = None  # the curated list for assets the taxonomy misses


@dataclass(frozen=True)
class SectorMapError(SsikitError, ValueError):
    """A sector mapping file is malformed or names a sector outside the 12."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class SectorMap:
    by_id: dict[str, str]
    by_symbol: dict[str, str] = field(default_factory=dict)  # unambiguous tickers only
    source: str = "curated"  # the file it was read from
    sha256: str | None = None  # of that file's bytes

    @property
    def record(self) -> ClassificationRecord:
        return ClassificationRecord(source=self.source, baseline_sha256=self.sha256)

    def sector_of(self, asset_id: str, symbol: str) -> str | None:
        """By id; then an id of the form ``<symbol>-<name>`` (CoinMarketCap imports) by its
        name part; then by ticker when no two mapped assets share it."""
        key = asset_id.lower()
        if key in self.by_id:
            return self.by_id[key]
        prefix = symbol.lower() + "-"
        if key.startswith(prefix) and key[len(prefix) :] in self.by_id:
            return self.by_id[key[len(prefix) :]]
        return self.by_symbol.get(symbol.upper())


def _check(source: str, sector: str) -> str:
    if sector not in SECTORS:
        raise SectorMapError(source, f"unknown sector {sector!r}; the 12 are {', '.join(SECTORS)}")
    return sector


def _from_yaml(text: str, source: str) -> SectorMap:
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise SectorMapError(source, "expected a mapping of sector to assets")
    by_id: dict[str, str] = {}
    symbols: list[tuple[str, str]] = []
    for sector, assets in data.items():
        _check(source, str(sector))
        items = assets.items() if isinstance(assets, dict) else ((a, None) for a in assets or [])
        for asset_id, symbol in items:
            if str(asset_id).lower() in by_id:
                raise SectorMapError(source, f"{asset_id} is mapped to two sectors")
            by_id[str(asset_id).lower()] = str(sector)
            if symbol:
                symbols.append((str(symbol).upper(), str(sector)))
    counts = Counter(s for s, _ in symbols)
    by_symbol = {s: sector for s, sector in symbols if counts[s] == 1}
    return SectorMap(by_id, by_symbol, source, hashlib.sha256(text.encode()).hexdigest())


def _from_csv(path: Path) -> SectorMap:
    table = pd.read_csv(path, dtype=str)
    if "sector" not in table or not ({"asset_id", "symbol"} & set(table.columns)):
        raise SectorMapError(str(path), "expected columns asset_id,sector or symbol,sector")
    for sector in table["sector"].dropna().unique():
        _check(str(path), sector)

    def keyed(column: str, case: str) -> dict[str, str]:
        if column not in table:
            return {}
        keys = getattr(table[column].astype(str).str, case)()
        return dict(zip(keys, table["sector"], strict=True))

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return SectorMap(keyed("asset_id", "lower"), keyed("symbol", "upper"), str(path), digest)


@cache
def _curated() -> SectorMap:
    text = resources.files("ssikit.presets").joinpath("sectors.yaml").read_text()
    return _from_yaml(text, "ssikit/presets/sectors.yaml")


def load_sector_map(path: Path | None = None) -> SectorMap:
    """The mapping in ``path``, or the project's curated one."""
    if path is None:
        return _curated()
    path = Path(path)
    if not path.exists():
        raise SectorMapError(str(path), "no such file")
    if path.suffix.lower() == ".csv":
        return _from_csv(path)
    return _from_yaml(path.read_text(), str(path))


class Classifies(Protocol):
    """A sector source: a ``SectorMap`` or a taxonomy ``Classifier``."""

    def sector_of(self, asset_id: str, symbol: str) -> str | None: ...

    @property
    def record(self) -> ClassificationRecord: ...


def attach_sectors(
    frame: pd.DataFrame, mapping: Classifies | None = None, *, override: bool = False
) -> pd.DataFrame:
    """``frame`` with a ``sector`` column from ``mapping`` (by default the project's overrides
    on the curated baseline) and ``attrs["classification"]`` saying where it came from. Sectors
    already in the data are kept unless ``override``; an unmapped asset has none."""
    if "sector" in frame and not override:
        if "classification" not in frame.attrs:
            frame.attrs["classification"] = ClassificationRecord(source="data")
        return frame
    if mapping is None:
        from .taxonomy import Classifier

        mapping = Classifier()
    codes, ids = pd.factorize(frame["asset_id"])
    symbols = frame["symbol"].to_numpy()[np.unique(codes, return_index=True)[1]]
    pairs = zip(ids, symbols, strict=True)
    sectors = np.array([mapping.sector_of(str(a), str(s)) for a, s in pairs])
    out = frame.copy()
    out["sector"] = sectors[codes] if len(codes) else None
    out.attrs["classification"] = mapping.record
    return out
