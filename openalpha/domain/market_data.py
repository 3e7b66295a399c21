"""``MarketData``: what a strategy sees, in backtests and live alike (ARCHITECTURE §3).

* ``bars[key]``: DataFrame indexed by bar open time (tz-aware UTC ``DatetimeIndex``) with
  columns ``open high low close volume`` (plus ``turnover`` when known), sorted, unique.
* ``mark[key]``: mark-price OHLC on the same index as the bars (absent for spot). Live, a
  mapping that reads a frame only when it is asked for (``openalpha.live.mark_feed``); such a
  mapping offers ``map_frames(fn)``, which :meth:`MarketData.slice` uses so as to read nothing.
* ``funding[key]``: Series of funding rates indexed by settlement time (absent for spot).
* ``instruments[key]``: the :class:`Instrument` with its filters, when known.

Keys follow :func:`openalpha.domain.instrument.instrument_key` (``BTCUSDT``, ``BTCUSDT@spot``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from openalpha.domain.instrument import Instrument
from openalpha.domain.intervals import normalize_interval

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")


def _check_frame(key: str, frame: pd.DataFrame) -> None:
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"bars for {key} lack columns {missing}")
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError(f"bars for {key} need a tz-aware UTC DatetimeIndex")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise ValueError(f"bars for {key} must be sorted by time without duplicates")


@dataclass(frozen=True)
class MarketData:
    """Aligned history of one or more instruments at one interval."""

    interval: str
    bars: Mapping[str, pd.DataFrame]
    mark: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    funding: Mapping[str, pd.Series] = field(default_factory=dict)
    instruments: Mapping[str, Instrument] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "interval", normalize_interval(self.interval))
        if not self.bars:
            raise ValueError("MarketData needs bars for at least one instrument")
        for key, frame in self.bars.items():
            _check_frame(key, frame)

    @property
    def symbols(self) -> list[str]:
        return list(self.bars)

    @property
    def index(self) -> pd.DatetimeIndex:
        """The bar index of the first instrument (all instruments share it when aligned)."""
        first = next(iter(self.bars.values()))
        return pd.DatetimeIndex(first.index)

    def close(self) -> pd.DataFrame:
        """Close prices of every instrument, one column each."""
        return pd.DataFrame({k: v["close"] for k, v in self.bars.items()})

    def slice(self, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> MarketData:
        """Bars with open time in ``[start, end)``; funding settlements in the same range."""

        def cut(obj: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
            idx = obj.index
            if idx.is_monotonic_increasing:  # the usual case: two binary searches, no mask
                lo = int(idx.searchsorted(start, side="left")) if start is not None else 0
                hi = int(idx.searchsorted(end, side="left")) if end is not None else len(idx)
                return obj.iloc[lo : max(lo, hi)]
            mask = pd.Series(True, index=idx)
            if start is not None:
                mask &= idx >= start
            if end is not None:
                mask &= idx < end
            return obj[mask.to_numpy()]

        lazy = getattr(self.mark, "map_frames", None)  # live marks: cut when read, not now
        return MarketData(
            interval=self.interval,
            bars={k: cut(v) for k, v in self.bars.items()},  # type: ignore[misc]
            mark=lazy(cut) if callable(lazy) else {k: cut(v) for k, v in self.mark.items()},  # type: ignore[misc]
            funding={k: cut(v) for k, v in self.funding.items()},  # type: ignore[misc]
            instruments=dict(self.instruments),
        )

    def tail(self, n: int) -> MarketData:
        """The last ``n`` bars of every instrument (what a live strategy sees after a close)."""
        start = self.index[-n] if n < len(self.index) else None
        return self.slice(start=start)
