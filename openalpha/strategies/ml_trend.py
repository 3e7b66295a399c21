"""ML strategies: ``ml_trend`` and ``momentum_breakout_ml`` (momentum breakout + ML confirmation).

**ml_trend — idea.** A LightGBM/XGBoost classifier estimates P(up) — the probability that the
triple barrier over the next ``horizon`` bars resolves upwards — from the causal features of
:mod:`openalpha.ml.features`. Long when P(up) >= ``threshold``, short when P(up) <=
1 - ``threshold`` (perps only), flat in between.

**Causality.** In a backtest the model is retrained walk-forward inside ``targets``: every
``retrain_every`` bars (blocks anchored on absolute time) on the last ``train_bars`` bars whose
labels are already known, deterministically, so a live trailing window of ``warmup()+1`` bars
reproduces the backtest's value. Live, ``registry_model`` names a pre-trained model from the
registry (``$OPENALPHA_HOME/models``) instead; a model whose features the data lacks is refused.

**Baseline.** ``model="none"`` is the same strategy without the model: P(up) is replaced by the
sign of the last ``horizon`` bars' return (time-series momentum). The honesty report
(:mod:`openalpha.ml.report`) compares the two out of sample.

**Hyper-parameters** are ``Params`` with bounds, so a sweep tunes them like any parameter.

**When it fails.** Regime changes faster than ``retrain_every``; too little history per
retraining for the number of features; costs when P(up) hovers around the threshold.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import numpy as np
import pandas as pd

from openalpha.config.paths import Paths
from openalpha.domain.instrument import split_key
from openalpha.domain.intervals import interval_ms, normalize_interval
from openalpha.domain.market_data import MarketData
from openalpha.ml.confirm import MLConfirm
from openalpha.ml.live import confidence, model_card, predict_last
from openalpha.ml.models import ModelSpec, TabularModel
from openalpha.ml.predictor import (
    DirectionalConfig,
    model_probability,
    walk_forward_probability,
    walk_forward_warmup,
)
from openalpha.ml.registry import ModelManifest, ModelRegistry
from openalpha.strategies.base import Strategy
from openalpha.strategies.errors import StrategyError
from openalpha.strategies.momentum_breakout import MomentumBreakout
from openalpha.strategies.registry import register


class MLParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Model and walk-forward hyper-parameters (sweepable)."""

    model: Literal["lgbm", "xgb", "none"] = "lgbm"
    threshold: Annotated[float, msgspec.Meta(ge=0.5, lt=1.0, description="min P(up) to go long")] = 0.55
    horizon: Annotated[int, msgspec.Meta(ge=1, le=500, description="label horizon (bars)")] = 24
    barrier: Annotated[float, msgspec.Meta(gt=0, le=10, description="barriers, x volatility")] = 1.0
    train_bars: Annotated[int, msgspec.Meta(ge=200, le=200_000)] = 2000
    retrain_every: Annotated[int, msgspec.Meta(ge=10, le=50_000)] = 168
    n_estimators: Annotated[int, msgspec.Meta(ge=5, le=2000)] = 100
    learning_rate: Annotated[float, msgspec.Meta(ge=0.005, le=0.5)] = 0.05
    max_depth: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    min_child_samples: Annotated[int, msgspec.Meta(ge=5, le=2000)] = 50
    subsample: Annotated[float, msgspec.Meta(ge=0.3, le=1.0)] = 0.8
    colsample: Annotated[float, msgspec.Meta(ge=0.3, le=1.0)] = 0.8
    features: str = ""  # comma-separated names; empty = every windowed feature available
    registry_model: str = ""  # a pre-trained model's name in the registry (live use)
    interval: str = "60"  # the data's bar interval (warmup depends on it; targets() checks it)


def directional_config(p: Any) -> DirectionalConfig:
    """The :class:`DirectionalConfig` of a Params object carrying the :class:`MLParams` fields."""
    spec = ModelSpec(
        kind="xgb" if p.model == "xgb" else "lgbm", n_estimators=p.n_estimators, learning_rate=p.learning_rate,
        max_depth=p.max_depth, min_child_samples=p.min_child_samples, subsample=p.subsample,
        colsample=p.colsample,
    )  # fmt: skip
    names = tuple(f.strip() for f in p.features.split(",") if f.strip())
    return DirectionalConfig(
        features=names, horizon=p.horizon, pt=p.barrier, sl=p.barrier, train_bars=p.train_bars,
        retrain_every=p.retrain_every, min_samples=min(200, p.train_bars // 4), model=spec,
    )  # fmt: skip


def with_ml_params(base: type, name: str = "Params") -> type:
    """``base`` (a Params Struct) extended with every :class:`MLParams` field, flat, so sweeps see them."""
    fields = [(f.name, f.type, f.default) for f in msgspec.structs.fields(MLParams)]
    return msgspec.defstruct(name, fields, bases=(base,), frozen=True, forbid_unknown_fields=True)


class _ModelSource:
    """Where an ML strategy's P(up) comes from: walk-forward, the registry, or the naive baseline."""

    def __init__(self, p: Any) -> None:
        self.p = p
        self.cfg = directional_config(p)
        self._model: TabularModel | None = None
        self._manifest: ModelManifest | None = None

    def registry_model(self) -> TabularModel | None:
        if not self.p.registry_model:
            return None
        if self._model is None:
            self._model, self._manifest = ModelRegistry(Paths.from_env().models).load(self.p.registry_model)
        return self._model

    def probability(self, data: MarketData, key: str) -> np.ndarray:
        if self.p.model == "none":
            close = data.bars[key]["close"].to_numpy(dtype=np.float64)
            past = np.full(close.shape, np.nan)
            past[self.p.horizon :] = close[self.p.horizon :] / close[: -self.p.horizon] - 1.0
            return np.where(np.isnan(past), np.nan, (np.sign(past) + 1.0) / 2.0)
        model = self.registry_model()
        if model is not None:
            return model_probability(data, key, model).to_numpy()
        return walk_forward_probability(data, key, self.cfg).to_numpy()

    def last_probability(self, data: MarketData, key: str) -> float:
        """P(up) at the last bar only: one feature row for a registry model (the live path)."""
        model = self.registry_model() if self.p.model != "none" else None
        if model is not None:
            return predict_last(data, key, model)
        return float(self.probability(data, key)[-1])

    def card(self) -> dict[str, Any]:
        """What the dashboard shows about the model (``openalpha.live.snapshot.ModelView``)."""
        model = self.registry_model() if self.p.model != "none" else None
        if model is not None:
            assert self._manifest is not None
            return model_card(model, self._manifest)
        if self.p.model == "none":
            return {
                "name": "baseline",
                "kind": "none",
                "source": "baseline: sign of the last horizon's return",
            }
        return {
            "name": "walk-forward", "kind": self.cfg.model.kind,
            "source": f"walk-forward: retrained every {self.cfg.retrain_every} bars on {self.cfg.train_bars}",
            "n_features": len(self.cfg.features),
        }  # fmt: skip

    def check_interval(self, data: MarketData) -> None:
        if self.p.model != "none" and normalize_interval(self.p.interval) != data.interval:
            raise StrategyError(
                f"ML strategy configured for interval {self.p.interval!r} but the data is {data.interval!r}; "
                f"set interval={data.interval}"
            )

    def warmup(self) -> int:
        interval = self.p.interval
        if self.p.model == "none":
            return self.p.horizon
        if self.p.registry_model:
            from openalpha.ml.features import warmup_bars

            return warmup_bars(self.registry_model().feature_names, interval_ms(interval))  # type: ignore[union-attr]
        return walk_forward_warmup(self.cfg, interval_ms(interval))


def live_view(probabilities: dict[str, float]) -> dict[str, tuple[float, float]]:
    """(P(up), confidence) per symbol, leaving out symbols without a prediction."""
    return {k: (p, confidence(p)) for k, p in probabilities.items() if np.isfinite(p)}


@register
class MLTrend(Strategy):
    """Trades the walk-forward model's P(up) with a confidence threshold (module docs)."""

    name = "ml_trend"

    class Params(MLParams, frozen=True, forbid_unknown_fields=True):
        size: Annotated[float, msgspec.Meta(gt=0, le=10)] = 1.0
        allow_short: bool = True

    def __init__(self, params: Any = None, **overrides: Any) -> None:
        super().__init__(params, **overrides)
        self.source = _ModelSource(self.params)
        self._last: tuple[pd.Timestamp, dict[str, float]] | None = None

    def warmup(self) -> int:
        return self.source.warmup()

    def probabilities(self, data: MarketData) -> pd.DataFrame:
        """P(up) per bar and instrument: what the dashboard shows as prediction and confidence."""
        return pd.DataFrame({k: self.source.probability(data, k) for k in data.symbols}, index=data.index)

    def _exposure(self, key: str, prob: np.ndarray, n_symbols: int) -> np.ndarray:
        p = self.params
        with np.errstate(invalid="ignore"):
            out = np.where(prob >= p.threshold, 1.0, 0.0)
            if p.allow_short and split_key(key)[1].value != "spot":
                out -= np.where(prob <= 1.0 - p.threshold, 1.0, 0.0)
        return out * (p.size / n_symbols)

    def targets(self, data: MarketData) -> pd.DataFrame:
        self.source.check_interval(data)
        probs = self.probabilities(data)
        n = len(data.symbols)
        return pd.DataFrame(
            {k: self._exposure(k, probs[k].to_numpy(), n) for k in data.symbols}, index=data.index
        )

    def last_probabilities(self, data: MarketData) -> dict[str, float]:
        """P(up) per instrument at the last bar of ``data`` (computed once per bar)."""
        stamp = data.index[-1]
        if self._last is None or self._last[0] != stamp:
            self.source.check_interval(data)
            self._last = (stamp, {k: self.source.last_probability(data, k) for k in data.symbols})
        return self._last[1]

    def latest_targets(self, data: MarketData) -> dict[str, float]:
        """The live path: ``targets(data).iloc[-1]`` from the last bar's features only."""
        probs = self.last_probabilities(data)
        return {k: float(self._exposure(k, np.array([probs[k]]), len(data.symbols))[0]) for k in data.symbols}

    def live_predictions(self, data: MarketData) -> dict[str, tuple[float, float]]:
        """(P(up), confidence) per instrument at the last bar of ``data``."""
        return live_view(self.last_probabilities(data))

    def model_card(self) -> dict[str, Any]:
        return self.source.card()


@register
class MomentumBreakoutML(MomentumBreakout):
    """``momentum_breakout`` whose breakouts need the directional model's confirmation
    (:class:`openalpha.ml.confirm.MLConfirm`); ``model="none"`` disables the filter (the baseline)."""

    name = "momentum_breakout_ml"

    Params = with_ml_params(MomentumBreakout.Params)  # type: ignore[assignment]

    def __init__(self, params: Any = None, **overrides: Any) -> None:
        super().__init__(params, **overrides)
        self.source = _ModelSource(self.params)
        self.ml_confirm: MLConfirm | None = None
        if self.params.model != "none":
            self.ml_confirm = MLConfirm(
                self.source.cfg, self.params.threshold, model=self.source.registry_model()
            )
            self.confirm = self.ml_confirm
        elif self.params.registry_model:
            raise StrategyError("momentum_breakout_ml: registry_model needs model='lgbm' or 'xgb'")

    def warmup(self) -> int:
        base = super().warmup()
        return base if self.params.model == "none" else max(base, self.source.warmup())

    def targets(self, data: MarketData) -> pd.DataFrame:
        self.source.check_interval(data)
        return super().targets(data)

    def live_predictions(self, data: MarketData) -> dict[str, tuple[float, float]]:
        """The confirming model's (P(up), confidence) at the last bar: from a registry model, or
        what the walk-forward filter computed for this bar (it runs only when a breakout needs it)."""
        if self.ml_confirm is None:
            return {}
        if self.source.registry_model() is not None:
            return live_view({k: self.source.last_probability(data, k) for k in data.symbols})
        return live_view(self.ml_confirm.last_at(data.index[-1]))

    def model_card(self) -> dict[str, Any] | None:
        return None if self.params.model == "none" else self.source.card()
