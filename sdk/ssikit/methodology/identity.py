"""One identity across vendors: CoinMarketCap, CoinGecko and exchange listings resolved to one
canonical asset id (the CoinGecko id) through the project's table
(``presets/asset_identity.csv``: ``asset_id, symbol, name, cmc_slug, cmc_names``; one row per
ticker an asset has had, ``cmc_names`` the names CoinMarketCap has shown, ``|``-separated).

Resolution never guesses: a CoinMarketCap row resolves when its ticker and name are in the table
together (or its slug is); an exchange ticker when exactly one asset has it. Otherwise the row is
``unknown`` (nothing in the table) or ``ambiguous`` (the ticker is known but the table cannot
tell which asset it is, e.g. LUNA, which names two chains), keeps a vendor-scoped id and is
reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from io import StringIO

import pandas as pd
from pydantic import BaseModel

from ..core.errors import SsikitError

TABLE_FILE = "asset_identity.csv"
COLUMNS = ("asset_id", "symbol", "name", "cmc_slug", "cmc_names")


@dataclass
class IdentityError(SsikitError, ValueError):
    """The identity table is malformed (a missing column or value, a slug on two assets)."""

    reason: str

    def __str__(self) -> str:
        return f"ssikit/presets/{TABLE_FILE}: {self.reason}"


class Status(StrEnum):
    RESOLVED = "resolved"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"


class Resolution(BaseModel):
    asset_id: str | None  # the canonical id, when resolved
    status: Status
    candidates: list[str] = []  # the assets an ambiguous listing could be


@dataclass(frozen=True)
class IdentityTable:
    rows: pd.DataFrame
    _by_cmc: dict[tuple[str, str], set[str]] = field(default_factory=dict, repr=False)
    _by_slug: dict[str, str] = field(default_factory=dict, repr=False)
    _by_symbol: dict[str, set[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_csv(cls, text: str) -> IdentityTable:
        rows = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
        missing = [c for c in COLUMNS if c not in rows]
        if missing:
            raise IdentityError(f"column {missing[0]!r} is missing")
        empty = rows[list(COLUMNS)].eq("").any(axis=1)
        if empty.any():
            raise IdentityError(f"line {int(empty.to_numpy().argmax()) + 2}: empty value")
        table = cls(rows)
        for row in rows.itertuples(index=False):
            symbol = str(row.symbol).upper()
            table._by_symbol.setdefault(symbol, set()).add(row.asset_id)
            for name in str(row.cmc_names).split("|"):
                table._by_cmc.setdefault((symbol, name.casefold()), set()).add(row.asset_id)
            owner = table._by_slug.setdefault(str(row.cmc_slug), str(row.asset_id))
            if owner != row.asset_id:
                raise IdentityError(f"slug {row.cmc_slug!r} names {owner} and {row.asset_id}")
        return table

    def resolve_cmc(self, symbol: str, name: str, slug: str | None = None) -> Resolution:
        """A CoinMarketCap listing: by its slug, else by ticker and name together."""
        if slug is not None and slug in self._by_slug:
            return Resolution(asset_id=self._by_slug[slug], status=Status.RESOLVED)
        found = self._by_cmc.get((symbol.upper(), name.strip().casefold()), set())
        if len(found) == 1:
            return Resolution(asset_id=next(iter(found)), status=Status.RESOLVED)
        return self._unresolved(found or self._by_symbol.get(symbol.upper(), set()))

    def resolve_symbol(self, symbol: str) -> Resolution:
        """An exchange ticker (``BTC`` of ``BTC/USD``): resolved when one asset has it."""
        found = self._by_symbol.get(symbol.upper(), set())
        if len(found) == 1:
            return Resolution(asset_id=next(iter(found)), status=Status.RESOLVED)
        return self._unresolved(found)

    def resolve_coingecko(self, coin_id: str) -> Resolution:
        """A CoinGecko id is canonical; it is resolved when the table lists it."""
        if coin_id in self._by_slug.values() or coin_id in set(self.rows["asset_id"]):
            return Resolution(asset_id=coin_id, status=Status.RESOLVED)
        return Resolution(asset_id=None, status=Status.UNKNOWN)

    @staticmethod
    def _unresolved(candidates: Iterable[str]) -> Resolution:
        found = sorted(candidates)
        if found:
            return Resolution(asset_id=None, status=Status.AMBIGUOUS, candidates=found)
        return Resolution(asset_id=None, status=Status.UNKNOWN)


@cache
def identity_table() -> IdentityTable:
    """The project's table (``presets/asset_identity.csv``)."""
    return IdentityTable.from_csv(
        resources.files("ssikit.presets").joinpath(TABLE_FILE).read_text()
    )


class IdentityReport(BaseModel):
    """What an import resolved; the CLI prints it."""

    vendor: str
    resolved: int
    unknown: list[str]  # vendor listings (e.g. "POPCAT / Popcat (SOL)") not in the table
    ambiguous: dict[str, list[str]]  # vendor listing -> the assets it could be


def report_of(vendor: str, listings: dict[str, Resolution]) -> IdentityReport:
    return IdentityReport(
        vendor=vendor,
        resolved=sum(r.status is Status.RESOLVED for r in listings.values()),
        unknown=sorted(k for k, r in listings.items() if r.status is Status.UNKNOWN),
        ambiguous={k: r.candidates for k, r in sorted(listings.items()) if r.candidates},
    )
