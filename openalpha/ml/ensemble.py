"""An ensemble whose member weights follow recent out-of-sample performance.

Each member's probability for sample *i* is scored (log loss) once its label is *known*, at bar
``t1[i]``. At every bar the weights are a softmax of minus each member's mean loss over the
labels resolved in the last ``window`` bars, divided by ``temperature``; before any label has
resolved the members weigh the same. Weights at bar *t* use only labels known by *t*, so the
ensemble is as causal as its members.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.ml.errors import MLError


def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    shifted = scores - np.nanmax(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def rolling_weights(
    member_probs: pd.DataFrame,
    y: np.ndarray,
    t1: np.ndarray,
    *,
    window: int = 500,
    temperature: float = 0.02,
) -> pd.DataFrame:
    """Per-bar member weights (rows sum to 1) from losses of labels resolved in the last ``window`` bars.

    ``member_probs`` has one column per member (NaN where a member had no prediction), ``y`` the
    0/1 outcome of each row's label (NaN unknown) and ``t1`` the bar position where it resolves
    (-1 unknown).
    """
    if window < 1 or temperature <= 0:
        raise MLError(f"window must be >= 1 and temperature > 0 (got {window}, {temperature})")
    probs = member_probs.to_numpy(dtype=np.float64)
    n, m = probs.shape
    y = np.asarray(y, dtype=np.float64)
    t1 = np.asarray(t1, dtype=np.int64)
    if y.shape != (n,) or t1.shape != (n,):
        raise MLError("y and t1 must have one value per row of member_probs")
    q = np.clip(probs, 1e-12, 1 - 1e-12)
    loss = -(y[:, None] * np.log(q) + (1 - y[:, None]) * np.log(1 - q))
    ok = np.isfinite(loss) & (t1 >= 0)[:, None] & (t1 < n)[:, None]
    sums = np.zeros((n + 1, m))
    counts = np.zeros((n + 1, m))
    for j in range(m):
        rows = np.flatnonzero(ok[:, j])
        np.add.at(sums[:, j], t1[rows] + 1, loss[rows, j])
        np.add.at(counts[:, j], t1[rows] + 1, 1.0)
    csum, ccount = np.cumsum(sums, axis=0), np.cumsum(counts, axis=0)
    hi = np.arange(1, n + 1)
    lo = np.maximum(0, hi - window)
    win_sum, win_count = csum[hi] - csum[lo], ccount[hi] - ccount[lo]
    mean_loss = np.divide(win_sum, win_count, out=np.full((n, m), np.nan), where=win_count > 0)
    scores = -mean_loss / temperature
    scores = np.where(np.isfinite(scores), scores, np.nan)
    no_info = np.all(np.isnan(scores), axis=1)
    scores[no_info] = 0.0
    scores = np.where(np.isnan(scores), -np.inf, scores)  # a member never scored gets no weight
    return pd.DataFrame(_softmax_rows(scores), index=member_probs.index, columns=member_probs.columns)


def combine(member_probs: pd.DataFrame, weights: pd.DataFrame) -> pd.Series:
    """Weighted probability per bar; members with NaN predictions are left out and weights renormalised."""
    p = member_probs.to_numpy(dtype=np.float64)
    w = weights.to_numpy(dtype=np.float64) * np.isfinite(p)
    total = w.sum(axis=1)
    value = np.nansum(np.nan_to_num(p) * w, axis=1)
    out = np.divide(value, total, out=np.full(len(p), np.nan), where=total > 0)
    return pd.Series(out, index=member_probs.index, name="probability")
