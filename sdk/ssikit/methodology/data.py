"""The canonical market table: one row per asset per UTC day.

Columns: ``date`` (UTC midnight), ``asset_id``, ``symbol``, ``price`` {USD per whole asset},
``market_cap`` {USD, circulating; missing when unknown, never 0}, ``volume`` {USD per day};
optional ``sector``, ``first_listed``, ``exchanges``, ``quote_currencies``, ``is_stablecoin``,
``is_derivative``. Read from CSV (optionally gzipped) or Parquet and validated on load: every
problem is reported with the file, the row (line number in a CSV) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import SsikitError

REQUIRED = ("date", "asset_id", "symbol", "price", "market_cap", "volume")
NUMERIC = ("price", "market_cap", "volume")
DAY_NS = 86_400 * 10**9
OPTIONAL = (
    "sector",
    "first_listed",
    "exchanges",
    "quote_currencies",
    "is_stablecoin",
    "is_derivative",
)


@dataclass(frozen=True)
class MarketDataError(SsikitError, ValueError):
    """A market data file breaks the canonical table's rules."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column!r}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.reason}"


def _line(position: int) -> int:
    """CSV line number of the data row at 0-based ``position`` (line 1 is the header)."""
    return position + 2


def validate_market_frame(frame: pd.DataFrame, source: str = "<frame>") -> pd.DataFrame:
    """Checks and normalises a market table; returns a new frame sorted by (date, asset_id).

    Raises MarketDataError for: a missing column; a non-numeric or negative price, market cap
    or volume; an unparsable or non-UTC date, or one not at midnight; a duplicate
    (date, asset_id) row. Zero market caps become missing values.

    Built for full-history tables (tens of millions of rows): text columns are checked once
    per distinct value and categoricals stay categoricals; numbers are checked in place and
    only copied when a value has to change; duplicates and order are found from one integer
    key per row (day × assets + asset), and a table already in order is not sorted again.
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise MarketDataError(source, None, missing[0], "required column is missing")
    keep = [c for c in (*REQUIRED, *OPTIONAL) if c in frame.columns]
    # Columns as positional Series over their own arrays (no copy).
    out: dict[str, Any] = {c: pd.Series(frame[c].array, copy=False) for c in keep}

    out["date"] = _parse_dates(out["date"], source)
    asset_codes = np.empty(0, dtype=np.int64)
    for column in ("asset_id", "symbol"):
        out[column], codes = _text(out[column], column, source)
        if column == "asset_id":
            asset_codes = codes
    for column in NUMERIC:
        out[column] = _numbers(out[column], column, source)
    cap = out["market_cap"].to_numpy()
    zero = cap == 0
    if zero.any():
        cap = cap.copy()
        cap[zero] = np.nan
        out["market_cap"] = pd.Series(cap, name="market_cap")

    days = out["date"].array.asi8 // DAY_NS
    width = int(asset_codes.max()) + 1 if len(asset_codes) else 1
    key = (days - (days.min() if len(days) else 0)) * width + asset_codes
    if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        repeated = order[1:][ordered[1:] == ordered[:-1]]
        if len(repeated):
            i = int(repeated.min())
            raise MarketDataError(
                source,
                _line(i),
                "date",
                f"duplicate row for {out['asset_id'].iloc[i]} on this date",
            )
        out = {c: v.take(order).reset_index(drop=True) for c, v in out.items()}
    validated = pd.DataFrame(out, copy=False)
    validated.attrs.update(frame.attrs)
    return validated


def _text(raw: pd.Series, column: str, source: str) -> tuple[pd.Series, np.ndarray]:
    """Non-empty strings, checked once per distinct value; also each row's rank of its value
    in sorted order (int64 codes, for ordering). Categoricals are kept."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes = raw.cat.codes.to_numpy()
        uniques = raw.cat.categories
    else:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    empty_unique = np.flatnonzero((text == "").to_numpy())
    empty = codes == -1
    if len(empty_unique):
        empty |= np.isin(codes, empty_unique)
    if empty.any():
        raise MarketDataError(source, _line(int(np.argmax(empty))), column, "empty value")
    if isinstance(raw.dtype, pd.CategoricalDtype):
        if not all(isinstance(u, str) for u in uniques):
            raw = raw.cat.rename_categories(list(text.astype(str)))
    elif raw.dtype != object or not isinstance(uniques[0], str):
        raw = pd.Series(uniques.astype(str), dtype=object).take(codes).reset_index(drop=True)
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[np.argsort(np.asarray(uniques.astype(str), dtype=object), kind="stable")] = np.arange(
        len(uniques)
    )
    return raw, rank[codes]


def _numbers(raw: pd.Series, column: str, source: str) -> pd.Series:
    """float64, never negative; a non-number is an error naming its row."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64", copy=False)
    else:
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            i = int(np.argmax(bad))
            raise MarketDataError(source, _line(i), column, f"not a number: {raw.iloc[i]!r}")
        values = values.astype("float64")
    negative = values.to_numpy() < 0
    if negative.any():
        i = int(np.argmax(negative))
        raise MarketDataError(source, _line(i), column, f"negative value {values.iloc[i]}")
    return values


def _parse_dates(raw: pd.Series, source: str) -> pd.Series:
    """UTC midnights. Typed timestamps must be UTC (naive ones are read as UTC); text is parsed
    once per distinct value, and an explicit offset other than UTC is refused rather than
    silently converted."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        if str(raw.dt.tz) != "UTC":
            raise MarketDataError(source, _line(0), "date", f"not a UTC date: {raw.dt.tz}")
        parsed = raw if raw.dt.unit == "ns" else raw.dt.as_unit("ns")
    elif pd.api.types.is_datetime64_dtype(raw):
        parsed = raw.dt.tz_localize("UTC").dt.as_unit("ns")
    else:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        text = pd.Series(uniques, dtype=object).astype(str)
        # ISO 8601 only: "01/08/2024" is refused, never read as 8 January or 1 August.
        dates = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        bad = dates.isna().to_numpy()
        if (codes == -1).any() or bad.any():
            bad_rows = (codes == -1) | np.isin(codes, np.flatnonzero(bad))
            i = int(np.argmax(bad_rows))
            raise MarketDataError(
                source, _line(i), "date", f"not an ISO date (YYYY-MM-DD): {raw.iloc[i]!r}"
            )
        offset = text.str.extract(r"([+-]\d{2}:?\d{2})$")[0]
        non_utc = (offset.notna() & ~offset.isin(["+00:00", "+0000", "-00:00"])).to_numpy()
        if non_utc.any():
            i = int(np.argmax(np.isin(codes, np.flatnonzero(non_utc))))
            raise MarketDataError(source, _line(i), "date", f"not a UTC date: {raw.iloc[i]!r}")
        naive = dates.dt.tz_localize(None).dt.as_unit("ns").to_numpy()
        parsed = pd.Series(naive.take(codes), index=raw.index).dt.tz_localize("UTC")
    not_midnight = parsed.array.asi8 % DAY_NS != 0
    if not_midnight.any():
        i = int(np.argmax(not_midnight))
        raise MarketDataError(source, _line(i), "date", f"not a UTC day (00:00): {raw.iloc[i]!r}")
    return parsed


def load_market_data(path: Path) -> pd.DataFrame:
    """Reads a canonical table from ``.csv``, ``.csv.gz`` or ``.parquet`` and validates it."""
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            frame = _read_parquet(path)
        elif name.endswith((".csv", ".csv.gz")):
            frame = pd.read_csv(path, dtype={"asset_id": str, "symbol": str}, keep_default_na=True)
        else:
            raise MarketDataError(str(path), None, None, "expected .csv, .csv.gz or .parquet")
    except (OSError, ValueError) as err:
        if isinstance(err, MarketDataError):
            raise
        raise MarketDataError(str(path), None, None, f"cannot read: {err}") from err
    return validate_market_frame(frame, str(path))


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet table one column at a time, so the Arrow buffers of only one column are alive
    beside the frame (a 36.5-million-row table would otherwise need twice its size). Strings
    stored as dictionaries (as ``save_market_data`` writes them) come back as categoricals."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    columns = {}
    for name in parquet.schema_arrow.names:
        table = parquet.read(columns=[name])
        columns[name] = table.to_pandas(self_destruct=True, split_blocks=True)[name]
        del table
    frame = pd.DataFrame(columns, copy=False)
    metadata = parquet.schema_arrow.metadata or {}
    if b"ssikit.source" in metadata:
        frame.attrs["source"] = metadata[b"ssikit.source"].decode()
    if b"ssikit.classification" in metadata:
        from .sectors import ClassificationRecord

        frame.attrs["classification"] = ClassificationRecord.model_validate_json(
            metadata[b"ssikit.classification"]
        )
    return frame


def save_market_data(frame: pd.DataFrame, path: Path) -> None:
    """Writes a validated table as Parquet or CSV (gzipped if the name ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.lower().endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        metadata = dict(table.schema.metadata or {})
        if frame.attrs.get("source"):
            metadata[b"ssikit.source"] = str(frame.attrs["source"]).encode()
        if frame.attrs.get("classification") is not None:
            metadata[b"ssikit.classification"] = frame.attrs["classification"].model_dump_json()
        table = table.replace_schema_metadata(metadata)
        pq.write_table(table, path)
    else:
        out = frame.copy()
        out["date"] = out["date"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.to_csv(path, index=False)
