"""The directional model shared by the ML strategies: P(the next move is up) per bar.

Labels are triple-barrier outcomes over ``horizon`` bars with the time-out resolved by the sign
of the return (so every known label is up or down); features default to every registered
*windowed* (non-recursive) feature the data supports, which keeps walk-forward retraining
bit-for-bit reproducible on a trailing window. Two ways to get the probability:

* :func:`walk_forward_probability`: retrain inside the data (backtests, sweeps; causal);
* :func:`model_probability`: a pre-trained model, e.g. loaded from the registry (live).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.market_data import MarketData
from openalpha.ml.features import (
    FEATURES,
    FeatureInput,
    compute_features,
    feature_input,
    needs_mark,
    warmup_bars,
)
from openalpha.ml.labels import triple_barrier
from openalpha.ml.models import ModelSpec, TabularModel
from openalpha.ml.walkforward import walk_forward_predict


class DirectionalConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    features: tuple[str, ...] = ()  # empty: every windowed feature the data supports
    horizon: Annotated[int, msgspec.Meta(ge=1, le=2000)] = 24
    pt: Annotated[float, msgspec.Meta(gt=0, le=20)] = 1.0
    sl: Annotated[float, msgspec.Meta(gt=0, le=20)] = 1.0
    vol_window: Annotated[int, msgspec.Meta(ge=2, le=5000)] = 48
    train_bars: Annotated[int, msgspec.Meta(ge=50, le=1_000_000)] = 2000
    retrain_every: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 168
    min_samples: Annotated[int, msgspec.Meta(ge=10, le=1_000_000)] = 200
    model: ModelSpec = ModelSpec()


def default_features(inp: FeatureInput) -> list[str]:
    """Windowed features whose inputs ``inp`` has (recursive ones are left out for exact parity)."""
    return [n for n, s in FEATURES.items() if not s.recursive and all(inp.has(k) for k in s.needs)]


def feature_frame(inp: FeatureInput, names: tuple[str, ...] | list[str]) -> pd.DataFrame:
    return compute_features(inp, list(names) or default_features(inp))


def up_labels(bars: pd.DataFrame, cfg: DirectionalConfig) -> tuple[np.ndarray, np.ndarray]:
    """(y, t1): 1.0 when the triple barrier resolves up, 0.0 down, NaN unknown; t1 its end bar."""
    labels = triple_barrier(
        bars, cfg.horizon, pt=cfg.pt, sl=cfg.sl, vol_window=cfg.vol_window, timeout="sign"
    )
    lab = labels["label"].to_numpy()
    y = np.where(lab > 0, 1.0, np.where(lab < 0, 0.0, np.nan))
    return y, labels["t1"].to_numpy()


def walk_forward_probability(data: MarketData, symbol: str, cfg: DirectionalConfig) -> pd.Series:
    """P(up) per bar of ``symbol`` from models retrained walk-forward inside ``data``."""
    inp = feature_input(data, symbol, mark=needs_mark(cfg.features or None))  # empty: every feature
    X = feature_frame(inp, cfg.features)
    y, t1 = up_labels(data.bars[symbol], cfg)
    return walk_forward_predict(
        X, y, t1, lambda: TabularModel(cfg.model), interval_ms=inp.interval_ms, train_bars=cfg.train_bars,
        retrain_every=cfg.retrain_every, min_samples=cfg.min_samples,
    )  # fmt: skip


def model_probability(data: MarketData, symbol: str, model: TabularModel) -> pd.Series:
    """P(up) per bar from a pre-trained ``model`` (NaN where a feature is not yet defined)."""
    inp = feature_input(data, symbol, mark=needs_mark(model.feature_names))
    X = compute_features(inp, model.feature_names)
    complete = np.isfinite(X.to_numpy()).all(axis=1)
    p = np.full(len(X), np.nan)
    if complete.any():
        p[complete] = model.predict(X[complete])
    else:
        model.matrix(X)  # no complete row: still refuse missing features with the model's own error
    return pd.Series(p, index=X.index, name="prediction")


def walk_forward_warmup(cfg: DirectionalConfig, interval_ms: int, features: list[str] | None = None) -> int:
    """Bars of history a trailing window needs to reproduce the walk-forward prediction at its end."""
    names = list(cfg.features) or features or [n for n, s in FEATURES.items() if not s.recursive]
    history = max(warmup_bars(names, interval_ms), cfg.vol_window + 1)
    return cfg.retrain_every + cfg.train_bars + history
