"""Returns, realised volatility, rolling statistics and calendar features (plain pandas/numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.ml.features.inputs import FeatureInput
from openalpha.ml.features.registry import feature

HOUR_MS = 3_600_000
FUNDING_PERIOD_H = 8  # Bybit's default settlement grid: 00:00, 08:00, 16:00 UTC


def log_close(x: FeatureInput) -> pd.Series:
    return x.memo("log_close", lambda: pd.Series(np.log(x.col("close")), index=x.index))


def log_returns(x: FeatureInput) -> pd.Series:
    return x.memo("log_ret", lambda: log_close(x).diff())


def realised_vol(x: FeatureInput, n: int) -> pd.Series:
    """Standard deviation of one-bar log returns over the last ``n`` bars."""
    return x.memo(f"rv:{n}", lambda: log_returns(x).rolling(n).std())


# -- returns ---------------------------------------------------------------------------------
for _h in (1, 3, 6, 12, 24, 72, 168):
    feature(f"log_ret_{_h}", "returns", _h + 1)(lambda x, h=_h: log_close(x).diff(h))


# -- realised volatility -----------------------------------------------------------------------
for _n in (12, 48, 168):
    feature(f"rv_{_n}", "volatility", _n + 1)(lambda x, n=_n: realised_vol(x, n))


@feature("rv_ratio_12_168", "volatility", 169)
def _rv_ratio(x: FeatureInput) -> pd.Series:
    long = realised_vol(x, 168)
    return realised_vol(x, 12) / long.where(long > 0)


@feature("parkinson_24", "volatility", 24)
def _parkinson(x: FeatureInput) -> pd.Series:
    hl = pd.Series(np.log(x.col("high") / x.col("low")), index=x.index)
    return np.sqrt((hl**2).rolling(24).mean() / (4.0 * np.log(2.0)))


@feature("garman_klass_24", "volatility", 24)
def _garman_klass(x: FeatureInput) -> pd.Series:
    o, h, low, c = (x.col(k) for k in ("open", "high", "low", "close"))
    term = 0.5 * np.log(h / low) ** 2 - (2.0 * np.log(2.0) - 1.0) * np.log(c / o) ** 2
    return np.sqrt(pd.Series(term, index=x.index).rolling(24).mean().clip(lower=0))


# -- rolling statistics ------------------------------------------------------------------------
for _n in (20, 100):

    def _zscore(x: FeatureInput, n: int = _n) -> pd.Series:
        lc = log_close(x)
        roll = lc.rolling(n)
        std = roll.std()
        return (lc - roll.mean()) / std.where(std > 0)

    feature(f"zscore_{_n}", "stats", _n)(_zscore)


@feature("skew_48", "stats", 49)
def _skew(x: FeatureInput) -> pd.Series:
    return log_returns(x).rolling(48).skew()


@feature("kurt_48", "stats", 49)
def _kurt(x: FeatureInput) -> pd.Series:
    return log_returns(x).rolling(48).kurt()


@feature("autocorr_1_48", "stats", 50)
def _autocorr(x: FeatureInput) -> pd.Series:
    r = log_returns(x)
    return r.rolling(48).corr(r.shift(1))


@feature("dist_max_48", "stats", 48)
def _dist_max(x: FeatureInput) -> pd.Series:
    return x.close / x.bars["high"].rolling(48).max() - 1.0


@feature("dist_min_48", "stats", 48)
def _dist_min(x: FeatureInput) -> pd.Series:
    return x.close / x.bars["low"].rolling(48).min() - 1.0


@feature("efficiency_24", "stats", 25)
def _efficiency(x: FeatureInput) -> pd.Series:
    """Kaufman's efficiency ratio: net move over the path length."""
    c = x.close
    path = c.diff().abs().rolling(24).sum()
    return (c - c.shift(24)).abs() / path.where(path > 0)


# -- calendar (from the bar's open time) -------------------------------------------------------
def _epoch_ms(x: FeatureInput) -> np.ndarray:
    return x.memo("epoch_ms", lambda: x.index.as_unit("ms").asi8)


def _hour(x: FeatureInput) -> np.ndarray:
    return (_epoch_ms(x) % 86_400_000) / HOUR_MS


def _day(x: FeatureInput) -> np.ndarray:
    return ((_epoch_ms(x) // 86_400_000) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)


feature("hour_sin", "calendar", 1)(lambda x: np.sin(2 * np.pi * _hour(x) / 24))
feature("hour_cos", "calendar", 1)(lambda x: np.cos(2 * np.pi * _hour(x) / 24))
feature("dow_sin", "calendar", 1)(lambda x: np.sin(2 * np.pi * _day(x) / 7))
feature("dow_cos", "calendar", 1)(lambda x: np.cos(2 * np.pi * _day(x) / 7))
feature("weekend", "calendar", 1)(lambda x: (_day(x) >= 5).astype(np.float64))
feature("hours_to_funding", "calendar", 1)(lambda x: FUNDING_PERIOD_H - (_hour(x) % FUNDING_PERIOD_H))
