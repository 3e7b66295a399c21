"""TA-Lib indicators: trend, momentum, volatility and volume.

Price-level indicators are divided by the close so that a feature means the same at 20 000 and at
100 000. Recursive indicators (EMA, Wilder smoothing) declare a ``window`` long enough for their
seed to be forgotten: about 12 x (n+1) bars for an EMA of n and 22 x n for Wilder's n, the point
where the seed's weight falls below 1e-9.
"""

from __future__ import annotations

import numpy as np
import talib

from openalpha.ml.features.inputs import FeatureInput
from openalpha.ml.features.registry import feature


def _ema_window(n: int) -> int:
    return 12 * (n + 1)


def _wilder_window(n: int) -> int:
    return 22 * n


def _ohlc(x: FeatureInput) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return x.col("open"), x.col("high"), x.col("low"), x.col("close")


# -- trend -----------------------------------------------------------------------------------
def _sma(x: FeatureInput, n: int) -> np.ndarray:
    return x.memo(f"sma:{n}", lambda: talib.SMA(x.col("close"), n))


for _n in (10, 50, 200):
    feature(f"sma_ratio_{_n}", "trend", _n)(lambda x, n=_n: x.col("close") / _sma(x, n) - 1.0)

for _n in (20, 100):
    feature(f"ema_ratio_{_n}", "trend", _ema_window(_n), recursive=True)(
        lambda x, n=_n: x.col("close") / talib.EMA(x.col("close"), n) - 1.0
    )


@feature("sma_cross_10_50", "trend", 50)
def _sma_cross(x: FeatureInput) -> np.ndarray:
    return _sma(x, 10) / _sma(x, 50) - 1.0


def _macd(x: FeatureInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return x.memo("macd", lambda: talib.MACD(x.col("close"), 12, 26, 9))


_MACD_WINDOW = _ema_window(26) + _ema_window(9)
for _i, _name in enumerate(("macd", "macd_signal", "macd_hist")):
    feature(f"{_name}_norm", "trend", _MACD_WINDOW, recursive=True)(
        lambda x, i=_i: _macd(x)[i] / x.col("close")
    )


def _adx_family(x: FeatureInput, fn: str) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return x.memo(f"{fn}:14", lambda: getattr(talib, fn)(h, low, c, 14))


for _fn in ("ADX", "PLUS_DI", "MINUS_DI"):
    feature(f"{_fn.lower()}_14", "trend", 2 * _wilder_window(14), recursive=True)(
        lambda x, fn=_fn: _adx_family(x, fn)
    )


@feature("aroon_osc_25", "trend", 26)
def _aroon(x: FeatureInput) -> np.ndarray:
    return talib.AROONOSC(x.col("high"), x.col("low"), 25)


@feature("linreg_slope_20", "trend", 20)
def _linreg_slope(x: FeatureInput) -> np.ndarray:
    return talib.LINEARREG_SLOPE(x.col("close"), 20) / x.col("close")


# -- momentum --------------------------------------------------------------------------------
for _n in (7, 14):
    feature(f"rsi_{_n}", "momentum", _wilder_window(_n), recursive=True)(
        lambda x, n=_n: talib.RSI(x.col("close"), n)
    )


def _stoch(x: FeatureInput) -> tuple[np.ndarray, np.ndarray]:
    _, h, low, c = _ohlc(x)
    return x.memo("stoch", lambda: talib.STOCH(h, low, c, 14, 3, 0, 3, 0))


feature("stoch_k_14", "momentum", 20)(lambda x: _stoch(x)[0])
feature("stoch_d_14", "momentum", 20)(lambda x: _stoch(x)[1])


@feature("willr_14", "momentum", 14)
def _willr(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return talib.WILLR(h, low, c, 14)


@feature("cci_20", "momentum", 20)
def _cci(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return talib.CCI(h, low, c, 20)


@feature("roc_10", "momentum", 11)
def _roc(x: FeatureInput) -> np.ndarray:
    return talib.ROC(x.col("close"), 10)


@feature("cmo_14", "momentum", _wilder_window(14), recursive=True)
def _cmo(x: FeatureInput) -> np.ndarray:
    return talib.CMO(x.col("close"), 14)


@feature("ultosc", "momentum", 29)
def _ultosc(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return talib.ULTOSC(h, low, c, 7, 14, 28)


@feature("bop", "momentum", 1)
def _bop(x: FeatureInput) -> np.ndarray:
    o, h, low, c = _ohlc(x)
    return talib.BOP(o, h, low, c)


@feature("trix_15", "momentum", 3 * _ema_window(15), recursive=True)
def _trix(x: FeatureInput) -> np.ndarray:
    return talib.TRIX(x.col("close"), 15)


# -- volatility ------------------------------------------------------------------------------
@feature("natr_14", "volatility", _wilder_window(14), recursive=True)
def _natr(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return talib.NATR(h, low, c, 14)


def _bbands(x: FeatureInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return x.memo("bbands", lambda: talib.BBANDS(x.col("close"), 20, 2.0, 2.0, 0))


@feature("bb_width_20", "volatility", 20)
def _bb_width(x: FeatureInput) -> np.ndarray:
    upper, middle, lower = _bbands(x)
    return (upper - lower) / middle


@feature("bb_pctb_20", "volatility", 20)
def _bb_pctb(x: FeatureInput) -> np.ndarray:
    upper, _, lower = _bbands(x)
    width = upper - lower
    return np.divide(x.col("close") - lower, width, out=np.full_like(width, np.nan), where=width > 0)


@feature("true_range_norm", "volatility", 2)
def _trange(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return talib.TRANGE(h, low, c) / c


@feature("hl_range", "volatility", 1)
def _hl_range(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return (h - low) / c


# -- volume ----------------------------------------------------------------------------------
@feature("mfi_14", "volume", 15)
def _mfi(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    return talib.MFI(h, low, c, x.col("volume"), 14)


@feature("adosc_norm", "volume", 300, recursive=True)
def _adosc(x: FeatureInput) -> np.ndarray:
    _, h, low, c = _ohlc(x)
    v = x.col("volume")
    mean_volume = talib.SMA(v, 20)
    return np.divide(talib.ADOSC(h, low, c, v, 3, 10), mean_volume, where=mean_volume > 0,
                     out=np.full_like(v, np.nan))  # fmt: skip


@feature("signed_volume_20", "volume", 21)
def _signed_volume(x: FeatureInput) -> np.ndarray:
    c, v = x.col("close"), x.col("volume")
    signed = np.full(c.shape, np.nan)
    signed[1:] = np.sign(c[1:] - c[:-1]) * v[1:]
    total = talib.SUM(v, 20)
    return np.divide(talib.SUM(signed, 20), total, out=np.full(c.shape, np.nan), where=total > 0)


@feature("volume_ratio_20", "volume", 20)
def _volume_ratio(x: FeatureInput) -> np.ndarray:
    v = x.col("volume")
    mean = talib.SMA(v, 20)
    return np.divide(v, mean, out=np.full_like(v, np.nan), where=mean > 0)


@feature("volume_z_50", "volume", 50)
def _volume_z(x: FeatureInput) -> np.ndarray:
    logv = np.log1p(np.clip(x.col("volume"), 0.0, None))
    std = talib.STDDEV(logv, 50, 1.0)
    return np.divide(logv - talib.SMA(logv, 50), std, out=np.full(logv.shape, np.nan), where=std > 0)
