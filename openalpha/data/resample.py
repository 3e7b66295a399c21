"""Resample bars to a coarser interval, aligned to UTC the way Bybit aligns its candles.

A target bar opening at ``T`` aggregates the source bars opening in ``[T, T + target)``:
open = first open, high = max, low = min, close = last close, volume and turnover = sums.
Minute intervals align to the Unix epoch (so 4 h bars open at 00, 04, … UTC and daily bars
at 00:00 UTC); weekly bars open on Monday 00:00 UTC.

By default a target bar is produced only when every source bar inside it is present: a bar
built from part of its interval would differ from the exchange's own candle, and the last,
still-forming bucket at the end of the data is incomplete by definition. ``partial=True``
keeps incomplete buckets (and says so in the ``bars`` column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.data.ranges import grid_anchor
from openalpha.domain.intervals import interval_ms, normalize_interval

_FIRST = ("open",)
_LAST = ("close",)
_MAX = ("high",)
_MIN = ("low",)
_SUM = ("volume", "turnover")


class ResampleError(ValueError):
    """The intervals cannot be resampled into each other, or the frame is not bars."""


def resample_ts(ts: np.ndarray, from_interval: str | int, to_interval: str | int) -> np.ndarray:
    """The target bar open time of each source open time in ``ts`` (int64 ms)."""
    _, dst = _check_intervals(from_interval, to_interval)
    step = interval_ms(dst)
    anchor = grid_anchor(dst)
    ts = np.asarray(ts, dtype=np.int64)
    out: np.ndarray = ts - (ts - anchor) % step
    return out


def _check_intervals(from_interval: str | int, to_interval: str | int) -> tuple[str, str]:
    try:
        src, dst = normalize_interval(from_interval), normalize_interval(to_interval)
    except ValueError as err:
        raise ResampleError(str(err)) from None
    src_ms, dst_ms = interval_ms(src), interval_ms(dst)
    if dst_ms < src_ms or dst_ms % src_ms:
        raise ResampleError(f"cannot resample {src} bars to {dst}: the target must be a whole multiple")
    return src, dst


def resample_bars(
    df: pd.DataFrame, from_interval: str | int, to_interval: str | int, *, partial: bool = False
) -> pd.DataFrame:
    """``df`` (store frame with a ``ts`` column, or a frame indexed by UTC open time) at ``to_interval``.

    The result has the same shape of index/columns as the input (``ts`` column or DatetimeIndex
    named ``time``); value columns that are not OHLC/volume/turnover are rejected.
    """
    src, dst = _check_intervals(from_interval, to_interval)
    indexed = "ts" not in df.columns
    if indexed:
        if not isinstance(df.index, pd.DatetimeIndex) or df.index.tz is None:
            raise ResampleError("bars need a 'ts' column or a tz-aware DatetimeIndex")
        ts = df.index.as_unit("ms").asi8
        values = df
    else:
        ts = df["ts"].to_numpy(dtype=np.int64)
        values = df.drop(columns=["ts"])
    known = set(_FIRST + _LAST + _MAX + _MIN + _SUM)
    unknown = sorted(set(values.columns) - known)
    if unknown:
        raise ResampleError(f"cannot resample columns {unknown}")
    if len(ts) > 1 and not (np.diff(ts) > 0).all():
        raise ResampleError("bars must be sorted by open time without duplicates")
    if src == dst:
        return df.copy()

    buckets = resample_ts(ts, src, dst)
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]]) if len(ts) else np.empty(0, np.int64)
    counts = np.diff(np.r_[starts, len(ts)])
    out: dict[str, np.ndarray] = {}
    for col in values.columns:
        arr = values[col].to_numpy(dtype=np.float64)
        out[col] = _aggregate(col, arr, starts)
    keep = counts == interval_ms(dst) // interval_ms(src)
    result = pd.DataFrame(out)
    open_ts = buckets[starts] if len(ts) else np.empty(0, np.int64)
    if partial:
        result["bars"] = counts
    else:
        result = result[keep]
        open_ts = open_ts[keep]
    if indexed:
        result.index = pd.DatetimeIndex(open_ts * 1_000_000, tz="UTC", name="time")
        return result
    result.insert(0, "ts", open_ts)
    return result.reset_index(drop=True)


def _aggregate(col: str, arr: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if len(arr) == 0:
        return arr
    out: np.ndarray
    if col in _FIRST:
        out = arr[starts]
    elif col in _LAST:
        out = arr[np.r_[starts[1:], len(arr)] - 1]
    else:
        ufunc = np.maximum if col in _MAX else np.minimum if col in _MIN else np.add
        # sums: NaN (unknown) in any member makes the total unknown, never an undercount
        out = ufunc.reduceat(arr, starts)
    return out


__all__ = ["ResampleError", "resample_bars", "resample_ts"]
