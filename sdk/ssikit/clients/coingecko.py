"""A CoinGecko client for the canonical market table: daily price, circulating market cap and
volume per coin over a date range (``/coins/{id}/market_chart/range``); and for the vendor's
category taxonomy (``/coins/categories/list`` and each category's ``/coins/markets`` listing).

- Retries: 429 and 5xx responses are retried with exponential backoff, honouring Retry-After
  (urllib3's ``Retry`` under a requests session).
- Rate limit: at most one request per ``min_interval`` seconds (the public API allows about 30
  a minute; a key raises that), enforced before every request that reaches the network.
- Disk cache: every successful response is kept under ``cache_dir`` by request, so a repeated
  fetch (or a fetch resumed after a failure) only asks for what it has not got. The taxonomy is
  never read from the cache: a category's members change, and a snapshot must be today's.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from pydantic import BaseModel, ConfigDict, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..core.errors import SsikitError

PUBLIC_API = "https://api.coingecko.com/api/v3"
PRO_API = "https://pro-api.coingecko.com/api/v3"
DEFAULT_CACHE = Path.home() / ".cache" / "ssikit" / "coingecko"


@dataclass(frozen=True)
class CoinGeckoError(SsikitError):
    """A request failed for good (after retries) or returned something unusable."""

    path: str
    status: int | None
    reason: str

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"CoinGecko {self.path}{status}: {self.reason}"


@dataclass
class RateLimiter:
    """At most one call per ``min_interval`` seconds."""

    min_interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = field(default=None, init=False)

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None and now - self._last < self.min_interval:
            self.sleep(self.min_interval - (now - self._last))
            now = self.clock()
        self._last = now


class VendorCategory(BaseModel):
    """One entry of ``GET /coins/categories/list``."""

    model_config = ConfigDict(extra="ignore")

    category_id: str
    name: str


class CategoryMember(BaseModel):
    """One coin of a category's ``GET /coins/markets`` listing (the fields the taxonomy uses)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    symbol: str
    name: str
    market_cap: float | None = None  # {USD}
    market_cap_rank: int | None = None


def _session(retries: int, backoff: float) -> requests.Session:
    retry = Retry(
        total=retries,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=backoff,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


class CoinGeckoClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        cache_dir: Path | None = DEFAULT_CACHE,
        min_interval: float = 2.5,
        retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 30.0,
        limiter: RateLimiter | None = None,
    ) -> None:
        """``api_key``: a CoinGecko Pro key (default: ``$COINGECKO_API_KEY``), sent as a header,
        never written to the cache. ``cache_dir=None`` disables the cache."""
        self.api_key = api_key if api_key is not None else os.environ.get("COINGECKO_API_KEY")
        self.base_url = (base_url or (PRO_API if self.api_key else PUBLIC_API)).rstrip("/")
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.limiter = limiter or RateLimiter(min_interval)
        self.session = _session(retries, backoff)
        self.requests_sent = 0

    # ------------------------------------------------------------ HTTP

    def get(self, path: str, params: dict[str, Any] | None = None, *, fresh: bool = False) -> Any:
        """JSON of ``GET path``: from the cache when present, else from the API (and cached).
        ``fresh``: always from the API, and not cached."""
        params = dict(sorted((params or {}).items()))
        cached = None if fresh else self._cache_path(path, params)
        if cached is not None and cached.exists():
            return json.loads(cached.read_text())
        self.limiter.wait()
        headers = {"accept": "application/json"}
        if self.api_key:
            headers["x-cg-pro-api-key"] = self.api_key
        try:
            response = self.session.get(
                self.base_url + path, params=params, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as err:
            raise CoinGeckoError(path, None, f"request failed: {err}") from err
        finally:
            self.requests_sent += 1
        if response.status_code != 200:
            raise CoinGeckoError(path, response.status_code, response.text[:200] or "no body")
        try:
            body = response.json()
        except ValueError as err:
            raise CoinGeckoError(path, 200, "response is not JSON") from err
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(body))
        return body

    def _cache_path(self, path: str, params: dict[str, Any]) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(json.dumps([path, params]).encode()).hexdigest()[:32]
        return self.cache_dir / path.strip("/").replace("/", "_") / f"{key}.json"

    # ------------------------------------------------------------ market data

    def market_chart(self, coin_id: str, start: date, end: date) -> dict[str, Any]:
        """Raw ``market_chart/range`` in USD from ``start`` 00:00 to ``end`` 23:59:59 UTC."""
        first = datetime(start.year, start.month, start.day, tzinfo=UTC)
        last = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
        body = self.get(
            f"/coins/{coin_id}/market_chart/range",
            {
                "vs_currency": "usd",
                "from": int(first.timestamp()),
                "to": int(last.timestamp()) - 1,
            },
        )
        if not isinstance(body, dict) or "prices" not in body:
            raise CoinGeckoError(f"/coins/{coin_id}/market_chart/range", 200, "no prices")
        return body

    def symbols(self) -> dict[str, str]:
        """CoinGecko id -> upper-case ticker, from ``/coins/list``."""
        return {c["id"]: str(c["symbol"]).upper() for c in self.get("/coins/list")}

    # ------------------------------------------------------------ taxonomy

    def categories(self) -> list[VendorCategory]:
        """Every category the vendor offers (``/coins/categories/list``), fresh."""
        path = "/coins/categories/list"
        return _parse_list(path, self.get(path, fresh=True), VendorCategory)

    def category_members(
        self, category_id: str, *, per_page: int = 250, max_pages: int = 4
    ) -> list[CategoryMember]:
        """The coins of a category, largest first (``/coins/markets?category=...``), fresh;
        pages are read until one is short or ``max_pages`` (the top 1,000 by default)."""
        path = "/coins/markets"
        members: list[CategoryMember] = []
        for page in range(1, max_pages + 1):
            params = {
                "vs_currency": "usd",
                "category": category_id,
                "order": "market_cap_desc",
                "per_page": per_page,
                "page": page,
            }
            batch = _parse_list(path, self.get(path, params, fresh=True), CategoryMember)
            members += batch
            if len(batch) < per_page:
                break
        return members

    def fetch(
        self,
        coin_ids: Iterable[str],
        start: date,
        end: date,
        *,
        symbols: dict[str, str] | None = None,
        on_coin: Callable[[str], None] | None = None,
    ) -> pd.DataFrame:
        """The canonical table for ``coin_ids`` over [start, end] (validated)."""
        from ..methodology.data import validate_market_frame

        ids = list(coin_ids)
        names = symbols if symbols is not None else self.symbols()
        frames = []
        for coin in ids:
            frames.append(
                daily_rows(coin, names.get(coin, coin.upper()), self.market_chart(coin, start, end))
            )
            if on_coin is not None:
                on_coin(coin)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return validate_market_frame(frame, f"CoinGecko {self.base_url}")


def _parse_list(path: str, body: Any, model: type[Any]) -> list[Any]:
    """A JSON list of ``model`` items, or a CoinGeckoError naming the item and field."""
    if not isinstance(body, list):
        raise CoinGeckoError(path, 200, "expected a JSON list")
    out = []
    for k, item in enumerate(body):
        try:
            out.append(model.model_validate(item))
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in (k, *first["loc"]))
            raise CoinGeckoError(path, 200, f"unexpected item ({where}: {first['msg']})") from err
    return out


def daily_rows(coin_id: str, symbol: str, chart: dict[str, Any]) -> pd.DataFrame:
    """One row per UTC day from a ``market_chart`` body: the day's first point (CoinGecko gives
    daily points at 00:00 UTC for ranges over 90 days, and finer ones for shorter ranges)."""

    def series(key: str) -> pd.Series:
        points = chart.get(key) or []
        if not points:
            return pd.Series(dtype="float64")
        stamps = pd.to_datetime([p[0] for p in points], unit="ms", utc=True)
        values = pd.Series([p[1] for p in points], index=stamps, dtype="float64")
        return values.groupby(values.index.floor("D")).first()

    prices = series("prices")
    table = pd.DataFrame(
        {
            "price": prices,
            "market_cap": series("market_caps").reindex(prices.index),
            "volume": series("total_volumes").reindex(prices.index),
        }
    )
    table.index.name = "date"
    table = table.reset_index()
    table.insert(1, "asset_id", coin_id)
    table.insert(2, "symbol", symbol)
    return table
