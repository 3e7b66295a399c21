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
import pandas as pd

from openalpha.ml.features.inputs import FeatureInput
from openalpha.ml.features.registry import feature
from openalpha.ml.features.statistical import log_close, realised_vol

VOL_BARS = 24
FIT_BARS = 500
REFIT_BARS = 168
N_REGIMES = 3
_REGIME_WINDOW = VOL_BARS + 1 + FIT_BARS + REFIT_BARS


@numba.njit(cache=True)
def _kmeans_1d(values: np.ndarray, k: int, iterations: int) -> np.ndarray:
    """Sorted centroids of ``values`` (all finite) by Lloyd's algorithm, seeded at quantiles."""
    data = np.sort(values)
    n = data.size
    centroids = np.empty(k)
    for j in range(k):
        centroids[j] = data[min(n - 1, int((2 * j + 1) * n / (2 * k)))]
    for _ in range(iterations):
        sums = np.zeros(k)
        counts = np.zeros(k)
        for v in data:
            best = 0
            for j in range(1, k):
                if abs(v - centroids[j]) < abs(v - centroids[best]):
                    best = j
            sums[best] += v
            counts[best] += 1
        moved = False
        for j in range(k):
            if counts[j] > 0:
                new = sums[j] / counts[j]
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
        logvol = np.log(realised_vol(x, VOL_BARS).to_numpy(dtype=np.float64))
        block = x.index.as_unit("ms").asi8 // (x.interval_ms * REFIT_BARS)
        refit = np.zeros(len(block), dtype=np.bool_)
        refit[1:] = block[1:] != block[:-1]
        return _assign_regimes(logvol, refit, FIT_BARS, N_REGIMES)

    return x.memo("vol_regime", build)


feature("vol_regime", "regime", _REGIME_WINDOW)(lambda x: _vol_regime(x)[0])
feature("vol_regime_dist", "regime", _REGIME_WINDOW)(lambda x: _vol_regime(x)[1])


@feature("vol_pct_rank_500", "regime", VOL_BARS + 1 + 500)
def _vol_rank(x: FeatureInput) -> pd.Series:
    return realised_vol(x, VOL_BARS).rolling(500).rank(pct=True)


@feature("trend_regime", "regime", 210)
def _trend_regime(x: FeatureInput) -> pd.Series:
    lc = log_close(x)
    close = x.close
    sma50 = close.rolling(50).mean()
    sma200 = close.rolling(200).mean()
    rising = sma50.diff(10) > 0
    up = (close > sma200) & rising
    down = (close < sma200) & ~rising & sma50.diff(10).notna()
    out = pd.Series(0.0, index=lc.index).where(sma200.notna() & sma50.diff(10).notna())
    return out.mask(up, 1.0).mask(down, -1.0)
