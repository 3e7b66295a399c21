"""The statistics of :func:`openalpha.metrics.equity_metrics` in one compiled pass over the
equity curve, without the per-bar temporaries (returns, running peak, drawdown, run edges) the
numpy definitions in :mod:`~openalpha.metrics.returns` and :mod:`~openalpha.metrics.drawdown`
allocate.

Same definitions, same conventions: returns against the previous bar (the first against the
initial capital, 0 after a non-positive equity), the initial capital as the first peak, a
drawdown of −1 under a non-positive peak. Sums are compensated (Neumaier), so they agree with
numpy's pairwise sums to ~1e-15 relative. A curve with a NaN or an infinity is reported as
not finite and left to the numpy definitions (their NaN propagation is the reference).
"""

from __future__ import annotations

import math

import numba
import numpy as np

# slots of the array curve_stats returns
C_FINITE, C_MEAN, C_SSD, C_DOWN2, C_MIN_DD, C_DD_BARS = range(6)


@numba.njit(cache=True, inline="always")
def _acc(total, comp, x):  # type: ignore[no-untyped-def]
    """Neumaier-compensated ``total += x`` (returns the new total and compensation);
    branch-free (selects), so the loop does not stall on data-dependent branches."""
    t = total + x
    keep = abs(total) >= abs(x)
    big = total if keep else x
    small = x if keep else total
    return t, comp + ((big - t) + small)


@numba.njit(cache=True)
def curve_stats(eq, initial):  # type: ignore[no-untyped-def]
    """``[finite, mean return, Σ(r − mean)², Σ min(r, 0)², max drawdown (≤ 0), longest
    drawdown in bars]`` of the per-bar equity ``eq`` starting from ``initial``, in one pass.

    Σ(r − mean)² comes from sums shifted by the first return (no cancellation unless the mean
    is far from it relative to the spread); the deepest drawdown is min(equity)/peak of each
    peak's stretch, exactly the minimum of the per-bar ratios (division by a positive peak is
    monotone), with one division per new peak instead of per bar."""
    out = np.zeros(6)
    n = eq.shape[0]
    if n == 0:
        out[C_FINITE] = 1.0
        return out
    shift = eq[0] / initial - 1.0 if initial > 0 else 0.0
    s1 = c1 = s2 = c2 = d2 = dc = 0.0
    prev = initial
    peak = initial
    low = np.inf  # lowest equity since the current peak
    min_dd = 0.0
    run = longest = 0
    for k in range(n):
        e = eq[k]
        if not math.isfinite(e):
            return out  # C_FINITE stays 0
        r = e / prev - 1.0 if prev > 0 else 0.0
        x = r - shift
        s1, c1 = _acc(s1, c1, x)
        s2, c2 = _acc(s2, c2, x * x)
        down = min(r, 0.0)
        d2, dc = _acc(d2, dc, down * down)  # adding 0.0 changes neither sum nor compensation
        prev = e
        if e > peak:  # a new peak closes the previous stretch
            if low < peak and peak > 0:
                min_dd = min(min_dd, low / peak - 1.0)
            peak = e
            low = np.inf
        if peak <= 0:  # drawdown −1 by definition
            under = True
            min_dd = -1.0
        else:
            under = e < peak  # ⇔ e / peak − 1 < 0 in floating point
            low = min(low, e)
        run = (run + 1) if under else 0
        longest = max(longest, run)
    if low < peak and peak > 0:
        min_dd = min(min_dd, low / peak - 1.0)
    total = s1 + c1
    out[C_FINITE] = 1.0
    out[C_MEAN] = shift + total / n
    out[C_SSD] = max((s2 + c2) - total * total / n, 0.0)
    out[C_DOWN2] = d2 + dc
    out[C_MIN_DD] = min_dd
    out[C_DD_BARS] = longest
    return out


@numba.njit(cache=True)
def rows_nonzero_fraction(values):  # type: ignore[no-untyped-def]
    """Fraction of the rows of a 2-D array with any non-zero entry (exposure from positions)."""
    n, m = values.shape
    if n == 0:
        return 0.0
    count = 0
    for k in range(n):
        for j in range(m):
            if values[k, j] != 0.0:
                count += 1
                break
    return count / n


__all__ = [
    "C_DD_BARS",
    "C_DOWN2",
    "C_FINITE",
    "C_MEAN",
    "C_MIN_DD",
    "C_SSD",
    "curve_stats",
    "rows_nonzero_fraction",
]
