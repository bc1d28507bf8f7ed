"""The market table as dense arrays (observation dates × assets), built once per data set.

Every methodology step reads windows and prices from these arrays instead of filtering the long
table again, so twelve monthly rebalances of fifteen indices over 2,500 coins cost one pivot.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import SsikitError

DAY_NS = 86_400 * 10**9

# Per-asset facts: the last non-missing value in the data (they do not change day to day).
_FACTS = ("sector", "first_listed", "exchanges", "quote_currencies")
_FLAGS = ("is_stablecoin", "is_derivative")


def _timestamp(day: date | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(day)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _date_codes(column: pd.Series) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each row's date as the position of its date among the distinct dates (ascending)."""
    stamps = column.array.asi8
    if len(stamps) and bool((np.diff(stamps) >= 0).all()):  # sorted: codes from change points
        change = np.empty(len(stamps), dtype=bool)
        change[0] = True
        np.not_equal(stamps[1:], stamps[:-1], out=change[1:])
        codes = np.cumsum(change) - 1
        return codes, pd.DatetimeIndex(pd.to_datetime(stamps[change], utc=True))
    codes, uniques = pd.factorize(column, sort=True)
    return codes.astype(np.int64), pd.DatetimeIndex(uniques)


def _asset_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's asset as its position among the distinct asset ids (ascending); a
    categorical's codes are remapped instead of hashing every row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories.astype(str), dtype=object)
        codes = column.cat.codes.to_numpy().astype(np.int64)
        used = np.bincount(codes, minlength=len(categories)) > 0
        order = np.argsort(categories, kind="stable")
        order = order[used[order]]  # used categories, ascending
        position = np.full(len(categories), -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        return position[codes], pd.Index(categories[order], dtype=object)
    codes, uniques = pd.factorize(column, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, dtype=object)


def _day_of(day_number: int) -> date:
    return (pd.Timestamp(0, tz="UTC") + pd.Timedelta(days=day_number)).date()


@dataclass  # not frozen: an exception's traceback is assigned when it is raised
class DataGap(SsikitError, ValueError):
    """Dates asked for that the market data does not cover (and no carrying forward was asked)."""

    what: str  # e.g. "MAG7 announcement of 2023-06-28: 30-day window 2023-05-30 to 2023-06-28"
    gaps: tuple[tuple[date, date], ...]  # uncovered (first day, last day), inclusive
    first: date | None  # the data's first and last observation
    last: date | None

    def __str__(self) -> str:
        gaps = describe_gaps(list(self.gaps))
        covers = f"the data covers {self.first} to {self.last}" if self.first else "no data"
        return (
            f"{self.what}: no data for {gaps} ({covers}); pass --carry-forward to use the "
            "latest observation before each gap (every output then says so)"
        )


def describe_gaps(gaps: list[tuple[date, date]]) -> str:
    return ", ".join(f"{a} to {b}" if a != b else f"{a}" for a, b in gaps)


@dataclass(frozen=True, eq=False)
class MarketPanel:
    dates: pd.DatetimeIndex  # distinct observation dates (UTC midnights), ascending
    assets: pd.Index  # asset ids, ascending
    price: np.ndarray  # {USD}, NaN where the asset has no row that day
    market_cap: np.ndarray  # {USD}, NaN where unknown
    volume: np.ndarray  # {USD per day}
    present: np.ndarray  # bool: the asset has a row that day
    filled_price: np.ndarray  # price carried forward from the latest observation
    facts: pd.DataFrame  # per asset: symbol, first_seen, flags, optional facts
    columns: frozenset[str]  # the optional columns the data has
    source: str = ""  # "synthetic" for the generated market (frame.attrs["source"])
    classification: Any = None  # the sectors' ClassificationRecord (frame.attrs)
    _windows: dict[tuple[pd.Timestamp, int, float], pd.DataFrame] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> MarketPanel:
        """``frame``: a validated canonical table (``validate_market_frame``: sorted by date
        and asset). Built from integer codes without a Python object per row; a complete
        table (every asset on every date) is reshaped in place rather than scattered."""
        date_codes, dates = _date_codes(frame["date"])
        asset_codes, assets = _asset_codes(frame["asset_id"])
        shape = (len(dates), len(assets))
        flat = date_codes * shape[1] + asset_codes
        complete = len(flat) == shape[0] * shape[1] and bool((np.diff(flat) == 1).all())

        def dense(column: str) -> np.ndarray:
            values = frame[column].to_numpy(dtype="float64")
            if complete:
                return values.reshape(shape)
            out = np.full(shape, np.nan)
            out.ravel()[flat] = values
            return out

        present = np.zeros(shape, dtype=bool)
        present.ravel()[flat] = True
        price = dense("price")
        filled = pd.DataFrame(price, copy=False).ffill().to_numpy()
        # Each asset's last row: the table is sorted by (date, asset), so it is found from the
        # last date the asset is present on.
        last_date = shape[0] - 1 - np.argmax(present[::-1], axis=0)
        last_row = np.searchsorted(flat, last_date * shape[1] + np.arange(shape[1]))
        facts = pd.DataFrame(index=pd.Index(assets, name="asset_id"))
        facts["symbol"] = np.asarray(frame["symbol"].take(last_row), dtype=object)
        facts["first_seen"] = pd.DatetimeIndex(dates)[np.argmax(present, axis=0)]
        for flag in _FLAGS:
            if flag in frame:
                hits = np.bincount(asset_codes, weights=frame[flag].to_numpy(dtype=bool))
                facts[flag] = hits[: shape[1]] > 0
            else:
                facts[flag] = False
        for fact in _FACTS:
            if fact not in frame:
                continue
            column = frame[fact]
            if column.notna().all():
                facts[fact] = np.asarray(column.take(last_row), dtype=object)
            else:  # the last value that is there; None where there is none
                last = column.groupby(asset_codes, sort=True).last().reindex(range(shape[1]))
                values = last.to_numpy(dtype=object)
                facts[fact] = np.where(pd.isna(values), None, values)
        return cls(
            dates=pd.DatetimeIndex(dates),
            assets=pd.Index(assets),
            price=price,
            market_cap=dense("market_cap"),
            volume=dense("volume"),
            present=present,
            filled_price=filled,
            facts=facts,
            columns=frozenset(c for c in (*_FACTS, *_FLAGS) if c in frame),
            source=str(frame.attrs.get("source", "")),
            classification=frame.attrs.get("classification"),
        )

    @property
    def sparse(self) -> bool:
        """Observations are further apart than a day somewhere (e.g. monthly snapshots)."""
        gaps = np.diff(self.dates.asi8)
        return bool(len(gaps)) and int(gaps.max()) > 86_400 * 10**9

    @property
    def cadence_days(self) -> int:
        """The data's usual spacing in days (1 for daily data, about 30 for monthly snapshots)."""
        if len(self.dates) < 2:
            return 1
        return max(int(np.median(np.diff(self.dates.asi8)) // DAY_NS), 1)

    def uncovered(self, start: date, end: date) -> list[tuple[date, date]]:
        """The days of [start, end] the data does not cover, as inclusive (first, last) runs.

        An observation covers the days up to the next one when they are at most one and a half
        cadences apart (a month of monthly snapshots, a day of daily data), else one cadence;
        the last observation covers one cadence. Nothing before the first observation is
        covered."""
        lo, hi = _timestamp(start).value // DAY_NS, _timestamp(end).value // DAY_NS
        if hi < lo:
            return []
        obs = self.dates.asi8 // DAY_NS
        if len(obs) == 0:
            return [(start, end)]
        cadence = self.cadence_days
        spacing = np.diff(obs, append=obs[-1] + cadence)
        until = obs + np.where(spacing <= cadence + cadence // 2, spacing, cadence)
        # Uncovered runs: before the first observation, and from each `until` to the next one.
        starts = np.concatenate(([np.iinfo(np.int64).min // 2], until))
        stops = np.concatenate((obs, [np.iinfo(np.int64).max // 2]))  # exclusive
        open_ = starts < stops
        out = []
        for a, b in zip(starts[open_], stops[open_], strict=True):
            first, last = max(int(a), lo), min(int(b) - 1, hi)
            if first <= last:
                out.append((_day_of(first), _day_of(last)))
        return out

    def require(self, what: str, start: date, end: date, carry_forward: bool = False) -> list[str]:
        """Raises DataGap when [start, end] is not covered; with ``carry_forward`` returns the
        note that says what was carried forward instead (empty when all is covered)."""
        gaps = self.uncovered(start, end)
        if not gaps:
            return []
        first = self.dates[0].date() if len(self.dates) else None
        last = self.dates[-1].date() if len(self.dates) else None
        if not carry_forward or first is None or gaps[0][0] < first:
            raise DataGap(what, tuple(gaps), first, last)
        return [f"carried forward: no data for {describe_gaps(gaps)} ({what})"]

    def window(self, reference: date, days: int) -> slice:
        """Rows of the ``days``-day window that ends on ``reference`` (inclusive). With sparse
        data the window always reaches back to the latest observation at or before
        ``reference``, so monthly snapshots still give every window a row."""
        end = _timestamp(reference)
        start = end - pd.Timedelta(days=days - 1)
        stop = int(self.dates.searchsorted(end, "right"))
        return slice(max(min(int(self.dates.searchsorted(start, "left")), stop - 1), 0), stop)

    def window_stats(self, reference: date, days: int, peg_band: float) -> pd.DataFrame:
        """Per asset with a row in the window: average cap and volume (missing values skipped),
        the last known cap and price, and the share of the window's rows pegged to 1 USD.
        Computed once per window and shared by every index (a copy is returned)."""
        key = (pd.Timestamp(reference), days, peg_band)
        if key not in self._windows:
            self._windows[key] = self._window_stats(reference, days, peg_band)
        return self._windows[key].copy()

    def _window_stats(self, reference: date, days: int, peg_band: float) -> pd.DataFrame:
        rows = self.window(reference, days)
        present = self.present[rows]
        seen = present.any(axis=0)
        cap, volume, price = (a[rows][:, seen] for a in (self.market_cap, self.volume, self.price))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns give NaN
            avg_cap = np.nanmean(cap, axis=0)
            avg_volume = np.nanmean(volume, axis=0)
        pegged = (np.abs(price - 1) <= peg_band) & present[:, seen]
        table = self.facts.loc[seen].copy()
        table["avg_market_cap"] = avg_cap
        table["avg_volume"] = avg_volume
        table["ref_market_cap"] = pd.DataFrame(cap).ffill().to_numpy()[-1]
        table["ref_price"] = pd.DataFrame(price).ffill().to_numpy()[-1]
        table["peg_share"] = pegged.sum(axis=0) / present[:, seen].sum(axis=0)
        return table

    def prices_at(self, days: pd.DatetimeIndex, assets: list[str]) -> np.ndarray:
        """{USD} each asset's latest observed price at or before each day (NaN before the
        first observation): sparse data is carried forward."""
        rows = self.dates.searchsorted(days, "right") - 1
        columns = self.assets.get_indexer(assets)
        if (columns < 0).any():
            unknown = [a for a, c in zip(assets, columns, strict=True) if c < 0]
            raise KeyError(f"no market data for {unknown}")
        out = self.filled_price[np.clip(rows, 0, None)][:, columns]
        out[rows < 0] = np.nan
        return out

    def asset_with_symbol(self, symbol: str) -> str | None:
        """The largest asset (by last market cap) with this ticker, e.g. BTC for a benchmark."""
        matches = self.facts.index[self.facts["symbol"].str.upper() == symbol.upper()]
        if len(matches) == 0:
            return None
        caps = pd.DataFrame(self.market_cap[:, self.assets.get_indexer(matches)]).ffill()
        last = caps.iloc[-1].fillna(0).to_numpy()
        return str(matches[int(np.argmax(last))])

    def usd_prices(self, day: date, symbols: list[str]) -> dict[str, float]:
        """{USD per whole asset} by ticker: each ticker's largest asset, its latest observation at
        or before ``day`` 00:00 UTC (the methodology implements at that day's prices). Tickers
        without data are left out."""
        out: dict[str, float] = {}
        for symbol in symbols:
            asset = self.asset_with_symbol(symbol)
            if asset is None:
                continue
            price = self.prices_at(pd.DatetimeIndex([_timestamp(day)]), [asset])[0, 0]
            if not np.isnan(price):
                out[symbol] = float(price)
        return out
