"""The Parquet store: one file per (category, kind, symbol, interval) under ``$OPENALPHA_HOME/data``.

Layout (README "Data")::

    <root>/<category>/<kind>/<SYMBOL>/<interval>.parquet    kinds: kline, mark, index, funding
    <root>/instruments/<category>.json                      Instrument filters (msgspec JSON)
    <root>/gaps/<category>/<kind>/<SYMBOL>/<interval>.json  known exchange gaps, [[start, end), ...]
    <root>/sources.json                                     which exchange each imported dataset came from

Frames: ``ts`` int64 ms UTC (bar open time; funding: settlement time) plus float64 value columns
(:data:`KIND_COLUMNS`), sorted by ``ts`` and unique. Funding datasets use the interval name
``"funding"``. Every file is replaced atomically (temp file in the same directory, fsync,
``os.replace``) under an exclusive lock, so a process killed at any instant leaves the previous
good file and concurrent writers never lose each other's rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from openalpha.config.paths import Paths
from openalpha.data.ranges import Range, bar_holes, funding_holes, grid_anchor, subtract_ranges, union_ranges
from openalpha.domain.codec import from_json, to_json
from openalpha.domain.enums import Category
from openalpha.domain.instrument import Instrument
from openalpha.domain.intervals import interval_ms, normalize_interval

KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "kline": ("open", "high", "low", "close", "volume", "turnover"),
    "mark": ("open", "high", "low", "close"),
    "index": ("open", "high", "low", "close"),
    "funding": ("rate",),
}
# Columns that may hold NaN (the source did not report them); every other value must be finite.
OPTIONAL_COLUMNS = frozenset({"volume", "turnover"})
FUNDING = "funding"
_SYMBOL_RE = re.compile(r"^[A-Z0-9]{2,40}$")
_COMPRESSION = "zstd"


class StoreError(ValueError):
    """A bad dataset name or a frame that does not fit the schema (one line)."""


@dataclass(frozen=True)
class DatasetId:
    category: str
    kind: str
    symbol: str
    interval: str

    def label(self) -> str:
        return f"{self.category}/{self.kind}/{self.symbol}/{self.interval}"


@dataclass(frozen=True)
class DatasetInfo:
    category: str
    kind: str
    symbol: str
    interval: str
    first_ms: int
    last_ms: int
    rows: int
    known_gaps: int
    path: Path


def dataset_id(category: str, kind: str, symbol: str, interval: str | int) -> DatasetId:
    """Validated, normalised dataset name; raises :class:`StoreError` with a one-line reason."""
    try:
        cat = Category(str(category).lower()).value
    except ValueError:
        raise StoreError(f"unknown category {category!r}; expected linear or spot") from None
    if kind not in KIND_COLUMNS:
        raise StoreError(f"unknown kind {kind!r}; expected one of {', '.join(KIND_COLUMNS)}")
    sym = str(symbol).upper()
    if not _SYMBOL_RE.match(sym):
        raise StoreError(f"bad symbol {symbol!r}: expected Bybit's spelling, e.g. BTCUSDT")
    if kind == FUNDING:
        if cat != Category.LINEAR.value:
            raise StoreError("funding exists only for linear perpetuals")
        return DatasetId(cat, kind, sym, FUNDING)
    try:
        ivl = normalize_interval(interval)
    except ValueError as err:
        raise StoreError(str(err)) from None
    return DatasetId(cat, kind, sym, ivl)


def empty_frame(kind: str) -> pd.DataFrame:
    data: dict[str, np.ndarray] = {"ts": np.empty(0, dtype=np.int64)}
    data.update({c: np.empty(0, dtype=np.float64) for c in KIND_COLUMNS[kind]})
    return pd.DataFrame(data)


def normalize_frame(ds: DatasetId, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` checked and cast to the schema of ``ds``; the last row wins for a repeated ``ts``."""
    columns = KIND_COLUMNS[ds.kind]
    if "ts" not in df.columns:
        raise StoreError(f"{ds.label()}: frame has no 'ts' column (int64 ms UTC)")
    missing = [c for c in columns if c not in df.columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise StoreError(f"{ds.label()}: frame lacks columns {missing}")
    extra = sorted(set(df.columns) - set(columns) - {"ts"})
    if extra:
        raise StoreError(f"{ds.label()}: unexpected columns {extra}")
    ts = df["ts"]
    if not pd.api.types.is_integer_dtype(ts.dtype):
        raise StoreError(f"{ds.label()}: 'ts' must be integer milliseconds, got {ts.dtype}")
    out = pd.DataFrame({"ts": ts.to_numpy(dtype=np.int64)})
    for col in columns:
        if col not in df.columns:
            out[col] = np.nan
            continue
        try:
            out[col] = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=np.float64)
        except (ValueError, TypeError):
            raise StoreError(f"{ds.label()}: column {col!r} is not numeric") from None
    _check_values(ds, out)
    out = out.drop_duplicates("ts", keep="last").sort_values("ts", kind="stable")
    return out.reset_index(drop=True)


def _check_values(ds: DatasetId, out: pd.DataFrame) -> None:
    ts = out["ts"].to_numpy()
    if len(ts) and ts.min() < 0:
        raise StoreError(f"{ds.label()}: negative timestamps")
    if len(ts) and ts.max() > 10**14:
        raise StoreError(f"{ds.label()}: timestamps look like micro/nanoseconds, expected ms")
    if ds.kind != FUNDING:
        step = interval_ms(ds.interval)
        off = (ts - grid_anchor(ds.interval)) % step
        if np.any(off):
            bad = int(ts[np.flatnonzero(off)[0]])
            raise StoreError(f"{ds.label()}: ts {bad} is not a {ds.interval} bar open time")
    for col in KIND_COLUMNS[ds.kind]:
        values = out[col].to_numpy()
        finite = np.isfinite(values)
        if col in OPTIONAL_COLUMNS:
            finite |= np.isnan(values)
        if not finite.all():
            raise StoreError(f"{ds.label()}: column {col!r} has NaN or infinite values")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_frame(path: Path, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=_COMPRESSION, row_group_size=256_000)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock beside ``path`` for one read-merge-write cycle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        # Only a lock holder writes temp files for ``path``: any left now belong to a dead writer.
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class ParquetStore:
    """Market history on disk. Cheap to construct; holds no open files."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()

    @classmethod
    def default(cls) -> ParquetStore:
        return cls(Paths.from_env().data)

    def __repr__(self) -> str:
        return f"ParquetStore({str(self.root)!r})"

    # --- paths -----------------------------------------------------------------------------
    def path(self, category: str, kind: str, symbol: str, interval: str | int) -> Path:
        ds = dataset_id(category, kind, symbol, interval)
        return self.root / ds.category / ds.kind / ds.symbol / f"{ds.interval}.parquet"

    def _gaps_path(self, ds: DatasetId) -> Path:
        return self.root / "gaps" / ds.category / ds.kind / ds.symbol / f"{ds.interval}.json"

    # --- frames ----------------------------------------------------------------------------
    def write(self, category: str, kind: str, symbol: str, interval: str | int, df: pd.DataFrame) -> int:
        """Merge ``df`` into the dataset (new rows win on equal ``ts``); returns rows added."""
        ds = dataset_id(category, kind, symbol, interval)
        new = normalize_frame(ds, df)
        path = self.path(ds.category, ds.kind, ds.symbol, ds.interval)
        with _locked(path):
            old = self._read_file(path, ds.kind)
            if len(new) == 0:
                return 0
            merged = pd.concat([old, new], ignore_index=True) if len(old) else new
            if len(old):
                merged = merged.drop_duplicates("ts", keep="last").sort_values("ts", kind="stable")
            merged = merged.reset_index(drop=True)
            if len(merged) == len(old) and merged.equals(old):
                return 0  # nothing new: leave the file alone
            atomic_write_frame(path, merged)
            return len(merged) - len(old)

    def read(
        self,
        category: str,
        kind: str,
        symbol: str,
        interval: str | int,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> pd.DataFrame:
        """Rows with ``start_ms <= ts < end_ms`` (an empty frame with the schema when none)."""
        ds = dataset_id(category, kind, symbol, interval)
        filters: list[tuple[str, str, int]] = []
        if start_ms is not None:
            filters.append(("ts", ">=", int(start_ms)))
        if end_ms is not None:
            filters.append(("ts", "<", int(end_ms)))
        return self._read_file(self.path(ds.category, ds.kind, ds.symbol, ds.interval), ds.kind, filters)

    @staticmethod
    def _read_file(path: Path, kind: str, filters: list[tuple[str, str, int]] | None = None) -> pd.DataFrame:
        if not path.exists():
            return empty_frame(kind)
        columns = ["ts", *KIND_COLUMNS[kind]]
        table = pq.read_table(path, columns=columns, filters=filters or None)
        frame: pd.DataFrame = table.to_pandas()
        return frame

    def coverage(self, category: str, kind: str, symbol: str, interval: str | int) -> tuple[int, int] | None:
        """(first, last) ``ts`` stored, or None."""
        path = self.path(category, kind, symbol, interval)
        if not path.exists():
            return None
        first, last, _ = _file_coverage(path)
        return first, last

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset in the store, sorted by category, kind, symbol, interval."""
        out: list[DatasetInfo] = []
        for cat in Category:
            for kind in KIND_COLUMNS:
                base = self.root / cat.value / kind
                paths = sorted(base.glob("*/*.parquet"), key=_dataset_order) if base.is_dir() else []
                for path in paths:
                    ds = dataset_id(cat.value, kind, path.parent.name, path.stem)
                    first, last, rows = _file_coverage(path)
                    gaps = len(self.known_gaps(ds.category, ds.kind, ds.symbol, ds.interval))
                    out.append(
                        DatasetInfo(ds.category, kind, ds.symbol, ds.interval, first, last, rows, gaps, path)
                    )
        return out

    # --- gaps ------------------------------------------------------------------------------
    def missing_ranges(
        self, category: str, kind: str, symbol: str, interval: str | int, start_ms: int, end_ms: int
    ) -> list[Range]:
        """``[start, end)`` ranges of bar open times in ``[start_ms, end_ms)`` not stored and not known gaps."""
        ds = dataset_id(category, kind, symbol, interval)
        ts = self.read(ds.category, ds.kind, ds.symbol, ds.interval, start_ms, end_ms)["ts"].to_numpy()
        if ds.kind == FUNDING:
            holes = funding_holes(ts, int(start_ms), int(end_ms))
        else:
            holes = bar_holes(ts, int(start_ms), int(end_ms), ds.interval)
        return subtract_ranges(holes, self.known_gaps(ds.category, ds.kind, ds.symbol, ds.interval))

    def known_gaps(self, category: str, kind: str, symbol: str, interval: str | int) -> list[Range]:
        """Ranges the exchange itself has no data for (recorded by ``verify --repair``)."""
        path = self._gaps_path(dataset_id(category, kind, symbol, interval))
        if not path.exists():
            return []
        return [(int(a), int(b)) for a, b in json.loads(path.read_text())]

    def record_known_gap(
        self, category: str, kind: str, symbol: str, interval: str | int, start_ms: int, end_ms: int
    ) -> list[Range]:
        """Remember that the exchange has no rows in ``[start_ms, end_ms)``; returns all known gaps."""
        if end_ms <= start_ms:
            raise StoreError(f"empty gap [{start_ms}, {end_ms})")
        ds = dataset_id(category, kind, symbol, interval)
        path = self._gaps_path(ds)
        with _locked(path):
            gaps = union_ranges(
                [*self.known_gaps(ds.category, ds.kind, ds.symbol, ds.interval), (start_ms, end_ms)]
            )
            atomic_write_bytes(path, json.dumps([list(g) for g in gaps]).encode())
        return gaps

    # --- instruments and provenance --------------------------------------------------------
    def write_instruments(self, category: str, instruments: Iterable[Instrument]) -> int:
        """Merge instrument filters for ``category`` (by symbol); returns how many are stored."""
        cat = dataset_id(category, "kline", "BTCUSDT", "1").category
        path = self.root / "instruments" / f"{cat}.json"
        with _locked(path):
            known = self.instruments(cat)
            known.update({i.symbol: i for i in instruments})
            atomic_write_bytes(path, to_json(sorted(known.values(), key=lambda i: i.symbol)))
        return len(known)

    def instruments(self, category: str) -> dict[str, Instrument]:
        path = self.root / "instruments" / f"{Category(category).value}.json"
        if not path.exists():
            return {}
        items = from_json(path.read_bytes(), list[Instrument])
        return {i.symbol: i for i in items}

    def sources(self) -> dict[str, str]:
        """Dataset label → exchange it was imported from (downloaded datasets are Bybit's)."""
        path = self.root / "sources.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def record_sources(self, labels: dict[str, str]) -> None:
        path = self.root / "sources.json"
        with _locked(path):
            merged = {**self.sources(), **labels}
            atomic_write_bytes(path, json.dumps(merged, indent=1, sort_keys=True).encode())


def _dataset_order(path: Path) -> tuple[str, int, str]:
    """Symbol, then interval by length (1 < 5 < 60 < D), funding last."""
    try:
        return path.parent.name, interval_ms(path.stem), path.stem
    except ValueError:
        return path.parent.name, 1 << 62, path.stem


def _file_coverage(path: Path) -> tuple[int, int, int]:
    """(first ts, last ts, rows) from the Parquet footer statistics, reading ``ts`` only if needed."""
    meta = pq.read_metadata(path)
    rows = meta.num_rows
    if rows == 0:
        return 0, 0, 0
    col = meta.schema.to_arrow_schema().get_field_index("ts")
    stats = [meta.row_group(i).column(col).statistics for i in range(meta.num_row_groups)]
    if all(s is not None and s.has_min_max for s in stats):
        return min(int(s.min) for s in stats), max(int(s.max) for s in stats), rows
    ts = pq.read_table(path, columns=["ts"])["ts"].to_numpy()
    return int(ts.min()), int(ts.max()), rows


__all__ = [
    "FUNDING",
    "KIND_COLUMNS",
    "DatasetId",
    "DatasetInfo",
    "ParquetStore",
    "StoreError",
    "atomic_write_bytes",
    "bar_holes",
    "dataset_id",
    "empty_frame",
    "funding_holes",
    "grid_anchor",
    "normalize_frame",
]
