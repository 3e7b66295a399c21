"""The market the matching engine trades against: per-symbol numpy arrays of closed bars.

A :class:`Series` holds one instrument's trade bars (``ts`` = open time, ms), optional mark-price
bars and funding settlements. :class:`MarketFeed` maps ``(category, symbol)`` to a Series and can
be filled from the Parquet store (:func:`MarketFeed.from_store`) or directly (tests, benchmarks).
Only *closed* bars are ever visible: bar ``i`` is closed at ``ts[i] + interval_ms``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from openalpha.domain import Category, interval_ms

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# Trade-bar intervals the feed looks for in the store, finest first.
PREFERRED_INTERVALS: tuple[str, ...] = ("1", "3", "5", "15", "30", "60")


@dataclass
class Series:
    """Closed bars of one instrument plus mark and funding, as float64/int64 arrays."""

    interval_ms: int
    ts: I64
    open: F64
    high: F64
    low: F64
    close: F64
    volume: F64
    mark_ts: I64 | None = None
    mark_high: F64 | None = None
    mark_low: F64 | None = None
    mark_close: F64 | None = None
    mark_interval_ms: int = 0
    funding_ts: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    funding_rate: F64 = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    close_ts: I64 = field(init=False)

    def __post_init__(self) -> None:
        self.close_ts = self.ts + self.interval_ms
        if self.mark_ts is not None and self.mark_interval_ms != self.interval_ms:
            # Mark bars coarser or finer than the trade bars cannot be aligned bar by bar:
            # the trade bars stand in for the mark (documented in the engine's fill model).
            self.mark_ts = self.mark_high = self.mark_low = self.mark_close = None

    @property
    def has_mark(self) -> bool:
        return self.mark_ts is not None

    def last_closed(self, now_ms: int) -> int:
        """Index of the last bar closed at ``now_ms`` (-1 when none)."""
        return int(np.searchsorted(self.close_ts, now_ms, side="right")) - 1

    def closed_through(self, t_ms: int) -> int:
        """Index of the last bar whose close time is <= ``t_ms`` (-1 when none)."""
        return self.last_closed(t_ms)

    def mark_arrays(self) -> tuple[F64, F64, F64]:
        """(high, low, close) of the mark price aligned to the trade bars."""
        if self.mark_ts is None or self.mark_high is None or self.mark_low is None or self.mark_close is None:
            return self.high, self.low, self.close
        return self.mark_high, self.mark_low, self.mark_close

    def mark_at(self, index: int) -> float:
        """Mark price at the close of trade bar ``index``."""
        if self.mark_ts is not None and self.mark_close is not None:
            j = int(np.searchsorted(self.mark_ts, self.ts[index], side="right")) - 1
            if j >= 0:
                return float(self.mark_close[j])
        return float(self.close[index])

    def funding_rate_at(self, t_ms: int) -> float:
        """The funding rate settled at ``t_ms``: the stored rate for that time, else the latest before it, else 0."""
        j = int(np.searchsorted(self.funding_ts, t_ms, side="right")) - 1
        return float(self.funding_rate[j]) if j >= 0 else 0.0


def _col(frame: Any, name: str) -> F64:
    return np.ascontiguousarray(frame[name].to_numpy(dtype=np.float64))


def series_from_frames(
    bars: Any,
    interval: str,
    mark: Any | None = None,
    mark_interval: str | None = None,
    funding: Any | None = None,
) -> Series:
    """Build a Series from store-shaped DataFrames (column ``ts`` int64 ms + float columns)."""
    mark_kw: dict[str, Any] = {}
    if mark is not None and len(mark):
        mark_kw = {
            "mark_ts": np.ascontiguousarray(mark["ts"].to_numpy(dtype=np.int64)),
            "mark_high": _col(mark, "high"),
            "mark_low": _col(mark, "low"),
            "mark_close": _col(mark, "close"),
            "mark_interval_ms": interval_ms(mark_interval or interval),
        }
    fund_kw: dict[str, Any] = {}
    if funding is not None and len(funding):
        fund_kw = {
            "funding_ts": np.ascontiguousarray(funding["ts"].to_numpy(dtype=np.int64)),
            "funding_rate": _col(funding, "rate"),
        }
    return Series(
        interval_ms=interval_ms(interval),
        ts=np.ascontiguousarray(bars["ts"].to_numpy(dtype=np.int64)),
        open=_col(bars, "open"),
        high=_col(bars, "high"),
        low=_col(bars, "low"),
        close=_col(bars, "close"),
        volume=_col(bars, "volume"),
        **mark_kw,
        **fund_kw,
    )


class MarketFeed:
    """``(category, symbol) -> Series``; symbols without a series cannot be traded."""

    def __init__(self) -> None:
        self._series: dict[tuple[Category, str], Series] = {}

    def add(self, category: Category | str, symbol: str, series: Series) -> None:
        self._series[(Category(category), symbol)] = series

    def get(self, category: Category | str, symbol: str) -> Series | None:
        return self._series.get((Category(category), symbol))

    def keys(self) -> list[tuple[Category, str]]:
        return sorted(self._series)

    @classmethod
    def from_store(cls, store: Any, symbols: list[tuple[Category, str]] | None = None) -> MarketFeed:
        """Load every stored kline dataset (finest interval per symbol) with its mark and funding."""
        feed = cls()
        wanted: dict[tuple[Category, str], str] = {}
        for info in store.datasets():
            cat, kind, symbol, interval = (
                Category(str(info.category)),
                str(info.kind),
                str(info.symbol),
                str(info.interval),
            )
            if kind != "kline" or interval not in PREFERRED_INTERVALS:
                continue
            if symbols is not None and (cat, symbol) not in symbols:
                continue
            best = wanted.get((cat, symbol))
            if best is None or PREFERRED_INTERVALS.index(interval) < PREFERRED_INTERVALS.index(best):
                wanted[(cat, symbol)] = interval
        for (cat, symbol), interval in sorted(wanted.items()):
            bars = store.read(cat.value, "kline", symbol, interval)
            if not len(bars):
                continue
            mark = funding = None
            if cat is Category.LINEAR:
                mark = store.read(cat.value, "mark", symbol, interval)
                funding = store.read(cat.value, "funding", symbol, "funding")
            feed.add(cat, symbol, series_from_frames(bars, interval, mark, interval, funding))
        return feed
