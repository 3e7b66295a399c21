"""``run_sweep``: a sweep config in, a saved run out (the body of ``openalpha sweep``).

Order of work, so that bad input fails before anything expensive starts and nothing partial
is written: config and search space → market data → folds → Ray → walk-forward on Tune (or,
with ``local``, Optuna alone in this process) → statistics → run directory (atomic).
Recording in the ledger is the CLI's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec

from openalpha.data.load import load_market_data
from openalpha.data.store import ParquetStore
from openalpha.domain.market_data import MarketData
from openalpha.research.analysis import SweepSummary, summarise
from openalpha.research.runs import new_run_id, write_sweep_run
from openalpha.research.sweep_config import SweepConfig
from openalpha.research.walkforward import (
    Progress,
    WalkForwardResult,
    per_fold_budget,
    plan_folds,
    run_walk_forward,
    search_space,
)


@dataclass
class SweepOutcome:
    run_dir: Path
    result: WalkForwardResult
    summary: SweepSummary


def with_overrides(config: SweepConfig, max_trials: int | None, time_budget_min: float | None) -> SweepConfig:
    searcher = config.searcher
    if max_trials is not None:
        if max_trials <= 0:
            raise ValueError("--max-trials must be a positive number of trials per fold")
        searcher = msgspec.structs.replace(searcher, trials_per_fold=max_trials)
    if time_budget_min is not None:
        if time_budget_min <= 0:
            raise ValueError("--time-budget must be a positive number of minutes")
        searcher = msgspec.structs.replace(searcher, time_budget_min=time_budget_min)
    return msgspec.structs.replace(config, searcher=searcher)


def load_data(config: SweepConfig, store: ParquetStore | None = None) -> MarketData:
    return load_market_data(list(config.symbols), config.interval, config.start, config.end, store=store)


def run_sweep(
    config: SweepConfig,
    runs_dir: Path,
    *,
    data: MarketData | None = None,
    store: ParquetStore | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    max_folds: int | None = None,
    progress: Progress = print,
    verbose: int = 1,
    local: bool = False,
) -> SweepOutcome:
    """Validate, run the walk-forward on Ray Tune (``local``: with Optuna alone in this process,
    no Ray), analyse and save; ValueError on bad input."""
    search_space(config)  # unknown parameters / impossible ranges fail here, before any work
    data = data if data is not None else load_data(config, store)
    folds = plan_folds(config, data)
    n_folds = min(len(folds), max_folds) if max_folds else len(folds)
    config = per_fold_budget(config, n_folds)
    run_id = new_run_id(runs_dir, config.name)
    storage = config.storage_path or str(runs_dir / ".tune")
    progress(
        f"sweep {config.name}: {config.strategy} on {', '.join(config.symbols)} ({data.interval}), "
        f"{len(data.index)} bars {data.index[0]:%Y-%m-%d}..{data.index[-1]:%Y-%m-%d}, {n_folds} folds x "
        f"{config.searcher.trials_per_fold} trials ({config.searcher.algorithm})"
        + (", Optuna alone in this process" if local else "")
    )
    if local:
        from openalpha.research.local_search import OptunaLocalSearch

        result = run_walk_forward(
            config, data, OptunaLocalSearch(config.searcher), progress, max_folds=max_folds
        )
    else:
        result = _on_tune(config, data, storage, run_id, address, num_cpus, max_folds, progress, verbose)
    summary = summarise(result)
    run_dir = write_sweep_run(runs_dir, result, summary, symbols=list(config.symbols), run_id=run_id)
    return SweepOutcome(run_dir=run_dir, result=result, summary=summary)


def _on_tune(
    config: SweepConfig,
    data: MarketData,
    storage: str,
    run_id: str,
    address: str | None,
    num_cpus: int | None,
    max_folds: int | None,
    progress: Progress,
    verbose: int,
) -> WalkForwardResult:
    from openalpha.research.tune_driver import TuneSearch, connect

    started = connect(address, num_cpus)
    try:
        search = TuneSearch(config.searcher, storage, run_id, verbose=verbose)
        return run_walk_forward(config, data, search, progress, max_folds=max_folds)
    finally:
        if started:
            import ray

            ray.shutdown()


__all__ = ["SweepOutcome", "load_data", "run_sweep", "with_overrides"]
