"""Causal indicators computed window by window, so their value at bar *t* depends only on the
window itself and never on how much history came before it.

Rolling statistics are evaluated on each window independently (``sliding_window_view``)
rather than with running sums: running sums carry rounding from the start of the series, so
a live strategy on a trailing window would see slightly different numbers and the parity
test (ARCHITECTURE §3) could flip a signal on a tie. These are exact: tolerance 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

FloatArray = np.ndarray


def _rolling(values: np.ndarray, window: int, how: str) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape[0], np.nan)
    if window < 1:
        raise ValueError("window must be >= 1")
    if x.shape[0] < window:
        return out
    view = sliding_window_view(x, window)
    if how == "mean":
        out[window - 1 :] = view.mean(axis=1)
    elif how == "std":
        out[window - 1 :] = view.std(axis=1)
    elif how == "max":
        out[window - 1 :] = view.max(axis=1)
    elif how == "min":
        out[window - 1 :] = view.min(axis=1)
    else:  # pragma: no cover - internal misuse
        raise ValueError(how)
    return out


def sma(values: np.ndarray, window: int) -> FloatArray:
    """Simple moving average over the last ``window`` values (NaN before it is full)."""
    return _rolling(values, window, "mean")


def rolling_std(values: np.ndarray, window: int) -> FloatArray:
    """Population standard deviation over the last ``window`` values."""
    return _rolling(values, window, "std")


def rolling_max(values: np.ndarray, window: int) -> FloatArray:
    return _rolling(values, window, "max")


def rolling_min(values: np.ndarray, window: int) -> FloatArray:
    return _rolling(values, window, "min")


def shift(values: np.ndarray, n: int = 1) -> FloatArray:
    """``values`` delayed by ``n`` bars (NaN at the start): the value known one bar earlier."""
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape[0], np.nan)
    if n < x.shape[0]:
        out[n:] = x[: x.shape[0] - n]
    return out


def true_range(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> FloatArray:
    """max(high−low, |high−prev close|, |low−prev close|); the first bar uses high−low."""
    prev = shift(close)
    tr = np.asarray(high, dtype=np.float64) - np.asarray(low, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        tr = np.fmax(tr, np.abs(high - prev))
        tr = np.fmax(tr, np.abs(low - prev))
    return tr


def atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, window: int) -> FloatArray:
    """Average true range as a *simple* mean of the true range (not Wilder's recursive one,
    which never forgets its start); needs ``window + 1`` bars."""
    tr = true_range(high, low, close)
    tr[0] = np.nan  # the first bar has no previous close: keep the window definition exact
    return sma(tr, window)


def latch(entry: np.ndarray, exit_: np.ndarray, max_hold: int) -> np.ndarray:
    """Finite-memory hysteresis: True at *t* when the entry condition held at some bar within
    the last ``max_hold`` bars (including *t*) and the exit condition has not held since
    (an exit on the same bar wins). Depends only on the last ``max_hold`` bars, so a strategy
    using it keeps parity on trailing windows."""
    n = len(entry)
    idx = np.arange(n)
    last_entry = np.maximum.accumulate(np.where(np.asarray(entry, dtype=bool), idx, -1))
    last_exit = np.maximum.accumulate(np.where(np.asarray(exit_, dtype=bool), idx, -1))
    return (last_entry >= 0) & (idx - last_entry < max_hold) & (last_entry > last_exit)


def funding_asof(
    funding: pd.Series, bar_open: pd.DatetimeIndex, bar_ms: int, values: np.ndarray | None = None
) -> FloatArray:
    """For each bar, the latest funding value settled before the bar *closes*
    (settlement time < open + bar length), or NaN when none is known yet.

    ``values`` (same length as ``funding``) replaces the raw rates, e.g. a rolling mean of them.
    """
    out = np.full(len(bar_open), np.nan)
    if funding is None or len(funding) == 0:
        return out
    fund_ms = funding.index.as_unit("ms").asi8
    vals = funding.to_numpy(dtype=np.float64) if values is None else np.asarray(values, dtype=np.float64)
    close_ms = bar_open.as_unit("ms").asi8 + bar_ms
    pos = np.searchsorted(fund_ms, close_ms, side="left") - 1
    ok = pos >= 0
    out[ok] = vals[pos[ok]]
    return out


__all__ = [
    "atr",
    "funding_asof",
    "latch",
    "rolling_max",
    "rolling_min",
    "rolling_std",
    "shift",
    "sma",
    "true_range",
]
