"""What a feature is computed from: one instrument's bars plus its mark, funding and spot leg.

:class:`FeatureInput` keeps the raw series (bars, mark close, funding settlements, spot close)
so that a trailing window can be cut from it exactly as a live strategy would see it
(:meth:`FeatureInput.window`). Derived series that several features share are memoised per
input (:meth:`FeatureInput.memo`).

``need_from`` says from which bar on the values are wanted: 0 (every bar) for backtests and
training, the last bar in the live path (:meth:`FeatureInput.last_bar_only`). Features may
leave earlier bars NaN then (the numba kernels skip them); the causality check runs every
feature that way, so the live value is proven equal to the full-history one.

Funding is aligned conservatively: the rate settled at time *s* is visible to a bar whose open
time is at or after *s* (so it is certainly published when that bar closes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from openalpha.domain.instrument import SPOT_SUFFIX
from openalpha.domain.intervals import interval_ms
from openalpha.domain.market_data import MarketData
from openalpha.ml.errors import MLError


@dataclass(frozen=True)
class FeatureInput:
    """One instrument's history, ready for feature computation."""

    bars: pd.DataFrame
    interval_ms: int
    mark_close: pd.Series | None = None
    funding_events: pd.Series | None = None
    spot_close: pd.Series | None = None
    need_from: int = 0
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.bars) == 0:
            raise MLError("no bars to compute features from")

    # -- the raw columns as float64 numpy arrays (what TA-Lib wants) ---------------------------
    def col(self, name: str) -> np.ndarray:
        return self.memo(f"col:{name}", lambda: self._column(name))

    def _column(self, name: str) -> np.ndarray:
        """One column, cut from the frame's float block (one conversion for all columns: a
        label lookup per column costs more than the live path's whole feature row)."""
        try:
            block = self.memo("block", lambda: self.bars.to_numpy(dtype=np.float64))
        except (TypeError, ValueError):  # a non-numeric column: convert this one alone
            return self.bars[name].to_numpy(dtype=np.float64)
        names = self.memo("columns", lambda: [str(c) for c in self.bars.columns])
        if name not in names:
            raise MLError(f"bars lack a {name!r} column")
        return np.ascontiguousarray(block[:, names.index(name)])

    @property
    def index(self) -> pd.DatetimeIndex:
        return self.memo("index", lambda: as_datetime_index(self.bars.index))

    def epoch_ms(self) -> np.ndarray:
        """Bar open times as int64 milliseconds UTC."""
        return self.memo("epoch_ms", lambda: epoch_ms(self.index))

    def first_output(self, window: int) -> int:
        """The first position a rolling statistic over ``window`` values must fill."""
        return max(window - 1, self.need_from)

    def tail(self, n: int) -> FeatureInput:
        """The last ``n`` bars with their mark and spot closes; every funding settlement is kept
        (funding features reach back in time, ``window_ms``, not in bars)."""
        if n >= len(self.bars):
            return self

        def cut(series: pd.Series | None) -> pd.Series | None:
            return None if series is None else series.iloc[-n:]

        return FeatureInput(bars=self.bars.iloc[-n:], interval_ms=self.interval_ms, mark_close=cut(self.mark_close),
                            funding_events=self.funding_events, spot_close=cut(self.spot_close))  # fmt: skip

    def last_bar_only(self) -> FeatureInput:
        """The same history, asking for the last bar's values only (the live path)."""
        return replace(self, need_from=len(self.bars) - 1, _memo={})

    @property
    def close(self) -> pd.Series:
        return self.memo("close", lambda: self.bars["close"].astype(np.float64))

    def has(self, need: str) -> bool:
        def check() -> bool:
            series = {"mark": self.mark_close, "funding": self.funding_events, "spot": self.spot_close}[need]
            return series is not None and not np.isnan(series.to_numpy(dtype=np.float64)).all()

        return bool(self.memo(f"has:{need}", check))

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def funding_on_bars(self) -> pd.Series:
        """The last settled funding rate as of each bar's open time (NaN before the first)."""

        return self.memo("funding_on_bars", lambda: align_events(self.index, self.funding_events))

    def window(self, start: int, stop: int) -> FeatureInput:
        """The bars ``[start, stop)`` by position, with funding settlements inside that time span."""
        bars = self.bars.iloc[start:stop]
        if len(bars) == 0:
            raise MLError(f"empty window [{start}, {stop})")
        t0 = bars.index[0]
        t_end = bars.index[-1]

        def cut(series: pd.Series | None) -> pd.Series | None:
            return None if series is None else series.loc[t0:t_end]

        return FeatureInput(
            bars=bars,
            interval_ms=self.interval_ms,
            mark_close=cut(self.mark_close),
            funding_events=cut(self.funding_events),
            spot_close=cut(self.spot_close),
        )


def as_datetime_index(index: pd.Index) -> pd.DatetimeIndex:
    return index if isinstance(index, pd.DatetimeIndex) else pd.DatetimeIndex(index)


def epoch_ms(index: pd.Index) -> np.ndarray:
    """int64 milliseconds since the epoch of a datetime index (no copy when it is in ms already)."""
    idx = as_datetime_index(index)
    return idx.asi8 if idx.unit == "ms" else idx.as_unit("ms").asi8


def align_events(index: pd.DatetimeIndex, events: pd.Series | None) -> pd.Series:
    """Per bar of ``index``: the value of the last event at or before the bar's open time (NaN before)."""
    if events is None or events.empty:
        return pd.Series(np.nan, index=index)
    pos = events.index.searchsorted(index, side="right") - 1
    values = np.where(pos >= 0, events.to_numpy(dtype=np.float64)[np.maximum(pos, 0)], np.nan)
    return pd.Series(values, index=index)


def _aligned_close(frame: pd.DataFrame | None, index: pd.DatetimeIndex) -> pd.Series | None:
    if frame is None or len(frame) == 0 or "close" not in frame:
        return None
    close = frame["close"].astype(np.float64)
    return close if close.index.equals(index) else close.reindex(index)


def feature_input(data: MarketData, symbol: str, *, mark: bool = True) -> FeatureInput:
    """The :class:`FeatureInput` of ``symbol`` in ``data`` (its spot leg is ``<symbol>@spot`` if
    present); ``mark=False`` leaves the mark prices out, unread (live, ``data.mark`` reads them
    from the exchange when asked: a model that needs none does not ask)."""
    if symbol not in data.bars:
        raise MLError(f"no bars for {symbol!r} (have: {', '.join(data.symbols)})")
    bars = data.bars[symbol]
    index = as_datetime_index(bars.index)
    spot_key = symbol + SPOT_SUFFIX
    spot = data.bars.get(spot_key) if not symbol.endswith(SPOT_SUFFIX) else None
    funding = data.funding.get(symbol)
    return FeatureInput(
        bars=bars,
        interval_ms=interval_ms(data.interval),
        mark_close=_aligned_close(data.mark.get(symbol), index) if mark else None,
        funding_events=None if funding is None else funding.astype(np.float64).sort_index(),
        spot_close=_aligned_close(spot, index),
    )
