"""Returns, realised volatility, rolling statistics and calendar features.

Rolling sums, means, deviations and extremes of OHLCV-derived series use TA-Lib's C kernels,
skewness and kurtosis the numba kernels of :mod:`.kernels` (no per-call pandas overhead, which
dominates on the short windows of the live path); these series have no interior NaN, which
TA-Lib's running sums could not skip.
"""

from __future__ import annotations

import numpy as np
import talib

from openalpha.ml.features.inputs import FeatureInput
from openalpha.ml.features.kernels import rolling_kurt, rolling_skew
from openalpha.ml.features.registry import feature

HOUR_MS = 3_600_000
FUNDING_PERIOD_H = 8  # Bybit's default settlement grid: 00:00, 08:00, 16:00 UTC


def lagged_diff(values: np.ndarray, h: int) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    out[h:] = values[h:] - values[:-h]
    return out


def sample_std(values: np.ndarray, n: int) -> np.ndarray:
    """Rolling standard deviation with n-1 degrees of freedom (like pandas)."""
    return talib.STDDEV(values, n, 1.0) * np.sqrt(n / (n - 1.0))


def zscore(values: np.ndarray, n: int) -> np.ndarray:
    std = sample_std(values, n)
    return np.divide(values - talib.SMA(values, n), std, out=np.full(values.shape, np.nan), where=std > 0)


def log_close(x: FeatureInput) -> np.ndarray:
    return x.memo("log_close", lambda: np.log(x.col("close")))


def log_returns(x: FeatureInput) -> np.ndarray:
    return x.memo("log_ret", lambda: lagged_diff(log_close(x), 1))


def realised_vol(x: FeatureInput, n: int) -> np.ndarray:
    """Standard deviation of one-bar log returns over the last ``n`` bars."""
    return x.memo(f"rv:{n}", lambda: sample_std(log_returns(x), n))


# -- returns ---------------------------------------------------------------------------------
for _h in (1, 3, 6, 12, 24, 72, 168):
    feature(f"log_ret_{_h}", "returns", _h + 1)(lambda x, h=_h: lagged_diff(log_close(x), h))


# -- realised volatility -----------------------------------------------------------------------
for _n in (12, 48, 168):
    feature(f"rv_{_n}", "volatility", _n + 1)(lambda x, n=_n: realised_vol(x, n))


@feature("rv_ratio_12_168", "volatility", 169)
def _rv_ratio(x: FeatureInput) -> np.ndarray:
    long = realised_vol(x, 168)
    return np.divide(realised_vol(x, 12), long, out=np.full(long.shape, np.nan), where=long > 0)


@feature("parkinson_24", "volatility", 24)
def _parkinson(x: FeatureInput) -> np.ndarray:
    hl2 = np.log(x.col("high") / x.col("low")) ** 2
    return np.sqrt(talib.SMA(hl2, 24) / (4.0 * np.log(2.0)))


@feature("garman_klass_24", "volatility", 24)
def _garman_klass(x: FeatureInput) -> np.ndarray:
    o, h, low, c = (x.col(k) for k in ("open", "high", "low", "close"))
    term = 0.5 * np.log(h / low) ** 2 - (2.0 * np.log(2.0) - 1.0) * np.log(c / o) ** 2
    return np.sqrt(np.clip(talib.SMA(term, 24), 0.0, None))


# -- rolling statistics ------------------------------------------------------------------------
for _n in (20, 100):
    feature(f"zscore_{_n}", "stats", _n)(lambda x, n=_n: zscore(log_close(x), n))


@feature("skew_48", "stats", 49)
def _skew(x: FeatureInput) -> np.ndarray:
    return rolling_skew(log_returns(x), 48, x.first_output(48))


@feature("kurt_48", "stats", 49)
def _kurt(x: FeatureInput) -> np.ndarray:
    return rolling_kurt(log_returns(x), 48, x.first_output(48))


@feature("autocorr_1_48", "stats", 50)
def _autocorr(x: FeatureInput) -> np.ndarray:
    r = log_returns(x)
    previous = np.concatenate([[np.nan], r[:-1]])
    return talib.CORREL(r, previous, 48)


@feature("dist_max_48", "stats", 48)
def _dist_max(x: FeatureInput) -> np.ndarray:
    return x.col("close") / talib.MAX(x.col("high"), 48) - 1.0


@feature("dist_min_48", "stats", 48)
def _dist_min(x: FeatureInput) -> np.ndarray:
    return x.col("close") / talib.MIN(x.col("low"), 48) - 1.0


@feature("efficiency_24", "stats", 25)
def _efficiency(x: FeatureInput) -> np.ndarray:
    """Kaufman's efficiency ratio: net move over the path length."""
    c = x.col("close")
    path = talib.SUM(np.abs(lagged_diff(c, 1)), 24)
    net = np.abs(lagged_diff(c, 24))
    return np.divide(net, path, out=np.full(c.shape, np.nan), where=path > 0)


# -- calendar (from the bar's open time) -------------------------------------------------------
def _hour(x: FeatureInput) -> np.ndarray:
    return (x.epoch_ms() % 86_400_000) / HOUR_MS


def _day(x: FeatureInput) -> np.ndarray:
    return ((x.epoch_ms() // 86_400_000) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)


feature("hour_sin", "calendar", 1)(lambda x: np.sin(2 * np.pi * _hour(x) / 24))
feature("hour_cos", "calendar", 1)(lambda x: np.cos(2 * np.pi * _hour(x) / 24))
feature("dow_sin", "calendar", 1)(lambda x: np.sin(2 * np.pi * _day(x) / 7))
feature("dow_cos", "calendar", 1)(lambda x: np.cos(2 * np.pi * _day(x) / 7))
feature("weekend", "calendar", 1)(lambda x: (_day(x) >= 5).astype(np.float64))
feature("hours_to_funding", "calendar", 1)(lambda x: FUNDING_PERIOD_H - (_hour(x) % FUNDING_PERIOD_H))
