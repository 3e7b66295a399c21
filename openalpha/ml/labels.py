"""Labels for supervised learning, and sample weights for overlapping labels.

Every label starts at the close of bar *i* (the decision point) and ends at bar ``t1`` > *i*;
it is *known* only once bar ``t1`` has closed, which is what purged validation and walk-forward
training rely on. Labels whose end lies beyond the data are NaN (``t1 = -1``).

* :func:`forward_returns`: log return from close *i* to close *i + horizon*.
* :func:`triple_barrier`: +1 when the profit-take barrier is touched first, -1 for the stop-loss,
  and at the time-out either 0 or the sign of the return (``timeout="sign"``). Barriers sit at
  ``pt`` and ``sl`` times the trailing volatility over the horizon. A bar whose range touches both
  barriers counts as a stop-loss (the conservative reading of an OHLC bar).
* :func:`average_uniqueness`: López de Prado's average uniqueness of each label over its span,
  the standard weight for overlapping labels.
"""

from __future__ import annotations

from typing import Literal

import numba
import numpy as np
import pandas as pd

from openalpha.ml.errors import MLError

LABEL_COLUMNS = ("label", "ret", "t1")


def _check_horizon(horizon: int, n: int) -> None:
    if horizon < 1:
        raise MLError(f"label horizon must be >= 1 bar, got {horizon}")
    if n == 0:
        raise MLError("no bars to label")


def forward_returns(close: pd.Series, horizon: int) -> pd.DataFrame:
    """``ret`` = log(close[i+h] / close[i]); ``label`` = its sign; ``t1`` = i + h (or -1 past the end)."""
    _check_horizon(horizon, len(close))
    values = close.to_numpy(dtype=np.float64)
    n = values.size
    ret = np.full(n, np.nan)
    ret[: max(0, n - horizon)] = np.log(values[horizon:] / values[: n - horizon])
    t1 = np.where(np.arange(n) + horizon < n, np.arange(n) + horizon, -1)
    return pd.DataFrame({"label": np.sign(ret), "ret": ret, "t1": t1}, index=close.index)


@numba.njit(cache=True)
def _barriers(
    close: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    width: np.ndarray,
    horizon: int,
    pt: float,
    sl: float,
    timeout_sign: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = close.size
    label = np.full(n, np.nan)
    ret = np.full(n, np.nan)
    t1 = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        w = width[i]
        if not np.isfinite(w) or w <= 0:
            continue
        up = close[i] * np.exp(pt * w)
        down = close[i] * np.exp(-sl * w)
        last = i + horizon
        for j in range(i + 1, min(last, n - 1) + 1):
            if low[j] <= down:
                label[i], ret[i], t1[i] = -1.0, np.log(down / close[i]), j
                break
            if high[j] >= up:
                label[i], ret[i], t1[i] = 1.0, np.log(up / close[i]), j
                break
        if t1[i] < 0 and last < n:
            r = np.log(close[last] / close[i])
            ret[i], t1[i] = r, last
            label[i] = np.sign(r) if timeout_sign else 0.0
    return label, ret, t1


def triple_barrier(
    bars: pd.DataFrame,
    horizon: int,
    *,
    pt: float = 1.0,
    sl: float = 1.0,
    vol_window: int = 48,
    volatility: pd.Series | None = None,
    timeout: Literal["zero", "sign"] = "zero",
) -> pd.DataFrame:
    """Triple-barrier labels on ``bars`` (``high low close``), barriers at ``pt``/``sl`` x volatility.

    ``volatility`` is the log-return scale of the whole horizon; by default the standard
    deviation of one-bar log returns over the last ``vol_window`` bars times sqrt(horizon).
    """
    _check_horizon(horizon, len(bars))
    if pt <= 0 or sl <= 0:
        raise MLError(f"barrier multiples must be > 0 (pt={pt}, sl={sl})")
    close = bars["close"].astype(np.float64)
    if volatility is None:
        log_close = pd.Series(np.log(close.to_numpy()), index=close.index)
        volatility = log_close.diff().rolling(vol_window).std() * np.sqrt(horizon)
    elif not volatility.index.equals(bars.index):
        raise MLError("volatility must share the bars' index")
    label, ret, t1 = _barriers(
        close.to_numpy(),
        bars["high"].to_numpy(dtype=np.float64),
        bars["low"].to_numpy(dtype=np.float64),
        volatility.to_numpy(dtype=np.float64),
        horizon,
        float(pt),
        float(sl),
        timeout == "sign",
    )
    return pd.DataFrame({"label": label, "ret": ret, "t1": t1}, index=bars.index)


def average_uniqueness(t1: np.ndarray) -> np.ndarray:
    """Average uniqueness of each label spanning bars ``(i, t1[i]]``; NaN where ``t1 < 0``.

    Concurrency at bar *j* is the number of labels whose span covers *j*; a label's uniqueness is
    the mean of 1/concurrency over its span (1.0 when no other label overlaps it).
    """
    t1 = np.asarray(t1, dtype=np.int64)
    n = t1.size
    idx = np.arange(n)
    valid = t1 >= 0
    if np.any(valid & (t1 <= idx)):
        raise MLError("every label must end after it starts (t1 > i)")
    diff = np.zeros(n + 1)
    np.add.at(diff, idx[valid] + 1, 1.0)
    np.add.at(diff, t1[valid] + 1, -1.0)
    concurrency = np.cumsum(diff)[:n]
    inv = np.divide(1.0, concurrency, out=np.zeros(n), where=concurrency > 0)
    prefix = np.concatenate([[0.0], np.cumsum(inv)])  # prefix[k] = sum(inv[:k])
    out = np.full(n, np.nan)
    ends = t1[valid]
    starts = idx[valid]
    # prefix-sum differences carry round-off: a lone label may come out as 1 + 1e-16; cap at 1
    out[valid] = np.minimum((prefix[ends + 1] - prefix[starts + 1]) / (ends - starts), 1.0)
    return out


def sample_weights(labels: pd.DataFrame) -> pd.Series:
    """Average-uniqueness weights for ``labels`` (a frame with ``t1``), scaled to mean 1 over known labels."""
    u = average_uniqueness(labels["t1"].to_numpy())
    mean = np.nanmean(u) if np.any(np.isfinite(u)) else 1.0
    return pd.Series(u / mean, index=labels.index, name="weight")
