"""End to end on shipped real data: a walk-forward ML sweep (research engine, Optuna in process)
over ``ml_trend``'s model hyper-parameters, then the honesty report against the baseline."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from openalpha.backtest import BacktestConfig, run_targets
from openalpha.ml.report import honesty_report
from openalpha.research.local_search import OptunaLocalSearch
from openalpha.research.sweep_config import ParamRange, Searcher, SweepConfig, WalkForward
from openalpha.research.walkforward import run_walk_forward
from openalpha.strategies import load_strategy
from tests.unit.backtest.realdata import perp_1h

FIXED = {"interval": "60", "train_bars": 500, "retrain_every": 100, "n_estimators": 15, "horizon": 12}


def test_walk_forward_ml_sweep_and_honesty_report(shared_data: Path) -> None:
    data = perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-06-01")
    config = SweepConfig(
        name="ml_test", strategy="ml_trend", symbols=["BTCUSDT"], interval="60", params=FIXED,
        search={"threshold": ParamRange(low=0.5, high=0.65), "learning_rate": ParamRange(low=0.02, high=0.2)},
        walk_forward=WalkForward(train="40D", test="20D", purge="1D", inner_folds=1),
        searcher=Searcher(algorithm="random", trials_per_fold=2, early_stopping="none"),
    )  # fmt: skip
    lines: list[str] = []
    result = run_walk_forward(config, data, OptunaLocalSearch(config.searcher), lines.append, max_folds=1)
    fold = result.folds[0]
    assert len(fold.trials) == 2
    assert {"threshold", "learning_rate"} <= set(fold.best.params)
    assert np.isfinite(fold.oos.metrics["sharpe"]) and len(fold.oos.equity) > 0
    assert any("out-of-sample return" in line for line in lines)

    # the fold's winner, out of sample, against the same strategy without the model and buy-and-hold
    best = load_strategy("ml_trend", {**FIXED, **fold.best.params})
    baseline = load_strategy("ml_trend", {**FIXED, **fold.best.params, "model": "none"})
    report = honesty_report(
        best, baseline, data, functools.partial(run_targets, config=BacktestConfig()),
        oos_start=fold.times["test_start"], name="ml_trend",
    )  # fmt: skip
    assert report.bars > 24 * 20
    assert report.beats_baseline == (report.model_metrics["sharpe"] > report.baseline_metrics["sharpe"])
    if not report.beats_baseline:
        assert "does NOT beat its baseline" in report.verdict
    assert "buy&hold" in report.text()
