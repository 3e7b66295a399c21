"""The live side of a directional model: the last bar's prediction, fast, and the model's card.

* :func:`predict_last` — P(up) at the last bar of a trailing window: the features of that bar
  only (:func:`~openalpha.ml.features.compute_last`) and one row through the trees. Equal to the
  last value of :func:`~openalpha.ml.predictor.model_probability` on the same window, without
  the work for the earlier bars (the live path's latency budget is 5 ms per bar).
* :func:`confidence` — how far P(up) is from a coin flip, ``|2 p - 1|`` in [0, 1].
* :func:`model_card` — what the dashboard shows about a registry model: version, age, training
  window, out-of-sample (purged CV) score and the features it relies on most (split gain), as
  plain data (``openalpha.live.snapshot.ModelView`` decodes it).
* :func:`train_directional` — train a directional model on history with purged, embargoed
  k-fold scores and register it, so ``ml_trend`` can load it by name (``registry_model=``).
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
import numpy as np

from openalpha.domain.market_data import MarketData
from openalpha.ml.cv import PurgedKFold, cross_validate
from openalpha.ml.errors import MLError
from openalpha.ml.features import compute_last, feature_input, needs_mark
from openalpha.ml.features.inputs import epoch_ms
from openalpha.ml.importance import log_loss
from openalpha.ml.models import TabularModel
from openalpha.ml.predictor import DirectionalConfig, feature_frame, up_labels
from openalpha.ml.registry import ModelManifest, ModelRegistry

TOP_FEATURES = 10


def predict_last(data: MarketData, symbol: str, model: TabularModel) -> float:
    """P(up) at the last bar of ``data`` for ``symbol``; NaN when a feature is undefined there."""
    names = model.feature_names
    row = compute_last(feature_input(data, symbol, mark=needs_mark(names)), names)
    if not np.isfinite(row).all():
        return math.nan
    return float(model.predict_matrix(row.reshape(1, -1))[0])


def confidence(probability: float) -> float:
    """``|2 p - 1|``: 0 for a coin flip, 1 for certainty; NaN stays NaN."""
    return abs(2.0 * probability - 1.0)


def model_card(model: TabularModel, manifest: ModelManifest, top: int = TOP_FEATURES) -> dict[str, Any]:
    """Plain data describing a registry model (see ``openalpha.live.snapshot.ModelView``)."""
    gain = model.gain_importance().head(top)
    return {
        "name": manifest.name,
        "version": manifest.version,
        "kind": manifest.kind,
        "source": "registry",
        "created_ts": manifest.created_ts,
        "train_start_ms": manifest.train_start_ms,
        "train_end_ms": manifest.train_end_ms,
        "n_samples": manifest.n_samples,
        "n_features": len(manifest.features),
        "oos_metric": str(manifest.metrics.get("cv_metric", "cv score")),
        "oos_score": manifest.cv_mean,
        "oos_accuracy": manifest.metrics.get("cv_accuracy"),
        "importance": [(str(k), float(v)) for k, v in gain.items()],
    }


class TrainedModel(msgspec.Struct, frozen=True, kw_only=True):
    manifest: ModelManifest
    cv_log_loss: list[float]
    cv_accuracy: list[float]


def train_directional(
    data: MarketData,
    symbol: str,
    cfg: DirectionalConfig,
    registry: ModelRegistry,
    name: str,
    *,
    folds: int = 5,
) -> TrainedModel:
    """Fit ``cfg.model`` on every bar of ``data`` with a known label, score it by purged k-fold
    (embargo = the label horizon) and save it as the next version of ``name`` in ``registry``."""
    inp = feature_input(data, symbol)
    X = feature_frame(inp, cfg.features)
    y, t1 = up_labels(data.bars[symbol], cfg)
    rows = np.flatnonzero(np.isfinite(X.to_numpy()).all(axis=1) & np.isfinite(y))
    if len(rows) < max(cfg.min_samples, 2 * folds):
        raise MLError(f"only {len(rows)} bars of {symbol} have complete features and a known label")
    Xr, yr = X.iloc[rows], y[rows]
    accuracy: list[float] = []

    def fit_score(train: np.ndarray, test: np.ndarray) -> float:
        model = TabularModel(cfg.model).fit(Xr.iloc[train], yr[train])
        p = model.predict(Xr.iloc[test])
        accuracy.append(float(np.mean((p > 0.5) == (yr[test] > 0.5))))
        return log_loss(p, yr[test])

    scores = cross_validate(PurgedKFold(folds, embargo=cfg.horizon), rows, t1[rows], fit_score)
    model = TabularModel(cfg.model).fit(Xr, yr)
    stamps = epoch_ms(X.index[rows])
    manifest = registry.save(
        model, name, train_start_ms=int(stamps[0]), train_end_ms=int(stamps[-1]), n_samples=len(rows),
        symbol=symbol, interval=data.interval,
        label={"kind": "triple_barrier", "horizon": cfg.horizon, "pt": cfg.pt, "sl": cfg.sl},
        cv_scores=scores, metrics={"cv_metric": "log loss", "cv_accuracy": float(np.mean(accuracy))},
    )  # fmt: skip
    return TrainedModel(manifest=manifest, cv_log_loss=scores, cv_accuracy=accuracy)
