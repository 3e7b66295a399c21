"""Ray Tune driver of the walk-forward sweep (one of the two research modules allowed to import Ray).

With OptunaSearch (TPE, the default, or Optuna's random sampler) one ``Tuner`` runs the trials
of every fold, each fold searched by its own OptunaSearch and early-stopped by its own ASHA
(:mod:`.tune_folds`), so trial actors start once per sweep and folds share the CPUs; grid
search runs one ``Tuner`` per fold. A Tune trial scores a **batch** of parameter sets
(``searcher.batch``, see :meth:`Searcher.batch_size`) on the same fold's training window:
Tune's fixed cost per trial is paid once per batch, while every set is still a trial of the
fold's Optuna study and of the statistics (DSR's trial count, PBO's returns matrix). ASHA
stops a whole batch when even its best set, on the first inner segments of the training
window, ranks in the bottom of that fold's batches (without early stopping a trial reports
once, at the end); ``max_concurrent_trials`` bounds parallelism; ``reuse_actors=True`` keeps
trial workers alive between trials. The market data goes into the object store **once**: the
trainable is wrapped with ``tune.with_parameters`` a single time and the same wrapped
trainable serves every fold.

Runs unchanged locally (``ray.init(num_cpus=...)``), against a running cluster
(``--address`` or ``RAY_ADDRESS``), and inside ``ray job submit`` (the job supervisor sets
``RAY_ADDRESS``; ``num_cpus`` must not be passed then).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import optuna
import ray
from ray import tune
from ray.tune.schedulers import ASHAScheduler, FIFOScheduler
from ray.tune.search.basic_variant import BasicVariantGenerator
from ray.tune.search.optuna import OptunaSearch

from openalpha.research.batch_tpe import BatchTPESampler
from openalpha.research.space import Dim
from openalpha.research.splits import Fold
from openalpha.research.sweep_config import Searcher
from openalpha.research.trial import PENALTY, TrialContext, TrialRecord, score_batch, unpack_records, warm_up
from openalpha.research.tune_folds import BATCH_KEY, FoldScheduler, FoldSearcher
from openalpha.research.tune_loggers import result_loggers

FOLD_KEY = "_fold"


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Start or join Ray; True if this call started a local runtime (the caller shuts it down)."""
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
        return False
    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    return True


def _domain(dim: Dim) -> Any:
    if dim.kind == "choice":
        return tune.choice(list(dim.values or []))
    low, high = dim.low, dim.high
    assert low is not None and high is not None
    if dim.kind == "int":
        if dim.log:
            return tune.lograndint(int(low), int(high) + 1)
        step = int(dim.step or 1)
        return tune.qrandint(int(low), int(high), step) if step > 1 else tune.randint(int(low), int(high) + 1)
    if dim.log:
        return tune.loguniform(low, high)
    return tune.quniform(low, high, dim.step) if dim.step else tune.uniform(low, high)


def param_space(dims: list[Dim], searcher: Searcher, fold: int) -> dict[str, Any]:
    """Tune's param space for one fold (the fold number rides along as a constant)."""
    if searcher.algorithm == "grid":
        space: dict[str, Any] = {d.name: tune.grid_search(d.grid(searcher.grid_points)) for d in dims}
    else:
        space = {d.name: _domain(d) for d in dims}
    space[FOLD_KEY] = fold
    return space


def _trainable(config: dict[str, Any], ctx: TrialContext, final_only: bool = False) -> None:
    """Score the trial's batch of parameter sets (or its one set: grid search); with
    ``final_only`` (no early stopping) report only the last row: each report costs a round of
    Tune's bookkeeping, and nothing reads the others."""
    batch = config.get(BATCH_KEY) or [{k: v for k, v in config.items() if k != FOLD_KEY}]
    if not final_only:
        score_batch(ctx, int(config[FOLD_KEY]), batch, tune.report)
        return
    rows: list[dict[str, Any]] = []
    score_batch(ctx, int(config[FOLD_KEY]), batch, rows.append)
    tune.report(rows[-1])


def _records(result: Any, names: list[str]) -> list[TrialRecord]:
    """One record per parameter set of a Tune trial (a batch stopped early: incomplete ones)."""
    config = result.config or {}
    batch = config.get(BATCH_KEY) or [config]
    params = [{k: p[k] for k in names if k in p} for p in batch]
    metrics = result.metrics or {}
    if result.error is not None or "scores" not in metrics:
        error = _one_line(result.error)
        return [
            TrialRecord(params=p, score=PENALTY, valid=False, complete=False, error=error) for p in params
        ]
    if "records" in metrics:
        return unpack_records(metrics["records"])
    trades = metrics.get("trades") or [0] * len(params)
    return [
        TrialRecord(params=p, score=float(v), valid=True, complete=False, n_trades=int(n))
        for p, v, n in zip(params, metrics["scores"], trades, strict=True)
    ]


def _one_line(err: Any) -> str:
    if err is None:
        return "trial reported nothing"
    lines = [x for x in str(err).strip().splitlines() if x.strip()]
    return lines[-1] if lines else type(err).__name__


class TuneSearch:
    """``search(ctx, fold, dims)`` on Ray Tune; results under ``storage_path/<name>_fold_<k>``."""

    def __init__(self, searcher: Searcher, storage_path: str, name: str, verbose: int = 1) -> None:
        self.searcher = searcher
        self.storage_path = storage_path if "://" in storage_path else str(Path(storage_path).resolve())
        self.name = name
        self.verbose = verbose
        self._wrapped: dict[bool, Any] = {}
        self._ctx_id: int | None = None
        self.batch = 1  # parameter sets per Tune trial of the last search

    def _trainable_for(self, ctx: TrialContext, final_only: bool = False) -> Any:
        if self._ctx_id != id(ctx):
            warm_up(ctx)  # the numba cache is on disk before any worker needs it
            self._wrapped = {}
            self._ctx_id = id(ctx)
        if final_only not in self._wrapped:  # one ray.put for every fold
            self._wrapped[final_only] = tune.with_parameters(_trainable, ctx=ctx, final_only=final_only)
        return self._wrapped[final_only]

    def _search_alg(self, fold: int, batch: int = 1) -> Any:
        s = self.searcher
        if s.algorithm == "grid":
            return BasicVariantGenerator(random_state=s.seed + fold)
        sampler: optuna.samplers.BaseSampler
        if s.algorithm == "random":
            sampler = optuna.samplers.RandomSampler(seed=s.seed + fold)
        elif batch > 1:  # a batch's sets: independent draws from one TPE fit (batch_tpe.py)
            sampler = BatchTPESampler(batch=batch, seed=s.seed + fold, constant_liar=False)
        else:
            sampler = optuna.samplers.TPESampler(seed=s.seed + fold)
        return OptunaSearch(sampler=sampler)

    def __call__(self, ctx: TrialContext, fold: Fold, dims: list[Dim]) -> list[TrialRecord]:
        s = self.searcher
        segments = len(ctx.segments[fold.number])
        scheduler = None
        if s.early_stopping == "asha" and segments > 1:
            scheduler = ASHAScheduler(
                time_attr="training_iteration", max_t=segments, grace_period=1, reduction_factor=2
            )
        tuner = tune.Tuner(
            self._trainable_for(ctx, final_only=scheduler is None),
            param_space=param_space(dims, s, fold.number),
            tune_config=tune.TuneConfig(
                metric="score",
                mode="max",
                search_alg=self._search_alg(fold.number),
                scheduler=scheduler,
                num_samples=1 if s.algorithm == "grid" else s.trials_per_fold,
                max_concurrent_trials=s.max_concurrent,
                time_budget_s=s.time_budget_min * 60 if s.time_budget_min else None,
                reuse_actors=True,
            ),
            run_config=tune.RunConfig(
                name=f"{self.name}_fold_{fold.number}",
                storage_path=self.storage_path,
                verbose=self.verbose,
                callbacks=result_loggers(),
            ),
        )
        grid = tuner.fit()
        names = [d.name for d in dims]
        records = [r for i in range(len(grid)) for r in _records(grid[i], names)]
        _check_failed(fold.number, records)
        return records

    def search_folds(
        self, ctx: TrialContext, folds: list[Fold], dims: list[Dim]
    ) -> dict[int, list[TrialRecord]]:
        """Every fold in one ``Tuner`` (OptunaSearch, TPE or random, :attr:`batch` parameter sets
        per Tune trial); grid search: one ``Tuner`` per fold, one set per trial."""
        s = self.searcher
        if s.algorithm == "grid" or not folds:
            return {fold.number: self(ctx, fold, dims) for fold in folds}
        space = {d.name: _domain(d) for d in dims}
        self.batch = s.batch_size(_bars_per_set(ctx, folds))
        searchers = {}
        for fold in folds:
            alg = self._search_alg(fold.number, self.batch)
            alg.set_search_properties("score", "max", space)
            searchers[fold.number] = alg
        budget = {f.number: s.trials_per_fold for f in folds}
        search_alg = FoldSearcher(searchers, budget, FOLD_KEY, "score", batch=self.batch)
        scheduler = None
        if s.early_stopping == "asha" and any(len(ctx.segments[f.number]) > 1 for f in folds):
            scheduler = FoldScheduler({f.number: self._scheduler(ctx, f) for f in folds}, FOLD_KEY)
        seconds = s.time_budget_min * 60 * len(folds) if s.time_budget_min else None  # per fold x folds
        tuner = tune.Tuner(
            self._trainable_for(ctx, final_only=scheduler is None),
            param_space={},
            tune_config=tune.TuneConfig(
                metric="score",
                mode="max",
                search_alg=search_alg,
                scheduler=scheduler,
                num_samples=-(-s.trials_per_fold // self.batch) * len(folds),
                max_concurrent_trials=s.max_concurrent,
                time_budget_s=seconds,
                reuse_actors=True,
            ),
            run_config=tune.RunConfig(
                name=f"{self.name}_folds",
                storage_path=self.storage_path,
                verbose=self.verbose,
                callbacks=result_loggers(),
            ),
        )
        grid = tuner.fit()
        names = [d.name for d in dims]
        out: dict[int, list[TrialRecord]] = {f.number: [] for f in folds}
        for i in range(len(grid)):
            result = grid[i]
            fold_no = (result.config or {}).get(FOLD_KEY)
            if fold_no is not None and int(fold_no) in out:
                out[int(fold_no)].extend(_records(result, names))
        for number, records in out.items():
            _check_failed(number, records)
        return out

    def _scheduler(self, ctx: TrialContext, fold: Fold) -> Any:
        segments = len(ctx.segments[fold.number])
        if segments <= 1:
            return FIFOScheduler()
        return ASHAScheduler(
            time_attr="training_iteration", max_t=segments, grace_period=1, reduction_factor=2
        )


def _bars_per_set(ctx: TrialContext, folds: list[Fold]) -> int:
    """Bars one parameter set backtests on a fold's training window (mean over the folds)."""
    sizes = [sum(len(span) for span in ctx.segments[f.number]) for f in folds]
    return max(1, sum(sizes) // len(sizes)) * max(1, len(ctx.data.symbols))


def _check_failed(fold: int, records: list[TrialRecord]) -> None:
    if records and all(r.error and not r.valid and not r.complete for r in records):
        raise RuntimeError(f"every trial of fold {fold + 1} failed: {records[0].error}")


__all__ = ["FOLD_KEY", "TuneSearch", "connect", "param_space"]
