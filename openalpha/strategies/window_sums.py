"""Compiled window sums that reproduce :func:`openalpha.strategies.indicators.sma` bit for bit,
and an O(n) moving-average crossover built on them.

:func:`pairwise_window_sum` is numpy's own summation order for a contiguous row (the
8-accumulator pairwise sum that ``sliding_window_view(x, w).mean(axis=1)`` uses), so
``pairwise_window_sum(x, s, w) / w`` equals ``sma(x, w)[s + w - 1]`` exactly. It still costs
O(w) per bar.

:func:`sma_order` needs only the *sign* of ``sma(x, fast) − sma(x, slow)`` at every bar, and gets
it in O(n): running sums (re-anchored from scratch every ``slow`` bars) carry a rigorous bound
on their rounding error; wherever the two running means are closer than the two bounds, the
bar is recomputed with the exact window sums. The result therefore equals the sign computed
from the window-exact SMAs at every bar (window-local, so the parity check stays exact) while
the running sums do the work on all other bars.
"""

from __future__ import annotations

import numba
import numpy as np

EPS = 2.0**-53  # unit round-off of float64
SAFETY = 4.0  # slack on the error bound (the bound's own rounding, the final divisions)
PW_BLOCK = 128  # numpy's PW_BLOCKSIZE


@numba.njit(cache=True)
def pairwise_window_sum(x, s, n):  # type: ignore[no-untyped-def]
    """``x[s] + … + x[s+n−1]`` in numpy's pairwise order (bit-identical to ``x[s:s+n].sum()``
    and to a row of ``sliding_window_view(x, n).sum(axis=1)``)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += x[s + i]
        return res
    if n <= PW_BLOCK:
        r0, r1, r2, r3 = x[s], x[s + 1], x[s + 2], x[s + 3]
        r4, r5, r6, r7 = x[s + 4], x[s + 5], x[s + 6], x[s + 7]
        m8 = n - n % 8
        for i in range(8, m8, 8):
            r0 += x[s + i]
            r1 += x[s + i + 1]
            r2 += x[s + i + 2]
            r3 += x[s + i + 3]
            r4 += x[s + i + 4]
            r5 += x[s + i + 5]
            r6 += x[s + i + 6]
            r7 += x[s + i + 7]
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for i in range(m8, n):
            res += x[s + i]
        return res
    half = n // 2
    half -= half % 8
    return pairwise_window_sum(x, s, half) + pairwise_window_sum(x, s + half, n - half)


@numba.njit(cache=True, inline="always")
def _anchor(x, end, w):  # type: ignore[no-untyped-def]
    """Sequential sum and absolute sum of ``x[end−w+1 … end]`` and the bound on the sum's error."""
    total = 0.0
    mag = 0.0
    for i in range(end - w + 1, end + 1):
        total += x[i]
        mag += abs(x[i])
    return total, mag, w * EPS * mag


@numba.njit(cache=True)
def sma_order(x, fast, slow):  # type: ignore[no-untyped-def]
    """Per bar: +1 where ``sma(x, fast) > sma(x, slow)``, −1 where it is below, 0 on a tie or
    while either is NaN (warm-up, NaN inputs) — exactly what comparing the window-exact SMAs
    gives. ``fast`` and ``slow`` ≥ 1 (either may be the larger)."""
    n = x.shape[0]
    out = np.zeros(n, dtype=np.int8)
    big = max(fast, slow)
    if n < big:
        return out
    sf = mf = ef = ss = ms = es = 0.0
    since = big  # bars since the last anchor
    for t in range(big - 1, n):
        if since == big:  # re-anchor: drift never spans more than `big` bars
            since = 0
            sf, mf, ef = _anchor(x, t, fast)
            ss, ms, es = _anchor(x, t, slow)
        else:
            # sum += (new − old): one add on the loop-carried chain; the difference's rounding
            # ≤ eps·(|new| + |old|), the add's ≤ eps·|sum|
            a, a_abs = x[t], abs(x[t])
            old, old_abs = x[t - fast], abs(x[t - fast])
            sf += a - old
            ef += EPS * (a_abs + old_abs + abs(sf))
            mf += a_abs - old_abs
            old, old_abs = x[t - slow], abs(x[t - slow])
            ss += a - old
            es += EPS * (a_abs + old_abs + abs(ss))
            ms += a_abs - old_abs
        since += 1
        # sign(sf/fast − ss/slow) = sign(sf·slow − ss·fast), without two divisions per bar.
        # |running − exact| ≤ running bound + the exact pairwise sum's own bound (≤ w·eps·Σ|x|);
        # the products' rounding (≤ eps·Σ|x|·other window) fits in SAFETY's slack.
        diff = sf * slow - ss * fast
        tol = SAFETY * ((ef + fast * EPS * abs(mf)) * slow + (es + slow * EPS * abs(ms)) * fast)
        if diff > tol:
            out[t] = 1
        elif diff < -tol:
            out[t] = -1
        else:  # too close to call, or NaN/inf somewhere: the exact window means decide
            f = pairwise_window_sum(x, t - fast + 1, fast) / fast
            s = pairwise_window_sum(x, t - slow + 1, slow) / slow
            out[t] = 1 if f > s else (-1 if f < s else 0)
    return out


__all__ = ["pairwise_window_sum", "sma_order"]
