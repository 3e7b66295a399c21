"""Regime features: volatility regime by clustering (fitted only on the past) and trend regime.

The volatility regime clusters log realised volatility (24 bars) into three groups (calm,
normal, wild) with one-dimensional k-means. The clustering is refitted at the first bar of every
block of :data:`REFIT_BARS` bars, where blocks are anchored on absolute time (not on the start of
the data), on the :data:`FIT_BARS` values up to and including that bar. Each bar is assigned with
the centroids of the latest refit at or before it, so the value depends on a bounded trailing
window only and is identical in a backtest and live.
"""

from __future__ import annotations

import numba
import numpy as np
import talib

from openalpha.ml.features.inputs import FeatureInput
from openalpha.ml.features.kernels import rolling_pct_rank
from openalpha.ml.features.registry import feature
from openalpha.ml.features.statistical import lagged_diff, realised_vol

VOL_BARS = 24
FIT_BARS = 500
REFIT_BARS = 168
N_REGIMES = 3
_REGIME_WINDOW = VOL_BARS + 1 + FIT_BARS + REFIT_BARS


@numba.njit(cache=True)
def _kmeans_1d(values: np.ndarray, k: int, iterations: int) -> np.ndarray:
    """Sorted centroids of ``values`` (all finite) by Lloyd's algorithm, seeded at quantiles.

    In one dimension each cluster is a contiguous run of the sorted values, split at the
    midpoints between neighbouring centroids, so an iteration is k binary searches plus prefix
    sums (a value on a midpoint stays in the lower cluster).
    """
    data = np.sort(values)
    n = data.size
    prefix = np.zeros(n + 1)
    for i in range(n):
        prefix[i + 1] = prefix[i] + data[i]
    centroids = np.empty(k)
    for j in range(k):
        centroids[j] = data[min(n - 1, int((2 * j + 1) * n / (2 * k)))]
    cuts = np.empty(k + 1, dtype=np.int64)
    cuts[0], cuts[k] = 0, n
    for _ in range(iterations):
        for j in range(1, k):
            cuts[j] = np.searchsorted(data, 0.5 * (centroids[j - 1] + centroids[j]), side="right")
        moved = False
        for j in range(k):
            lo, hi = cuts[j], cuts[j + 1]
            if hi > lo:
                new = (prefix[hi] - prefix[lo]) / (hi - lo)
                if new != centroids[j]:
                    moved = True
                centroids[j] = new
        if not moved:
            break
    return np.sort(centroids)


@numba.njit(cache=True)
def _assign_regimes(
    logvol: np.ndarray, refit: np.ndarray, fit_bars: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    n = logvol.size
    regime = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    centroids = np.full(k, np.nan)
    for i in range(n):
        if refit[i]:
            centroids[:] = np.nan
            if i + 1 >= fit_bars:
                chunk = logvol[i + 1 - fit_bars : i + 1]
                if np.all(np.isfinite(chunk)):
                    centroids[:] = _kmeans_1d(chunk, k, 100)
        v = logvol[i]
        if np.isfinite(v) and np.isfinite(centroids[0]):
            best = 0
            for j in range(1, k):
                if abs(v - centroids[j]) < abs(v - centroids[best]):
                    best = j
            regime[i] = best
            dist[i] = v - centroids[best]
    return regime, dist


def _vol_regime(x: FeatureInput) -> tuple[np.ndarray, np.ndarray]:
    def build() -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore"):
            logvol = np.log(realised_vol(x, VOL_BARS))
        block = x.epoch_ms() // (x.interval_ms * REFIT_BARS)
        refit = np.zeros(len(block), dtype=np.bool_)
        refit[1:] = block[1:] != block[:-1]
        earlier = np.flatnonzero(refit[: x.need_from + 1])
        if len(earlier):  # bars from need_from on use the latest refit at or before it only
            refit[: earlier[-1]] = False
        return _assign_regimes(logvol, refit, FIT_BARS, N_REGIMES)

    return x.memo("vol_regime", build)


feature("vol_regime", "regime", _REGIME_WINDOW)(lambda x: _vol_regime(x)[0])
feature("vol_regime_dist", "regime", _REGIME_WINDOW)(lambda x: _vol_regime(x)[1])


@feature("vol_pct_rank_500", "regime", VOL_BARS + 1 + 500)
def _vol_rank(x: FeatureInput) -> np.ndarray:
    return rolling_pct_rank(realised_vol(x, VOL_BARS), 500, x.first_output(500))


@feature("trend_regime", "regime", 210)
def _trend_regime(x: FeatureInput) -> np.ndarray:
    """+1 above the 200-bar mean with the 50-bar mean rising over 10 bars, -1 the mirror, else 0."""
    close = x.col("close")
    sma200 = talib.SMA(close, 200)
    slope = lagged_diff(talib.SMA(close, 50), 10)
    out = np.where(np.isfinite(sma200) & np.isfinite(slope), 0.0, np.nan)
    with np.errstate(invalid="ignore"):
        out[(close > sma200) & (slope > 0)] = 1.0
        out[(close < sma200) & (slope <= 0)] = -1.0
    return out
