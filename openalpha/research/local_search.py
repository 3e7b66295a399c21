"""The same walk-forward search with Optuna alone, in this process (no Ray).

Used by the benchmark as the single-process reference and by unit tests of the fold loop.
TPE (or random) sampling with a successive-halving pruner over the inner segments, mirroring
the Tune driver's OptunaSearch + ASHA. With ``batch`` > 1 (TPE, no early stopping) it asks
``batch`` sets of one :class:`BatchTPESampler` fit, scores them, then tells their scores, as the
Tune driver does with a batched Tune trial: the reference for Tune's own cost at equal sampling.
"""

from __future__ import annotations

from typing import Any

import optuna

from openalpha.research.batch_tpe import BatchTPESampler
from openalpha.research.space import Dim
from openalpha.research.splits import Fold
from openalpha.research.sweep_config import Searcher
from openalpha.research.trial import TrialContext, TrialRecord, score_config


def _suggest(trial: optuna.Trial, dim: Dim) -> Any:
    if dim.kind == "choice":
        return trial.suggest_categorical(dim.name, dim.values or [])
    assert dim.low is not None and dim.high is not None
    if dim.kind == "int":
        step = 1 if dim.log else int(dim.step or 1)
        return trial.suggest_int(dim.name, int(dim.low), int(dim.high), step=step, log=dim.log)
    return trial.suggest_float(dim.name, dim.low, dim.high, step=None if dim.log else dim.step, log=dim.log)


def _grid(dims: list[Dim], points: int) -> list[tuple[Any, ...]]:
    import itertools

    return list(itertools.product(*(d.grid(points) for d in dims)))


class OptunaLocalSearch:
    """``search(ctx, fold, dims)`` → one record per trial, like the Tune driver."""

    def __init__(self, searcher: Searcher, batch: int = 1) -> None:
        self.searcher = searcher
        self.batch = batch

    def __call__(self, ctx: TrialContext, fold: Fold, dims: list[Dim]) -> list[TrialRecord]:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        s = self.searcher
        seed = s.seed + fold.number  # a fresh start per fold, reproducible
        if s.algorithm == "grid":
            space = {d.name: d.grid(s.grid_points) for d in dims}
            sampler: optuna.samplers.BaseSampler = optuna.samplers.GridSampler(space, seed=seed)
        elif s.algorithm == "random":
            sampler = optuna.samplers.RandomSampler(seed=seed)
        elif self.batch > 1 and s.early_stopping != "asha":
            sampler = BatchTPESampler(batch=self.batch, seed=seed, constant_liar=False)
            return _batched(ctx, fold, dims, sampler, s.trials_per_fold)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed)
        pruner: optuna.pruners.BasePruner = (
            optuna.pruners.SuccessiveHalvingPruner()
            if s.early_stopping == "asha"
            else optuna.pruners.NopPruner()
        )
        study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
        records: list[TrialRecord] = []

        def objective(trial: optuna.Trial) -> float:
            params = {d.name: _suggest(trial, d) for d in dims}

            def report(row: dict[str, Any]) -> None:
                step = int(row.get("segment", 0))
                if "daily_returns" not in row and step > 0:
                    trial.report(float(row["score"]), step)
                    if trial.should_prune():
                        records.append(
                            TrialRecord(
                                params=params,
                                score=float(row["score"]),
                                valid=True,
                                complete=False,
                                n_trades=int(row["n_trades"]),
                            )
                        )
                        raise optuna.TrialPruned()

            record = score_config(ctx, fold.number, params, report)
            records.append(record)
            return record.score

        n_trials = len(_grid(dims, s.grid_points)) if s.algorithm == "grid" else s.trials_per_fold
        timeout = s.time_budget_min * 60 if s.time_budget_min else None
        study.optimize(objective, n_trials=n_trials, timeout=timeout)
        return records


def _batched(
    ctx: TrialContext, fold: Fold, dims: list[Dim], sampler: BatchTPESampler, budget: int
) -> list[TrialRecord]:
    """Ask ``sampler.batch`` sets, score them, tell their scores; until ``budget`` sets ran."""
    study = optuna.create_study(direction="maximize", sampler=sampler)
    records: list[TrialRecord] = []
    left = budget
    while left > 0:
        trials = [study.ask() for _ in range(min(sampler.batch, left))]
        # every set is drawn before any score is told (Optuna samples lazily, at the suggest)
        batch = [{d.name: _suggest(trial, d) for d in dims} for trial in trials]
        for trial, params in zip(trials, batch, strict=True):
            record = score_config(ctx, fold.number, params, lambda _: None)
            records.append(record)
            study.tell(trial, record.score)
        left -= len(trials)
    return records


__all__ = ["OptunaLocalSearch"]
