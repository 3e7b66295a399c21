"""The research tests' small sweep: SMA crossover on BTCUSDT, 20-day train / 10-day test folds,
at least 2 trades per window; searcher and inner folds as a test needs them."""

from __future__ import annotations

from typing import Any

from openalpha.research.sweep_config import Objective, ParamRange, Searcher, SweepConfig, WalkForward


def small_config(algorithm: str = "optuna", inner_folds: int = 2, **searcher: Any) -> SweepConfig:
    searcher = {"trials_per_fold": 5, "grid_points": 2, **searcher}
    return SweepConfig(
        name="t",
        strategy="sma_cross",
        symbols=["BTCUSDT"],
        search={"fast": ParamRange(low=5, high=60), "slow": ParamRange(low=80, high=300)},
        objective=Objective(min_trades=2),
        walk_forward=WalkForward(train="20D", test="10D", inner_folds=inner_folds),
        searcher=Searcher(algorithm=algorithm, **searcher),
    )
