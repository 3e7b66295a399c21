"""The walk-forward loop with the in-process Optuna search on real Bybit data, and the analysis."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pytest

from openalpha.domain.market_data import MarketData
from openalpha.research.analysis import stitch_equity, summarise
from openalpha.research.evaluate import evaluate_window
from openalpha.research.local_search import OptunaLocalSearch
from openalpha.research.runs import RunNotFound, list_runs, load_run, write_sweep_run
from openalpha.research.splits import Span
from openalpha.research.sweep_config import (
    Objective,
    WalkForward,
)
from openalpha.research.trial import PENALTY, TrialContext, score_config
from openalpha.research.walkforward import run_walk_forward
from openalpha.strategies import load_strategy
from tests.unit.research.small_sweep import small_config


def test_window_starts_flat_and_scores_only_inside(btc_15m: MarketData) -> None:
    strategy = load_strategy("sma_cross", {"fast": 10, "slow": 50})
    window = Span(2000, 3000)
    result = evaluate_window(strategy, btc_15m, window, small_config().backtest)
    assert result.equity.index[0] == btc_15m.index[2000]
    assert len(result.equity) == 1000
    assert result.equity.iloc[0] == pytest.approx(10_000.0)  # no position before the window's first close
    assert result.metrics["bars"] == 1000
    assert result.daily_returns.index[0].normalize() == btc_15m.index[2000].normalize()


def test_invalid_params_score_the_penalty(btc_15m: MarketData) -> None:
    ctx = TrialContext(
        strategy="sma_cross",
        fixed={},
        objective=Objective(),
        backtest=small_config().backtest,
        data=btc_15m,
        segments={0: [Span(500, 800)]},
    )
    reports: list[dict] = []
    record = score_config(ctx, 0, {"fast": 90, "slow": 80}, reports.append)
    assert not record.valid and record.score == PENALTY and "fast" in record.error
    assert reports and reports[-1]["score"] == PENALTY


def test_walk_forward_with_local_optuna(btc_15m: MarketData, tmp_path: Path) -> None:
    cfg = small_config()
    lines: list[str] = []
    wf = run_walk_forward(cfg, btc_15m, OptunaLocalSearch(cfg.searcher), lines.append)
    # 75 days, train 20 + test 10, step 10 -> boundaries at 20, 30, ..., 60 days (+10 <= ~75)
    assert len(wf.folds) == 5
    for fold in wf.folds:
        assert len(fold.trials) == 5
        assert fold.best.params in [t.params for t in fold.trials]
        assert fold.oos.equity.index[0] == btc_15m.index[fold.fold.test.start]
    assert any("out-of-sample return" in line for line in lines)
    summary = summarise(wf)
    equity = summary.oos_equity
    assert equity is not None and equity.index.is_monotonic_increasing
    # stitched return = product of fold returns
    product = np.prod([1 + f.oos.metrics["total_return"] for f in wf.folds]) - 1
    assert summary.oos_metrics["total_return"] == pytest.approx(product, rel=1e-9)
    assert summary.n_trials == 25
    assert {m.method for m in summary.montecarlo} <= {"block_bootstrap", "trade_shuffle"}
    assert len(summary.verdict.checks) == 8

    run_dir = write_sweep_run(tmp_path, wf, summary, symbols=["BTCUSDT"])
    doc = json.loads((run_dir / "run.json").read_text())
    assert doc["kind"] == "sweep" and len(doc["summary"]["folds"]) == 5
    assert len(pd.read_parquet(run_dir / "trials.parquet")) == 25
    assert len(pd.read_parquet(run_dir / "oos_equity.parquet")) == len(equity)
    html = (run_dir / "report.html").read_text()
    assert "<svg" in html and "http://" not in html and "https://" not in html and "<script" not in html
    assert [r["id"] for r in list_runs(tmp_path)] == [run_dir.name]
    assert load_run(tmp_path, run_dir.name)["summary"]["verdict"] == doc["summary"]["verdict"]
    with pytest.raises(RunNotFound):
        load_run(tmp_path, "nope")
    with pytest.raises(RunNotFound, match="bad run id"):
        load_run(tmp_path, "../etc")


def test_grid_search_covers_the_grid(btc_15m: MarketData) -> None:
    cfg = small_config("grid")
    wf = run_walk_forward(cfg, btc_15m, OptunaLocalSearch(cfg.searcher), lambda _: None, max_folds=1)
    seen = sorted((t.params["fast"], t.params["slow"]) for t in wf.folds[0].trials)
    assert seen == [(5, 80), (5, 300), (60, 80), (60, 300)]


def test_stitching_chains_fold_equity() -> None:
    class _Oos:
        def __init__(self, values: list[float], start: str) -> None:
            self.equity = pd.Series(
                values, index=pd.date_range(start, periods=len(values), freq="D", tz="UTC")
            )

    class _Fold:
        def __init__(self, oos: _Oos) -> None:
            self.oos = oos

    folds = [_Fold(_Oos([100.0, 110.0], "2025-01-01")), _Fold(_Oos([100.0, 90.0], "2025-01-03"))]
    out = stitch_equity(folds, 100.0)  # type: ignore[arg-type]
    assert out.tolist() == pytest.approx([100.0, 110.0, 110.0, 99.0])


def test_no_fold_fits_is_a_one_line_error(btc_15m: MarketData) -> None:
    cfg = msgspec.structs.replace(small_config(), walk_forward=WalkForward(train="300D", test="30D"))
    with pytest.raises(ValueError, match="no complete fold fits"):
        run_walk_forward(cfg, btc_15m, OptunaLocalSearch(cfg.searcher), lambda _: None)


def test_batched_local_search_spends_the_budget_in_batches(btc_15m: MarketData) -> None:
    cfg = small_config()
    cfg = msgspec.structs.replace(cfg, searcher=msgspec.structs.replace(cfg.searcher, trials_per_fold=13))
    search = OptunaLocalSearch(cfg.searcher, batch=4)
    wf = run_walk_forward(cfg, btc_15m, search, lambda _: None, max_folds=1)
    trials = wf.folds[0].trials
    assert len(trials) == 13  # 4 + 4 + 4 + 1: every asked set is a trial
    assert all(5 <= t.params["fast"] <= 60 and 80 <= t.params["slow"] <= 300 for t in trials)
    assert len({(t.params["fast"], t.params["slow"]) for t in trials}) > 1
