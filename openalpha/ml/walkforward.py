"""Walk-forward training: models retrained on a rolling window of the past, predicting forward.

Retraining happens at the first bar of every block of ``retrain_every`` bars, blocks anchored on
absolute time (bar number since the epoch), so a trailing window reproduces the same retraining
points as the full history. At a retraining bar *r* the model learns from the samples decided in
the last ``train_bars`` bars whose labels are already known at *r* (``t1 <= r``: the purge), and
it predicts bars *r* .. the next retraining bar. With deterministic training the prediction at a
bar depends only on a bounded trailing window, which is what makes an ML strategy causal and
equal in a backtest and live.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

from openalpha.ml.errors import MLError
from openalpha.ml.labels import average_uniqueness
from openalpha.ml.models import TabularModel

ModelFactory = Callable[[], TabularModel]


def retrain_points(index: pd.DatetimeIndex, interval_ms: int, retrain_every: int) -> np.ndarray:
    """Positions of the bars that start a new block of ``retrain_every`` bars (never position 0)."""
    if retrain_every < 1:
        raise MLError(f"retrain_every must be >= 1 bar, got {retrain_every}")
    block = index.as_unit("ms").asi8 // (interval_ms * retrain_every)
    return np.flatnonzero(np.diff(block) != 0) + 1


def walk_forward_predict(
    X: pd.DataFrame,
    y: np.ndarray,
    t1: np.ndarray,
    factory: ModelFactory,
    *,
    interval_ms: int,
    train_bars: int,
    retrain_every: int,
    min_samples: int = 100,
    uniqueness_weights: bool = True,
) -> pd.Series:
    """Out-of-sample predictions per bar (NaN before the first usable model).

    ``X`` holds the features of every bar (rows with NaN never train; prediction needs all
    features), ``y`` the target per bar (NaN = unknown) and ``t1`` the bar position at which that
    target becomes known (-1 = not yet). With ``uniqueness_weights`` each training set is weighted
    by the average uniqueness of its labels, computed from the labels known at the retraining bar.
    """
    n = len(X)
    y = np.asarray(y, dtype=np.float64)
    t1 = np.asarray(t1, dtype=np.int64)
    if y.shape != (n,) or t1.shape != (n,):
        raise MLError("y and t1 need one value per feature row")
    if train_bars < 1:
        raise MLError(f"train_bars must be >= 1, got {train_bars}")
    mat = X.to_numpy(dtype=np.float64)
    complete = np.isfinite(mat).all(axis=1)
    usable = complete & np.isfinite(y) & (t1 >= 0)
    out = np.full(n, np.nan)
    points = retrain_points(pd.DatetimeIndex(X.index), interval_ms, retrain_every)
    bounds = np.append(points, n)
    for r, stop in itertools.pairwise(bounds):
        lo = max(0, r - train_bars + 1)
        rows = lo + np.flatnonzero(usable[lo : r + 1] & (t1[lo : r + 1] <= r))
        if len(rows) < min_samples or len(np.unique(y[rows])) < 2:
            continue
        w = None
        if uniqueness_weights:
            local = t1[lo : r + 1]
            u = average_uniqueness(np.where((local >= 0) & (local <= r), local - lo, -1))
            w = u[rows - lo]
        model = factory().fit(X.iloc[rows], y[rows], w)
        block = np.arange(r, stop)
        block = block[complete[block]]
        if len(block):
            out[block] = model.predict(X.iloc[block])
    return pd.Series(out, index=X.index, name="prediction")
