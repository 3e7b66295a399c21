"""Ray Tune driver of the walk-forward sweep (one of the two research modules allowed to import Ray).

Per fold one ``Tuner``: OptunaSearch (TPE) by default, or random / grid sampling; ASHA stops
configurations that score badly on the first inner segments of the training window;
``max_concurrent_trials`` bounds parallelism; ``reuse_actors=True`` keeps trial workers alive
between trials. The market data goes into the object store **once**: the trainable is wrapped
with ``tune.with_parameters`` a single time and the same wrapped trainable serves every fold.

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
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search.basic_variant import BasicVariantGenerator
from ray.tune.search.optuna import OptunaSearch

from openalpha.research.space import Dim
from openalpha.research.splits import Fold
from openalpha.research.sweep_config import Searcher
from openalpha.research.trial import PENALTY, TrialContext, TrialRecord, score_config

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


def _trainable(config: dict[str, Any], ctx: TrialContext) -> None:
    params = {k: v for k, v in config.items() if k != FOLD_KEY}
    score_config(ctx, int(config[FOLD_KEY]), params, tune.report)


def _record(result: Any, names: list[str]) -> TrialRecord:
    params = {k: result.config[k] for k in names if k in result.config}
    metrics = result.metrics or {}
    if result.error is not None or "score" not in metrics:
        return TrialRecord(
            params=params, score=PENALTY, valid=False, complete=False, error=_one_line(result.error)
        )
    returns = metrics.get("daily_returns")
    return TrialRecord(
        params=params,
        score=float(metrics["score"]),
        valid=bool(metrics.get("valid", True)),
        complete=returns is not None or not metrics.get("valid", True),
        n_trades=int(metrics.get("n_trades", 0)),
        daily_returns=[float(x) for x in returns] if returns is not None else [],
        error=str(metrics.get("error", "")),
    )


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
        self._wrapped: Any = None
        self._ctx_id: int | None = None

    def _trainable_for(self, ctx: TrialContext) -> Any:
        if self._wrapped is None or self._ctx_id != id(ctx):
            self._wrapped = tune.with_parameters(_trainable, ctx=ctx)  # one ray.put for every fold
            self._ctx_id = id(ctx)
        return self._wrapped

    def _search_alg(self, fold: int) -> Any:
        s = self.searcher
        if s.algorithm == "optuna":
            sampler = optuna.samplers.TPESampler(seed=s.seed + fold)
            return OptunaSearch(sampler=sampler)
        return BasicVariantGenerator(random_state=s.seed + fold)

    def __call__(self, ctx: TrialContext, fold: Fold, dims: list[Dim]) -> list[TrialRecord]:
        s = self.searcher
        segments = len(ctx.segments[fold.number])
        scheduler = None
        if s.early_stopping == "asha" and segments > 1:
            scheduler = ASHAScheduler(
                time_attr="training_iteration", max_t=segments, grace_period=1, reduction_factor=2
            )
        tuner = tune.Tuner(
            self._trainable_for(ctx),
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
            ),
        )
        grid = tuner.fit()
        names = [d.name for d in dims]
        records = [_record(grid[i], names) for i in range(len(grid))]
        if records and all(r.error and not r.valid and not r.complete for r in records):
            raise RuntimeError(f"every trial of fold {fold.number + 1} failed: {records[0].error}")
        return records


__all__ = ["FOLD_KEY", "TuneSearch", "connect", "param_space"]
