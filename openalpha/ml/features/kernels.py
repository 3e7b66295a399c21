"""Numba rolling kernels: mean and deviation over series with gaps, skewness, kurtosis, rank.

Each output is computed from its own window alone (two passes over the ``n`` values, no running
sums carried from earlier windows), so the value at bar *t* is bit-for-bit the same whether the
history starts one window or a million bars earlier: the live path and the backtest agree
exactly. They replace pandas' ``rolling().skew()/kurt()/rank()``, whose fixed per-call cost
(~0.1-0.3 ms) dominated the live path's short windows, with the same definitions:

* mean and sample standard deviation (``n - 1``), for series that may hold NaN (TA-Lib's
  running sums cannot skip a NaN);
* skewness: the adjusted Fisher-Pearson coefficient ``sqrt(n(n-1))/(n-2) * m3 / m2^1.5``;
* kurtosis: the unbiased excess kurtosis ``((n+1) n (n-1) S4 / S2^2 - 3 (n-1)^2) / ((n-2)(n-3))``;
* rank: the average rank of the window's last value among the window, divided by ``n``;

with NaN wherever the window holds a NaN (pandas' default ``min_periods=n``) and for a window
whose values are all equal (no spread: skewness and kurtosis are undefined). ``first`` is the
first position to fill (earlier ones stay NaN): the live path asks for the last bar only.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def _window_moments(values: np.ndarray, end: int, n: int) -> tuple[float, float, float, float]:
    """(mean, sum of squared, cubed, fourth-power deviations) of ``values[end-n+1:end+1]``; NaN mean if any NaN."""
    total = 0.0
    for i in range(end - n + 1, end + 1):
        v = values[i]
        if np.isnan(v):
            return np.nan, 0.0, 0.0, 0.0
        total += v
    mean = total / n
    s2 = s3 = s4 = 0.0
    for i in range(end - n + 1, end + 1):
        d = values[i] - mean
        d2 = d * d
        s2 += d2
        s3 += d2 * d
        s4 += d2 * d2
    return mean, s2, s3, s4


@numba.njit(cache=True)
def _spread_floor(mean: float, n: int) -> float:
    """Below this sum of squared deviations the window counts as constant (float round-off)."""
    return n * (1e-14 * max(1.0, abs(mean))) ** 2


@numba.njit(cache=True)
def rolling_mean_std(values: np.ndarray, n: int, first: int = 0) -> tuple[np.ndarray, np.ndarray]:
    mean = np.full(values.size, np.nan)
    std = np.full(values.size, np.nan)
    for end in range(max(n - 1, first), values.size):
        m, s2, _, _ = _window_moments(values, end, n)
        if not np.isnan(m):
            mean[end] = m
            std[end] = np.sqrt(s2 / (n - 1.0))
    return mean, std


@numba.njit(cache=True)
def rolling_skew(values: np.ndarray, n: int, first: int = 0) -> np.ndarray:
    out = np.full(values.size, np.nan)
    for end in range(max(n - 1, first), values.size):
        mean, s2, s3, _ = _window_moments(values, end, n)
        if np.isnan(mean) or s2 <= _spread_floor(mean, n):
            continue
        m2 = s2 / n
        m3 = s3 / n
        out[end] = np.sqrt(n * (n - 1.0)) / (n - 2.0) * m3 / m2**1.5
    return out


@numba.njit(cache=True)
def rolling_kurt(values: np.ndarray, n: int, first: int = 0) -> np.ndarray:
    out = np.full(values.size, np.nan)
    for end in range(max(n - 1, first), values.size):
        mean, s2, _, s4 = _window_moments(values, end, n)
        if np.isnan(mean) or s2 <= _spread_floor(mean, n):
            continue
        g = (n + 1.0) * n * (n - 1.0) * s4 / (s2 * s2) - 3.0 * (n - 1.0) ** 2
        out[end] = g / ((n - 2.0) * (n - 3.0))
    return out


@numba.njit(cache=True)
def _insert(buf: np.ndarray, size: int, value: float) -> None:
    pos = np.searchsorted(buf[:size], value)
    for j in range(size, pos, -1):
        buf[j] = buf[j - 1]
    buf[pos] = value


@numba.njit(cache=True)
def _remove(buf: np.ndarray, size: int, value: float) -> None:
    for j in range(np.searchsorted(buf[:size], value), size - 1):
        buf[j] = buf[j + 1]


@numba.njit(cache=True)
def _rank_in_window(values: np.ndarray, end: int, n: int) -> float:
    last = values[end]
    below = 0
    equal = 0
    for i in range(end - n + 1, end + 1):
        v = values[i]
        if np.isnan(v):
            return np.nan
        if v < last:
            below += 1
        elif v == last:
            equal += 1
    return (below + (equal + 1) / 2.0) / n


@numba.njit(cache=True)
def rolling_pct_rank(values: np.ndarray, n: int, first: int = 0) -> np.ndarray:
    """The window's finite values are kept sorted (binary search, shift), so the rank is two
    searches; a handful of outputs (the live path) are counted directly instead."""
    out = np.full(values.size, np.nan)
    if values.size - max(first, n - 1) <= 8:
        for end in range(max(first, n - 1), values.size):
            out[end] = _rank_in_window(values, end, n)
        return out
    buf = np.empty(n + 1)  # a new value goes in before the oldest comes out
    size = 0
    nans = 0
    start = max(0, first - (n - 1))
    for i in range(start, values.size):
        v = values[i]
        if np.isnan(v):
            nans += 1
        else:
            _insert(buf, size, v)
            size += 1
        if i - start >= n:
            old = values[i - n]
            if np.isnan(old):
                nans -= 1
            else:
                _remove(buf, size, old)
                size -= 1
        if i >= max(first, n - 1) and nans == 0:
            below = np.searchsorted(buf[:size], v, side="left")
            equal = np.searchsorted(buf[:size], v, side="right") - below
            out[i] = (below + (equal + 1) / 2.0) / n
    return out
