"""Load history from the store as pandas frames and as a :class:`MarketData` bundle.

``load_bars`` returns a frame indexed by bar open time (tz-aware UTC ``DatetimeIndex`` named
``time``) with float64 columns. When the interval asked for is not stored but a finer one that
divides it is, the bars are resampled on the fly (complete buckets only, see
:mod:`openalpha.data.resample`).

``load_market_data`` bundles several instruments (``BTCUSDT`` = linear perp, ``BTCUSDT@spot``)
on one shared index: the span where all of them have bars, with a NaN row where one of them
lacks a bar the others have. Perps carry their mark-price bars (same index; NaN where the store
has no mark bar) and their funding settlements. A perp whose mark price is not stored at this
interval (nor at a finer one) has no ``mark`` entry: consumers must not assume it exists.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from openalpha.data.ranges import grid_anchor
from openalpha.data.resample import resample_bars
from openalpha.data.store import FUNDING, ParquetStore, dataset_id
from openalpha.domain.enums import Category
from openalpha.domain.instrument import Instrument, split_key
from openalpha.domain.intervals import INTERVALS, interval_ms, normalize_interval
from openalpha.domain.market_data import MarketData
from openalpha.venue import default_instrument

TimeLike = int | str | dt.datetime | pd.Timestamp | None


class DataNotFound(ValueError):
    """The store holds no data for the symbol, interval and range asked for (one line)."""


def to_ms(value: TimeLike) -> int | None:
    """Milliseconds UTC from an int (ms), an ISO date string, a datetime or a Timestamp (naive = UTC)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"bad time {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"bad time {value!r}: expected e.g. 2024-01-31 or 2024-01-31T08:00") from None
    if pd.isna(ts):
        raise ValueError(f"bad time {value!r}")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return int(ts.value // 1_000_000)  # .value is always nanoseconds


def _fmt(ms: int | None) -> str:
    if ms is None:
        return "…"
    return pd.Timestamp(ms, unit="ms", tz="UTC").strftime("%Y-%m-%d %H:%M")


def _range_text(start: int | None, end: int | None) -> str:
    return f"[{_fmt(start)}, {_fmt(end)})"


def time_index(ts: np.ndarray) -> pd.DatetimeIndex:
    """A UTC ``DatetimeIndex`` named ``time`` (nanosecond unit) from int64 ms open times."""
    return pd.DatetimeIndex(np.asarray(ts, dtype=np.int64) * 1_000_000, tz="UTC", name="time")


def _to_indexed(frame: pd.DataFrame) -> pd.DataFrame:
    index = time_index(frame["ts"].to_numpy())
    out = frame.drop(columns=["ts"])
    out.index = index
    return out


def _finer_stored(store: ParquetStore, category: str, kind: str, symbol: str, interval: str) -> str | None:
    """The coarsest stored interval that divides ``interval`` (for on-the-fly resampling)."""
    want = interval_ms(interval)
    for candidate in sorted(INTERVALS, key=interval_ms, reverse=True):
        ms = interval_ms(candidate)
        if ms < want and want % ms == 0 and store.path(category, kind, symbol, candidate).exists():
            return candidate
    return None


def _read_bars(
    store: ParquetStore,
    category: str,
    kind: str,
    symbol: str,
    interval: str,
    start: int | None,
    end: int | None,
) -> pd.DataFrame:
    """Store frame (``ts`` column) at ``interval``, resampled from a finer dataset if needed."""
    if kind == FUNDING or store.path(category, kind, symbol, interval).exists():
        return store.read(category, kind, symbol, interval, start, end)
    finer = _finer_stored(store, category, kind, symbol, interval)
    if finer is None:
        return store.read(category, kind, symbol, interval, start, end)  # empty, with the schema
    step = interval_ms(interval)
    lo = None if start is None else start - (start - grid_anchor(interval)) % step
    raw = store.read(category, kind, symbol, finer, lo, end)
    bars = resample_bars(raw, finer, interval)
    if start is not None:
        bars = bars[bars["ts"] >= start]
    if end is not None:  # a bucket must end by ``end`` to be complete inside the range
        bars = bars[bars["ts"] + step <= end]
    return bars.reset_index(drop=True)


def load_bars(
    symbol: str,
    interval: str | int,
    start: TimeLike = None,
    end: TimeLike = None,
    kind: str = "kline",
    category: str = "linear",
    store: ParquetStore | None = None,
) -> pd.DataFrame:
    """Bars (or funding rates, ``kind="funding"``) with open time in ``[start, end)``.

    ``symbol`` may carry the ``@spot`` suffix, which selects the spot category.
    Raises :class:`DataNotFound` when nothing is stored for that range.
    """
    store = store or ParquetStore.default()
    sym, cat = split_key(symbol)
    category = Category.SPOT.value if cat is Category.SPOT else category
    ds = dataset_id(category, kind, sym, interval)
    start_ms, end_ms = to_ms(start), to_ms(end)
    frame = _read_bars(store, ds.category, ds.kind, ds.symbol, ds.interval, start_ms, end_ms)
    if frame.empty:
        what = "funding" if kind == FUNDING else f"{kind} {ds.interval}"
        raise DataNotFound(
            f"no {what} data for {symbol} ({ds.category}) in {_range_text(start_ms, end_ms)} "
            f"under {store.root}; run `openalpha data download` or `openalpha data import --sample`"
        )
    return _to_indexed(frame)


def _default_instrument(symbol: str, category: Category) -> Instrument | None:
    try:
        return default_instrument(symbol, category)
    except ValueError:  # no built-in filters for this symbol
        return None


def _common_index(frames: dict[str, pd.DataFrame], interval: str) -> pd.DatetimeIndex:
    first = max(f.index[0] for f in frames.values())
    last = min(f.index[-1] for f in frames.values())
    if first > last:
        spans = ", ".join(
            f"{k} {_fmt(f.index[0].value // 10**6)}..{_fmt(f.index[-1].value // 10**6)}"
            for k, f in frames.items()
        )
        raise DataNotFound(f"the symbols have no {interval} bars in common ({spans})")
    union = frames[next(iter(frames))].index
    for frame in frames.values():
        union = union.union(frame.index)
    return pd.DatetimeIndex(union[(union >= first) & (union <= last)], name="time")


def load_market_data(
    symbols: list[str],
    interval: str | int,
    start: TimeLike = None,
    end: TimeLike = None,
    store: ParquetStore | None = None,
) -> MarketData:
    """Bars, mark bars, funding and instruments for ``symbols``, aligned on one index."""
    if not symbols:
        raise ValueError("load_market_data needs at least one symbol")
    store = store or ParquetStore.default()
    ivl = normalize_interval(interval)
    bars = {key: load_bars(key, ivl, start, end, store=store) for key in dict.fromkeys(symbols)}
    index = _common_index(bars, ivl)
    mark: dict[str, pd.DataFrame] = {}
    funding: dict[str, pd.Series] = {}
    instruments: dict[str, Instrument] = {}
    lo_ms = int(index[0].value // 10**6)
    hi_ms = int(index[-1].value // 10**6) + interval_ms(ivl)
    for key in bars:
        bars[key] = bars[key].reindex(index)
        sym, cat = split_key(key)
        inst = store.instruments(cat.value).get(sym) or _default_instrument(sym, cat)
        if inst is not None:
            instruments[key] = inst
        if cat is not Category.LINEAR:
            continue
        marks = _read_bars(store, cat.value, "mark", sym, ivl, lo_ms, hi_ms)
        if len(marks):
            mark[key] = _to_indexed(marks).reindex(index)
        rates = store.read(cat.value, FUNDING, sym, FUNDING, lo_ms, hi_ms)
        funding[key] = pd.Series(
            rates["rate"].to_numpy(),
            index=time_index(rates["ts"].to_numpy()),
            name=key,
            dtype=np.float64,
        )
    return MarketData(interval=ivl, bars=bars, mark=mark, funding=funding, instruments=instruments)


__all__ = ["DataNotFound", "load_bars", "load_market_data", "time_index", "to_ms"]
