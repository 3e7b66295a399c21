"""The walk-forward loop: search each fold's training window, then trade its best parameters once
on the unseen test window.

The search itself is injected (``SearchFn``): the Ray Tune driver on a cluster, or Optuna in
this process. A search that also has ``search_folds(ctx, folds, dims)`` searches every fold in
one go (each fold still on its own; the Tune driver runs them in one ``Tuner``). Everything
else — folds, scoring, out-of-sample evaluation — is pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pandas as pd

from openalpha.domain.intervals import interval_minutes
from openalpha.domain.market_data import MarketData
from openalpha.research.evaluate import WindowResult, evaluate_window
from openalpha.research.space import Dim, resolve_space
from openalpha.research.splits import Fold, bars_for, fold_times, inner_segments, walk_forward
from openalpha.research.sweep_config import SweepConfig
from openalpha.research.trial import TrialContext, TrialRecord
from openalpha.strategies import get_strategy_class, load_strategy

SearchFn = Callable[[TrialContext, Fold, list[Dim]], list[TrialRecord]]
Progress = Callable[[str], None]


@dataclass
class FoldResult:
    fold: Fold
    times: dict[str, pd.Timestamp]
    trials: list[TrialRecord]
    best: TrialRecord
    oos: WindowResult


@dataclass
class WalkForwardResult:
    config: SweepConfig
    dims: list[Dim]
    folds: list[FoldResult]
    interval: str
    seconds: float = 0.0


def plan_folds(config: SweepConfig, data: MarketData) -> list[Fold]:
    """The folds of ``config.walk_forward`` over ``data`` (ValueError, one line, if none fit)."""
    wf = config.walk_forward
    bar = pd.Timedelta(minutes=interval_minutes(data.interval))
    folds = walk_forward(
        len(data.index),
        train=bars_for(wf.train, bar),
        test=bars_for(wf.test, bar),
        step=bars_for(wf.step, bar) if wf.step else None,
        scheme=wf.scheme,
        purge=bars_for(wf.purge, bar) if pd.Timedelta(wf.purge) > pd.Timedelta(0) else 0,
        embargo=bars_for(wf.embargo, bar) if pd.Timedelta(wf.embargo) > pd.Timedelta(0) else 0,
    )
    if not folds:
        first, last = data.index[0], data.index[-1]
        raise ValueError(
            f"no complete fold fits {first:%Y-%m-%d}..{last:%Y-%m-%d}: train {wf.train} + test {wf.test} "
            f"(+ embargo {wf.embargo}) is longer than the data"
        )
    return folds


def make_context(config: SweepConfig, data: MarketData, folds: list[Fold]) -> TrialContext:
    k = config.walk_forward.inner_folds
    return TrialContext(
        strategy=config.strategy,
        fixed=dict(config.params),
        objective=config.objective,
        backtest=config.backtest,
        data=data,
        segments={f.number: inner_segments(f.train, k) for f in folds},
    )


def search_space(config: SweepConfig) -> list[Dim]:
    cls = get_strategy_class(config.strategy)
    return resolve_space(config.search, config.params, cls.Params, cls.label())


def pick_best(trials: list[TrialRecord]) -> TrialRecord:
    """The highest-scoring valid trial that ran to the end (else any valid, else any)."""
    for pool in (
        [t for t in trials if t.valid and t.complete],
        [t for t in trials if t.valid],
        trials,
    ):
        if pool:
            return max(pool, key=lambda t: t.score)
    raise ValueError("the search returned no trials")


def run_walk_forward(
    config: SweepConfig,
    data: MarketData,
    search: SearchFn,
    progress: Progress = print,
    *,
    max_folds: int | None = None,
) -> WalkForwardResult:
    """Search every fold with ``search`` and evaluate each fold's best parameters out of sample."""
    started = pd.Timestamp.now("UTC")
    dims = search_space(config)
    folds = plan_folds(config, data)
    if max_folds is not None:
        folds = folds[:max_folds]
    ctx = make_context(config, data, folds)
    results: list[FoldResult] = []
    all_folds = getattr(search, "search_folds", None)  # a search that runs every fold at once
    searched: dict[int, list[TrialRecord]] | None = None
    if all_folds is not None:
        progress(f"searching {len(folds)} folds at once ({config.searcher.trials_per_fold} trials each)")
        searched = all_folds(ctx, folds, dims)
    for fold in folds:
        times = fold_times(data.index, fold)
        progress(
            f"fold {fold.number + 1}/{len(folds)}: train {times['train_start']:%Y-%m-%d}..{times['train_end']:%Y-%m-%d}"
            f", test {times['test_start']:%Y-%m-%d}..{times['test_end']:%Y-%m-%d}"
        )
        trials = searched[fold.number] if searched is not None else search(ctx, fold, dims)
        best = pick_best(trials)
        strategy = load_strategy(config.strategy, {**config.params, **best.params})
        oos = evaluate_window(strategy, data, fold.test, config.backtest)
        m = oos.metrics
        progress(
            f"fold {fold.number + 1}/{len(folds)}: {len(trials)} trials, best {_fmt(best.params)} "
            f"score {best.score:.3f} | out-of-sample return {m['total_return']:+.2%}, "
            f"Sharpe {m['sharpe']:.2f}, trades {m['n_trades']}"
        )
        results.append(FoldResult(fold=fold, times=times, trials=trials, best=best, oos=oos))
    seconds = (pd.Timestamp.now("UTC") - started).total_seconds()
    return WalkForwardResult(config=config, dims=dims, folds=results, interval=data.interval, seconds=seconds)


def _fmt(params: dict[str, Any]) -> str:
    return (
        "{"
        + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
        + "}"
    )


def per_fold_budget(config: SweepConfig, n_folds: int) -> SweepConfig:
    """``config`` with the sweep's time budget split evenly over the folds."""
    minutes = config.searcher.time_budget_min
    if minutes is None:
        return config
    searcher = msgspec.structs.replace(config.searcher, time_budget_min=minutes / n_folds)
    return msgspec.structs.replace(config, searcher=searcher)


__all__ = [
    "FoldResult",
    "Progress",
    "SearchFn",
    "WalkForwardResult",
    "make_context",
    "pick_best",
    "plan_folds",
    "run_walk_forward",
    "search_space",
]
