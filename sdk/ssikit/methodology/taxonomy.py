"""Sectors from a maintained vendor taxonomy, with the project's overrides on top.

An asset's sector is decided, in order, by:

1. the project's override file (``presets/sector_overrides.yaml``: a sector, or none, and why);
2. the vendor taxonomy snapshot (CoinGecko's categories and their members), through the
   versioned mapping of vendor categories to the 12 sectors (``presets/taxonomy_coingecko.yaml``);
   an asset in several mapped categories takes the first sector of the mapping's ``precedence``;
3. the curated baseline (``presets/sectors.yaml``), for assets the snapshot does not list (coins
   delisted before it was taken still need a sector in a backtest);
4. otherwise none (the asset can only enter indices without a sector, such as MAG7).

A snapshot is a JSON file named by its id (``coingecko-<date>-<hash of its content>``), kept in a
store folder; ``diff`` lists the assets whose sector changes from one snapshot to the next, and
why, so a compiler reviews them before an announcement. Announcements record the snapshot id, the
mapping version and the overrides' SHA-256 (``ClassificationRecord``); the rebalance commitment
covers that record.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..core.errors import SsikitError
from .sectors import ClassificationRecord, SectorMap, load_sector_map
from .spec import SECTORS

MAPPING_FILE = "taxonomy_coingecko.yaml"
OVERRIDES_FILE = "sector_overrides.yaml"
BASELINE_FILE = "sectors.yaml"


def default_store() -> Path:
    """``$SSIKIT_TAXONOMY_DIR``, else ``~/.local/share/ssikit/taxonomy``."""
    default = Path.home() / ".local" / "share" / "ssikit" / "taxonomy"
    return Path(os.environ.get("SSIKIT_TAXONOMY_DIR", default))


@dataclass
class TaxonomyError(SsikitError, ValueError):
    """A mapping, override or snapshot file is malformed, or a snapshot cannot be found."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise TaxonomyError(source, f"not YAML: {err}") from err


def _validated(model: type[Any], data: Any, source: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise TaxonomyError(source, f"{where}: {first['msg']}") from err


# ---------------------------------------------------------------- the mapping


class SectorMapping(BaseModel):
    """Vendor categories to the 12 sectors, with the rule for assets in several of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    vendor: str
    precedence: tuple[str, ...]
    sectors: dict[str, tuple[str, ...]]

    @model_validator(mode="after")
    def _consistent(self) -> SectorMapping:
        if sorted(self.precedence) != sorted(SECTORS):
            raise ValueError(f"precedence must list each of the 12 sectors once: {SECTORS}")
        unknown = sorted(set(self.sectors) - set(SECTORS))
        if unknown:
            raise ValueError(f"unknown sector {unknown[0]!r}; the 12 are {', '.join(SECTORS)}")
        seen: dict[str, str] = {}
        for sector, categories in self.sectors.items():
            for category in categories:
                if category in seen:
                    raise ValueError(
                        f"category {category!r} is mapped to {seen[category]} and {sector}"
                    )
                seen[category] = sector
        return self

    @cached_property
    def sector_of_category(self) -> dict[str, str]:
        return {c: s for s, categories in self.sectors.items() for c in categories}

    def decide(self, categories: Iterable[str]) -> tuple[str | None, list[str]]:
        """The sector of an asset in ``categories`` and the mapped categories that decided it."""
        mapped = sorted(c for c in categories if c in self.sector_of_category)
        if not mapped:
            return None, []
        rank = {s: i for i, s in enumerate(self.precedence)}
        sector = min((self.sector_of_category[c] for c in mapped), key=rank.__getitem__)
        return sector, [c for c in mapped if self.sector_of_category[c] == sector]


def load_mapping(path: Path | None = None) -> SectorMapping:
    """The mapping in ``path``, or the project's (``presets/taxonomy_coingecko.yaml``)."""
    text, source = _read(path, MAPPING_FILE)
    return _validated(SectorMapping, _yaml(text, source), source)  # type: ignore[no-any-return]


def _read(path: Path | None, preset: str) -> tuple[str, str]:
    if path is None:
        return resources.files("ssikit.presets").joinpath(
            preset
        ).read_text(), f"ssikit/presets/{preset}"
    path = Path(path)
    if not path.exists():
        raise TaxonomyError(str(path), "no such file")
    return path.read_text(), str(path)


# ---------------------------------------------------------------- the overrides


class Override(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sector: str | None  # None: no sector, whatever the taxonomy says
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> Override:
        if self.sector is not None and self.sector not in SECTORS:
            raise ValueError(f"unknown sector {self.sector!r}; the 12 are {', '.join(SECTORS)}")
        return self


class _OverrideFile(BaseModel):
    entries: dict[str, Override]


@dataclass(frozen=True)
class Overrides:
    entries: dict[str, Override]
    sha256: str  # of the file's bytes
    source: str


def load_overrides(path: Path | None = None) -> Overrides:
    """The override file in ``path``, or the project's (``presets/sector_overrides.yaml``)."""
    text, source = _read(path, OVERRIDES_FILE)
    data = _yaml(text, source) or {}
    if not isinstance(data, dict):
        raise TaxonomyError(source, "expected a mapping of asset id to {sector, reason}")
    parsed = _validated(_OverrideFile, {"entries": data}, source)
    entries = {str(k).lower(): v for k, v in parsed.entries.items()}
    return Overrides(entries, _sha256(text.encode()), source)


# ---------------------------------------------------------------- snapshots


class TaxonomySnapshot(BaseModel):
    """The vendor's categories and their members as fetched at ``taken_at``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vendor: str
    taken_at: datetime
    mapping_version: str  # the mapping that chose which categories to fetch
    categories: dict[str, str]  # category id -> name, the mapped ones the vendor offers
    members: dict[str, list[str]]  # category id -> coin ids, largest first
    symbols: dict[str, str]  # coin id -> ticker
    not_offered: list[str] = []  # mapped categories the vendor's list did not have

    @property
    def content_hash(self) -> str:
        """SHA-256 of the content (everything but the time it was taken)."""
        body = self.model_dump(mode="json", exclude={"taken_at"})
        return _sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.taken_at:%Y-%m-%dT%H%M%SZ}-{self.content_hash[:12]}"

    @cached_property
    def categories_by_asset(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for category, coins in self.members.items():
            for coin in coins:
                out.setdefault(coin, []).append(category)
        return {k: sorted(v) for k, v in out.items()}


class TaxonomyClient(Protocol):
    """What a snapshot needs of a vendor client (``CoinGeckoClient``)."""

    def categories(self) -> list[Any]: ...

    def category_members(self, category_id: str, *, max_pages: int = ...) -> list[Any]: ...


def fetch_taxonomy(
    client: TaxonomyClient,
    mapping: SectorMapping | None = None,
    *,
    max_pages: int = 4,
    now: datetime | None = None,
    on_category: Callable[[str], None] | None = None,
) -> TaxonomySnapshot:
    """A snapshot of the categories the mapping names (each one's top ``max_pages`` × 250 coins):
    the vendor's category list first, then the members of each mapped category it offers."""
    mapping = mapping or load_mapping()
    offered = {c.category_id: c.name for c in client.categories()}
    wanted = sorted(mapping.sector_of_category)
    members: dict[str, list[str]] = {}
    symbols: dict[str, str] = {}
    for category in (c for c in wanted if c in offered):
        coins = client.category_members(category, max_pages=max_pages)
        members[category] = [c.id for c in coins]
        symbols.update({c.id: c.symbol.upper() for c in coins})
        if on_category is not None:
            on_category(category)
    return TaxonomySnapshot(
        vendor=mapping.vendor,
        taken_at=now or datetime.now(UTC),
        mapping_version=mapping.version,
        categories={c: offered[c] for c in wanted if c in offered},
        members=members,
        symbols=dict(sorted(symbols.items())),
        not_offered=[c for c in wanted if c not in offered],
    )


@dataclass(frozen=True)
class TaxonomyStore:
    """Snapshots as ``<id>.json`` files in ``folder``, ordered by the time they were taken."""

    folder: Path = field(default_factory=default_store)

    def save(self, snapshot: TaxonomySnapshot) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{snapshot.id}.json"
        path.write_text(snapshot.model_dump_json(indent=1) + "\n")
        return path

    def snapshots(self) -> list[TaxonomySnapshot]:
        if not self.folder.is_dir():
            return []
        found = [read_snapshot(p) for p in sorted(self.folder.glob("*.json"))]
        return sorted(found, key=lambda s: (s.taken_at, s.id))

    def load(self, ref: str) -> TaxonomySnapshot:
        """``ref``: a snapshot file, an id in the store, ``latest`` or ``previous``."""
        if ref.endswith(".json") and Path(ref).exists():
            return read_snapshot(Path(ref))
        known = self.snapshots()
        if ref in ("latest", "previous"):
            need = 1 if ref == "latest" else 2
            if len(known) < need:
                raise TaxonomyError(
                    str(self.folder), f"no {ref} snapshot ({len(known)} in the store; fetch one)"
                )
            return known[-need]
        for snapshot in known:
            if snapshot.id == ref:
                return snapshot
        ids = ", ".join(s.id for s in known) or "none"
        raise TaxonomyError(str(self.folder), f"no snapshot {ref!r} (known: {ids})")


def read_snapshot(path: Path) -> TaxonomySnapshot:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise TaxonomyError(str(path), f"cannot read: {err}") from err
    return _validated(TaxonomySnapshot, data, str(path))  # type: ignore[no-any-return]


# ---------------------------------------------------------------- classification


@dataclass(frozen=True)
class Decision:
    sector: str | None
    source: str  # override | taxonomy | baseline | none
    detail: str  # the override's reason, or the categories that decided


@cache
def _baseline_sha256() -> str:
    return _sha256(resources.files("ssikit.presets").joinpath(BASELINE_FILE).read_bytes())


class Classifier:
    """Overrides, then the snapshot through the mapping, then the curated baseline."""

    def __init__(
        self,
        overrides: Overrides | None = None,
        snapshot: TaxonomySnapshot | None = None,
        mapping: SectorMapping | None = None,
        baseline: SectorMap | None = None,
    ) -> None:
        self.overrides = overrides or load_overrides()
        self.snapshot = snapshot
        self.mapping = mapping or load_mapping()
        self.baseline = baseline or load_sector_map()

    def decide(self, asset_id: str, symbol: str = "") -> Decision:
        key = asset_id.lower()
        override = self.overrides.entries.get(key)
        if override is not None:
            return Decision(override.sector, "override", override.reason)
        if self.snapshot is not None and key in self.snapshot.categories_by_asset:
            sector, why = self.mapping.decide(self.snapshot.categories_by_asset[key])
            if sector is not None:
                return Decision(sector, "taxonomy", ", ".join(why))
        sector = self.baseline.sector_of(asset_id, symbol)
        if sector is not None:
            return Decision(sector, "baseline", BASELINE_FILE)
        return Decision(None, "none", "")

    def sector_of(self, asset_id: str, symbol: str) -> str | None:
        return self.decide(asset_id, symbol).sector

    @property
    def record(self) -> ClassificationRecord:
        return ClassificationRecord(
            source="taxonomy" if self.snapshot is not None else "curated",
            taxonomy_snapshot=self.snapshot.id if self.snapshot is not None else None,
            mapping_version=self.mapping.version if self.snapshot is not None else None,
            overrides_sha256=self.overrides.sha256,
            baseline_sha256=_baseline_sha256(),
        )

    def assets(self) -> list[str]:
        """Every asset the snapshot or the overrides name."""
        listed = set(self.snapshot.categories_by_asset) if self.snapshot is not None else set()
        return sorted(listed | set(self.overrides.entries))

    def symbol_of(self, asset_id: str) -> str:
        if self.snapshot is not None and asset_id in self.snapshot.symbols:
            return self.snapshot.symbols[asset_id]
        return ""


class SectorChange(BaseModel):
    asset_id: str
    symbol: str
    before: str | None
    after: str | None
    source: str  # what decides it now: override | taxonomy | baseline | none
    why: str


def diff(old: Classifier, new: Classifier) -> list[SectorChange]:
    """The assets whose sector differs between two classifications (typically the previous and
    the latest snapshot, same overrides), with the category moves behind each change; and the
    assets whose taxonomy sector moved while an override held them (``source`` override)."""
    before_cats = old.snapshot.categories_by_asset if old.snapshot is not None else {}
    after_cats = new.snapshot.categories_by_asset if new.snapshot is not None else {}
    changes = []
    for asset in sorted(set(old.assets()) | set(new.assets())):
        symbol = new.symbol_of(asset) or old.symbol_of(asset)
        a, b = old.decide(asset, symbol), new.decide(asset, symbol)
        joined = sorted(set(after_cats.get(asset, [])) - set(before_cats.get(asset, [])))
        left = sorted(set(before_cats.get(asset, [])) - set(after_cats.get(asset, [])))
        moves = [f"{verb} {', '.join(c)}" for verb, c in (("joined", joined), ("left", left)) if c]
        why = None
        if a.sector != b.sector:
            why = "; ".join(moves) or f"{a.source} -> {b.source}"
            if b.source == "override":
                why = f"override: {b.detail}"
        elif b.source == "override":
            implied_before = old.mapping.decide(before_cats.get(asset, []))[0]
            implied_after = new.mapping.decide(after_cats.get(asset, []))[0]
            if implied_before != implied_after and implied_after != b.sector:
                why = f"taxonomy now says {implied_after}; held by override: {b.detail}"
        if why is not None:
            changes.append(
                SectorChange(
                    asset_id=asset,
                    symbol=symbol,
                    before=a.sector,
                    after=b.sector,
                    source=b.source,
                    why=why,
                )
            )
    return changes
