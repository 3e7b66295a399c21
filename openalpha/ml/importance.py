"""Feature importance: split gain (from the trees, see :meth:`TabularModel.gain_importance`) and
permutation importance on held-out data (how much the loss grows when one feature is shuffled)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.ml.models import TabularModel


def log_loss(p: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    losses = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    return float(np.average(losses, weights=w))


def model_loss(model: TabularModel, pred: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    """Log loss for a classifier, mean squared error for a regressor."""
    if model.spec.task == "classifier":
        return log_loss(pred, y, w)
    return float(np.average((pred - y) ** 2, weights=w))


def permutation_importance(
    model: TabularModel,
    X: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    n_repeats: int = 3,
    seed: int = 0,
    sample_weight: np.ndarray | None = None,
) -> pd.Series:
    """Mean loss increase per feature when its column is shuffled (positive = the model uses it)."""
    y_arr = np.asarray(y, dtype=np.float64)
    frame = X[model.feature_names].copy()
    base = model_loss(model, model.predict(frame), y_arr, sample_weight)
    rng = np.random.default_rng(seed)
    out: dict[str, float] = {}
    for name in model.feature_names:
        original = frame[name].to_numpy(copy=True)
        deltas = []
        for _ in range(n_repeats):
            frame[name] = rng.permutation(original)
            deltas.append(model_loss(model, model.predict(frame), y_arr, sample_weight) - base)
        frame[name] = original
        out[name] = float(np.mean(deltas))
    return pd.Series(out, dtype=np.float64).sort_values(ascending=False)
