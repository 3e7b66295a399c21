"""The live path of the ML strategies on real data: a registry model trained with purged CV, the
last-bar prediction (equal to the full-history one), its confidence, the model card, and a
StrategyRunner (what the strategy actor wraps) surfacing predictions bar by bar."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.config.paths import Paths
from openalpha.domain import Bar, MarketData
from openalpha.live.snapshot import ModelView
from openalpha.live.strategy_runner import StrategyRunner
from openalpha.ml.errors import MLError
from openalpha.ml.live import confidence, predict_last, train_directional
from openalpha.ml.models import ModelSpec
from openalpha.ml.predictor import DirectionalConfig, model_probability
from openalpha.ml.registry import ModelRegistry
from openalpha.strategies.ml_trend import MLTrend, MomentumBreakoutML
from openalpha.strategies.parity import window_at
from tests.unit.backtest.realdata import perp_1h

# OHLCV + funding only: the live runtime feeds bars and funding, not mark prices
LIVE_FEATURES = (
    "log_ret_1", "log_ret_24", "rv_48", "zscore_20", "skew_48", "kurt_48", "bb_pctb_20", "mfi_14",
    "hour_sin", "funding_rate", "funding_z_21", "vol_pct_rank_500",
)  # fmt: skip
CFG = DirectionalConfig(features=LIVE_FEATURES, horizon=12, model=ModelSpec(n_estimators=20, max_depth=3))


def _no_mark(data: MarketData) -> MarketData:
    return MarketData(interval=data.interval, bars=data.bars, funding=data.funding)


@pytest.fixture(scope="module")
def btc(shared_data: Path) -> MarketData:
    return _no_mark(perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-05-01"))


@pytest.fixture(scope="module")
def registry_home(btc: MarketData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose registry holds ``btc_live`` v1, trained on Jan-Mar 2024 only."""
    home = tmp_path_factory.mktemp("ml_live_home")
    train = btc.slice(end=pd.Timestamp("2024-03-01", tz="UTC"))
    train_directional(train, "BTCUSDT", CFG, ModelRegistry(Paths(home).models), "btc_live", folds=4)
    return home


@pytest.fixture
def home(registry_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENALPHA_HOME", str(registry_home))
    return registry_home


def test_train_directional_registers_purged_cv_scores(home: Path) -> None:
    model, manifest = ModelRegistry(Paths(home).models).load("btc_live")
    assert manifest.version == 1 and manifest.features == list(LIVE_FEATURES)
    assert len(manifest.cv_scores) == 4 and all(0.3 < s < 1.5 for s in manifest.cv_scores)
    assert manifest.metrics["cv_metric"] == "log loss"
    assert 0.0 < manifest.metrics["cv_accuracy"] < 1.0
    assert manifest.train_end_ms < pd.Timestamp("2024-03-01", tz="UTC").value // 1_000_000
    assert manifest.label["horizon"] == 12 and manifest.n_samples > 500
    assert model.fitted


def test_last_bar_prediction_equals_the_full_history_one(home: Path, btc: MarketData) -> None:
    strategy = MLTrend(registry_model="btc_live", threshold=0.52)
    model = strategy.source.registry_model()
    assert model is not None
    full = model_probability(btc, "BTCUSDT", model).to_numpy()
    length = strategy.warmup() + 1
    positions = range(len(btc.index) - 60, len(btc.index))  # out of sample: after the training window
    for pos in positions:
        window = window_at(btc, pos, length)
        live = predict_last(window, "BTCUSDT", model)
        assert live == pytest.approx(full[pos], rel=1e-9), pos
        assert strategy.latest_targets(window) == pytest.approx(strategy.targets(window).iloc[-1].to_dict())
    assert np.isfinite(full[list(positions)]).all()


def test_prediction_is_nan_before_every_feature_is_defined(home: Path, btc: MarketData) -> None:
    strategy = MLTrend(registry_model="btc_live")
    model = strategy.source.registry_model()
    assert model is not None
    short = btc.slice(end=btc.index[100])  # vol_pct_rank_500 needs 525 bars
    assert math.isnan(predict_last(short, "BTCUSDT", model))
    assert strategy.live_predictions(short) == {}
    assert strategy.latest_targets(short) == {"BTCUSDT": 0.0}


def test_live_data_without_the_models_inputs_is_a_one_line_error(home: Path, btc: MarketData) -> None:
    model = MLTrend(registry_model="btc_live").source.registry_model()
    assert model is not None
    bars_only = MarketData(interval="60", bars=btc.bars)
    with pytest.raises(MLError, match="needs funding data"):
        predict_last(bars_only, "BTCUSDT", model)


def test_confidence_is_the_distance_from_a_coin_flip() -> None:
    assert confidence(0.5) == 0.0
    assert confidence(0.61) == pytest.approx(0.22)
    assert confidence(0.2) == pytest.approx(0.6)
    assert math.isnan(confidence(math.nan))


def test_model_card_describes_the_registry_model(home: Path) -> None:
    strategy = MLTrend(registry_model="btc_live")
    card = ModelView(**strategy.model_card())
    manifest = ModelRegistry(Paths(home).models).manifest("btc_live")
    assert (card.name, card.version, card.kind, card.source) == ("btc_live", 1, "lgbm", "registry")
    assert card.created_ts == manifest.created_ts and card.train_end_ms == manifest.train_end_ms
    assert card.oos_metric == "log loss" and card.oos_score == pytest.approx(manifest.cv_mean)
    assert card.n_features == len(LIVE_FEATURES)
    names = [n for n, _ in card.importance]
    assert set(names) <= set(LIVE_FEATURES) and len(names) == 10
    gains = [g for _, g in card.importance]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0


def test_walk_forward_and_baseline_cards_say_where_predictions_come_from() -> None:
    wf = MLTrend(train_bars=400, retrain_every=100).model_card()
    assert wf["source"].startswith("walk-forward: retrained every 100 bars on 400")
    assert MLTrend(model="none").model_card()["kind"] == "none"
    assert MomentumBreakoutML(model="none").model_card() is None


def test_strategy_runner_surfaces_predictions_bar_by_bar(home: Path, btc: MarketData) -> None:
    """What the strategy actor does: warm up from history, then one closed bar at a time."""
    strategy = MLTrend(registry_model="btc_live", threshold=0.52)
    reference = MLTrend(registry_model="btc_live", threshold=0.52)
    full_targets = reference.targets(btc)["BTCUSDT"].to_numpy()
    full_probs = reference.probabilities(btc)["BTCUSDT"].to_numpy()
    bars = btc.bars["BTCUSDT"]
    start = len(bars) - 48
    runner = StrategyRunner("ml_btc", strategy, ["BTCUSDT"], "60", history=btc.slice(end=bars.index[start]))
    assert runner.ml_state()["model"].name == "btc_live"
    assert runner.ml_state()["predictions"] == {}  # nothing decided yet
    funding = btc.funding["BTCUSDT"]
    seen = 0
    for pos in range(start, len(bars)):
        stamp = bars.index[pos]
        for when, rate in funding[(funding.index > bars.index[pos - 1]) & (funding.index <= stamp)].items():
            runner.on_funding("BTCUSDT", int(when.value // 1_000_000), float(rate))
        row = bars.iloc[pos]
        ts = int(stamp.value // 1_000_000)
        signals = runner.on_bar("BTCUSDT", Bar(symbol="BTCUSDT", interval="60", ts=ts, **row.to_dict()))
        assert [s.target for s in signals] == [full_targets[pos]]
        assert signals[0].confidence == pytest.approx(abs(2 * full_probs[pos] - 1), rel=1e-9)
        state = runner.ml_state()
        assert state["predictions_ts"] == ts
        assert state["predictions"]["BTCUSDT"] == pytest.approx(full_probs[pos], rel=1e-9)
        assert state["confidence"]["BTCUSDT"] == pytest.approx(abs(2 * full_probs[pos] - 1), rel=1e-9)
        seen += signals[0].target != 0.0
    assert seen > 0  # the model took positions in the replayed bars


def test_status_prints_predictions_and_the_model(home: Path, btc: MarketData) -> None:
    from openalpha.cli.cmd_status import ml_lines
    from openalpha.domain import Environment, Stage
    from openalpha.live.snapshot import StrategySnapshot

    strategy = MLTrend(registry_model="btc_live")
    bars = btc.bars["BTCUSDT"]
    runner = StrategyRunner("ml_btc", strategy, ["BTCUSDT"], "60", history=btc.slice(end=bars.index[-1]))
    base = {"strategy_id": "ml_btc", "name": "ml_trend", "env": Environment.PAPER, "symbols": ["BTCUSDT"],
            "stage": Stage.PAPER}  # fmt: skip
    before = StrategySnapshot(**base, **runner.ml_state())
    manifest = ModelRegistry(Paths(home).models).manifest("btc_live")
    now = manifest.created_ts + 3 * 86_400_000
    assert ml_lines(before, now)[0] == "ml: no prediction yet"
    ts = int(bars.index[-1].value // 1_000_000)
    runner.on_bar("BTCUSDT", Bar(symbol="BTCUSDT", interval="60", ts=ts, **bars.iloc[-1].to_dict()))
    snap = StrategySnapshot(**base, **runner.ml_state())
    p = snap.predictions["BTCUSDT"]
    lines = ml_lines(snap, now)
    assert lines[0] == (f"ml: BTCUSDT P(up) {p:.1%} confidence {abs(2 * p - 1):.1%} at 2024-04-30 23:00 UTC")
    assert lines[1].startswith("model: btc_live v1 (lgbm, registry, age 3.0 d, trained 2024-01-2")
    assert f"out-of-sample log loss {manifest.cv_mean:.4f}" in lines[1]
    assert ml_lines(StrategySnapshot(**base), now) == []  # not an ML strategy: nothing printed


def test_momentum_breakout_ml_reports_its_confirming_models_prediction(home: Path, btc: MarketData) -> None:
    strategy = MomentumBreakoutML(registry_model="btc_live")
    window = btc.tail(strategy.warmup() + 1)
    model = strategy.source.registry_model()
    assert model is not None
    p = predict_last(window, "BTCUSDT", model)
    assert strategy.live_predictions(window) == {"BTCUSDT": (pytest.approx(p), pytest.approx(confidence(p)))}
    assert strategy.model_card()["name"] == "btc_live"


def test_walk_forward_confirmation_remembers_the_last_bar_it_computed(btc: MarketData) -> None:
    from openalpha.ml.confirm import MLConfirm

    cfg = DirectionalConfig(features=LIVE_FEATURES[:4], horizon=12, train_bars=300, retrain_every=200,
                            min_samples=50, model=ModelSpec(n_estimators=5))  # fmt: skip
    confirm = MLConfirm(cfg, 0.55)
    data = btc.tail(900)
    assert confirm.last_at(data.index[-1]) == {}  # nothing computed yet
    prob = confirm.probability(data, "BTCUSDT")
    assert np.isfinite(prob[-1])
    assert confirm.last_at(data.index[-1]) == {"BTCUSDT": prob[-1]}
    assert confirm.last_at(data.index[-2]) == {}  # an older bar's question gets no stale answer
