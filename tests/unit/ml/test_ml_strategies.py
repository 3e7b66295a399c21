"""ml_trend and momentum_breakout_ml on real data: causality (parity), baseline, registry use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openalpha.config.paths import Paths
from openalpha.domain.market_data import MarketData
from openalpha.ml.confirm import confirm_mask
from openalpha.ml.errors import MLError
from openalpha.ml.features import compute_features, feature_input
from openalpha.ml.models import ModelSpec, TabularModel
from openalpha.ml.predictor import DirectionalConfig, up_labels
from openalpha.ml.registry import ModelRegistry
from openalpha.strategies import check_parity, get_strategy_class, param_specs
from openalpha.strategies.errors import StrategyError
from openalpha.strategies.ml_trend import MLTrend, MomentumBreakoutML
from tests.unit.backtest.realdata import perp_1h

SMALL = {"train_bars": 400, "retrain_every": 100, "n_estimators": 15, "horizon": 12, "min_child_samples": 20}


@pytest.fixture(scope="module")
def btc(shared_data: Path) -> MarketData:
    return perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-04-15")


@pytest.fixture(scope="module")
def ml_targets(btc: MarketData):  # type: ignore[no-untyped-def]
    strategy = MLTrend(**SMALL)
    return strategy, strategy.targets(btc)


def test_ml_strategies_are_registered_with_sweepable_bounds() -> None:
    assert get_strategy_class("ml_trend") is MLTrend
    assert get_strategy_class("momentum_breakout_ml") is MomentumBreakoutML
    specs = {s.name: s for s in param_specs(MLTrend.Params)}
    assert (specs["n_estimators"].low, specs["n_estimators"].high) == (5, 2000)
    assert specs["threshold"].low == 0.5 and specs["threshold"].high_open
    names = {s.name for s in param_specs(MomentumBreakoutML.Params)}
    assert {"channel", "threshold", "learning_rate", "train_bars"} <= names


def test_ml_trend_trades_its_probability(ml_targets, btc: MarketData) -> None:  # type: ignore[no-untyped-def]
    strategy, targets = ml_targets
    t = targets["BTCUSDT"].to_numpy()
    assert set(np.unique(t)) == {-1.0, 0.0, 1.0}
    probs = strategy.probabilities(btc)["BTCUSDT"].to_numpy()
    first = np.flatnonzero(np.isfinite(probs))[0]
    assert np.all(t[:first] == 0)  # no model, no position
    np.testing.assert_array_equal(t[probs >= 0.55], 1.0)
    np.testing.assert_array_equal(t[probs <= 0.45], -1.0)
    assert np.all(t[(probs > 0.45) & (probs < 0.55)] == 0)


def test_ml_trend_is_causal_truncation(ml_targets, btc: MarketData) -> None:  # type: ignore[no-untyped-def]
    strategy, full = ml_targets
    cut = len(btc.index) - 150
    head = btc.slice(end=btc.index[cut])
    np.testing.assert_array_equal(
        strategy.targets(head)["BTCUSDT"].to_numpy(), full["BTCUSDT"].to_numpy()[:cut]
    )


def test_ml_trend_parity_on_trailing_windows(btc: MarketData) -> None:
    strategy = MLTrend(**SMALL)
    n = len(btc.index)
    report = check_parity(strategy, btc, bars=[n - 1, n - 37, n - 230, n - 411])
    assert report.ok, report.examples


def test_ml_trend_baseline_is_time_series_momentum(btc: MarketData) -> None:
    targets = MLTrend(model="none", horizon=24).targets(btc)["BTCUSDT"].to_numpy()
    close = btc.bars["BTCUSDT"]["close"].to_numpy()
    past = close[24:] / close[:-24] - 1
    np.testing.assert_array_equal(targets[24:], np.sign(past))
    assert np.all(targets[:24] == 0)


def test_interval_mismatch_is_a_one_line_error(btc: MarketData) -> None:
    with pytest.raises(StrategyError, match="configured for interval '5' but the data is '60'"):
        MLTrend(interval="5", **SMALL).targets(btc)


def test_ml_trend_uses_a_registry_model_live(oa_home: Path, btc: MarketData) -> None:
    names = ["log_ret_1", "log_ret_24", "rv_48", "zscore_20", "basis_mark", "funding_rate"]
    inp = feature_input(btc, "BTCUSDT")
    X = compute_features(inp, names)
    y, _ = up_labels(btc.bars["BTCUSDT"], DirectionalConfig(horizon=12))
    ok = X.notna().all(axis=1).to_numpy() & np.isfinite(y)
    model = TabularModel(ModelSpec(n_estimators=10)).fit(X[ok], y[ok])
    ModelRegistry(Paths.from_env().models).save(
        model, "btc_live", train_start_ms=0, train_end_ms=1, n_samples=int(ok.sum())
    )
    strategy = MLTrend(registry_model="btc_live", threshold=0.5)
    assert strategy.warmup() == 49  # the longest of its features: rv_48 (48 returns = 49 bars)
    targets = strategy.targets(btc.tail(strategy.warmup() + 1))
    assert targets["BTCUSDT"].iloc[-1] in (-1.0, 1.0)
    # live data without mark prices cannot feed a model trained with basis_mark
    no_mark = MarketData(interval="60", bars=btc.bars, funding=btc.funding)
    with pytest.raises(MLError, match="needs mark data"):
        strategy.targets(no_mark)


def test_confirm_mask_keeps_only_agreeing_triggers() -> None:
    trig = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 1.0])
    prob = np.array([0.7, 0.5, 0.2, 0.6, 0.9, np.nan])
    assert confirm_mask(trig, prob, 0.6).tolist() == [True, False, True, False, True, False]


def test_momentum_breakout_ml_filters_breakouts(btc: MarketData) -> None:
    base = MomentumBreakoutML(model="none", channel=24, exit_channel=12)
    ml = MomentumBreakoutML(channel=24, exit_channel=12, threshold=0.6, **SMALL)
    assert base.confirm is None and ml.confirm is not None
    trig, _, _ = ml.triggers(btc.bars["BTCUSDT"])
    keep = ml.confirm(btc, "BTCUSDT", trig)
    assert 0 < keep[trig != 0].sum() < (trig != 0).sum()  # some breakouts confirmed, some not
    t_base = base.targets(btc)["BTCUSDT"].to_numpy()
    t_ml = ml.targets(btc)["BTCUSDT"].to_numpy()
    starts = np.flatnonzero((t_ml != 0) & (np.roll(t_ml, 1) != t_ml))
    assert len(starts) > 0 and np.all(keep[starts] & (trig[starts] != 0))
    assert np.count_nonzero(t_ml) < np.count_nonzero(t_base)
    n = len(btc.index)
    assert check_parity(ml, btc, bars=[n - 1, n - 200]).ok
