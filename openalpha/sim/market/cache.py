"""An in-memory, pre-formatted view of the store for the market endpoints.

Each dataset ``(category, kind, symbol, interval)`` is read once from the store into sorted
``ts`` plus float columns and their Bybit string forms, so a request is two binary searches and
a slice. A dataset is re-read when its file changes on disk (checked at most once a second).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from openalpha.data.resample import resample_bars
from openalpha.domain.intervals import interval_ms

if TYPE_CHECKING:
    from openalpha.data.store import ParquetStore

VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kline": ("open", "high", "low", "close", "volume", "turnover"),
    "mark": ("open", "high", "low", "close"),
    "index": ("open", "high", "low", "close"),
    "funding": ("rate",),
}
KINDS = tuple(VALUE_COLUMNS)
_RECHECK_S = 1.0


def format_numbers(values: np.ndarray) -> np.ndarray:
    """Plain decimal strings as Bybit writes them: shortest round-trip digits, no exponent
    (``"0.00001"``, never ``"1e-05"``), no trailing ``".0"``; NaN (a column the source lacks) → ``"0"``."""
    out: list[str] = []
    append = out.append
    for x in values.tolist():
        s = repr(x)
        if s.endswith(".0"):
            s = s[:-2]
        elif "e" in s or "n" in s:
            s = "0" if x != x else np.format_float_positional(x, trim="-")
        append(s)
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    return arr


@dataclass(frozen=True)
class Series:
    """One dataset: ``ts`` ascending (int64 ms), float ``values[col]``, ``rows`` — an object
    array of string rows ``[ts, *columns]`` — and ``json_rows``, each row already encoded as a JSON
    array, so a 1000-candle answer is a join of bytes."""

    ts: np.ndarray
    values: dict[str, np.ndarray]
    rows: np.ndarray
    json_rows: list[bytes]

    def __len__(self) -> int:
        return len(self.ts)

    def span(self, lo: int, hi: int) -> tuple[int, int]:
        """Index range of the rows with ``lo <= ts <= hi``."""
        return int(np.searchsorted(self.ts, lo, "left")), int(np.searchsorted(self.ts, hi, "right"))


def build_series(frame: Any, kind: str) -> Series:
    ts = frame["ts"].to_numpy(dtype=np.int64)
    cols = VALUE_COLUMNS[kind]
    values = {c: frame[c].to_numpy(dtype=np.float64) for c in cols}
    stamps = np.empty(len(ts), dtype=object)
    stamps[:] = [str(t) for t in ts.tolist()]
    text = [stamps] + [format_numbers(values[c]) for c in cols]
    rows = np.empty((len(ts), len(text)), dtype=object)
    for j, col in enumerate(text):
        rows[:, j] = col
    encode = msgspec.json.Encoder().encode
    return Series(ts, values, rows, [encode(r) for r in rows.tolist()])


class MarketCache:
    """Datasets of one store, loaded lazily and reloaded when their files change."""

    def __init__(self, store: ParquetStore) -> None:
        self.store = store
        self.root = Path(store.root)
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, str, str], tuple[float, float, Series | None]] = {}
        self._symbols: dict[str, tuple[float, frozenset[str]]] = {}

    def get(self, category: str, kind: str, symbol: str, interval: str) -> Series | None:
        """The dataset, or None when the store has nothing for it. A candle interval the store
        lacks is resampled from the finest stored interval that divides it (complete buckets
        only, :func:`openalpha.data.resample.resample_bars`), as the exchange would have it."""
        key = (category, kind, symbol, interval)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < _RECHECK_S:
            return entry[2]
        source = self._source_interval(category, kind, symbol, interval)
        path = self.store.path(category, kind, symbol, source) if source else None
        mtime = path.stat().st_mtime_ns if path is not None and path.exists() else -1.0
        if entry is not None and entry[1] == mtime:
            series = entry[2]
        elif source is None or mtime < 0:
            series = None
        else:
            frame = self.store.read(category, kind, symbol, source)
            if source != interval and len(frame):
                frame = resample_bars(frame, source, interval)
            series = build_series(frame, kind) if len(frame) else None
        with self._lock:
            self._entries[key] = (now, mtime, series)
        return series

    def _source_interval(self, category: str, kind: str, symbol: str, interval: str) -> str | None:
        """``interval`` itself when stored, else the finest stored divisor (None if none)."""
        stored = self.intervals(category, kind, symbol)
        if interval in stored or kind == "funding":
            return interval
        try:
            target = interval_ms(interval)
        except ValueError:  # "M": months are not resampled
            return None
        divisors = [c for c in stored if c.isdigit() or c in ("D", "W")]
        divisors = [c for c in divisors if target % interval_ms(c) == 0 and interval_ms(c) < target]
        return min(divisors, key=interval_ms) if divisors else None

    def symbols(self, category: str) -> frozenset[str]:
        """Symbols the store holds any dataset for in ``category``."""
        now = time.monotonic()
        cached = self._symbols.get(category)
        if cached is not None and now - cached[0] < _RECHECK_S:
            return cached[1]
        found: set[str] = set()
        for kind in KINDS:
            base = self.root / category / kind
            if base.is_dir():
                found.update(p.name for p in base.iterdir() if p.is_dir())
        result = frozenset(found)
        self._symbols[category] = (now, result)
        return result

    def intervals(self, category: str, kind: str, symbol: str) -> list[str]:
        base = self.root / category / kind / symbol
        if not base.is_dir():
            return []
        return sorted(p.stem for p in base.glob("*.parquet"))
