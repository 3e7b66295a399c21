"""Sweep throughput: the same walk-forward search on Ray Tune with 1 and 2 CPUs, and with Optuna
alone in one process. Prints one JSON line per measurement.

    python benchmarks/bench_sweep.py [--trials 20] [--trials-large 400] [--folds 2] [--batch N] [--repeat 2]

Data: real Bybit BTCUSDT perp 15-minute candles (2023-11-29 .. 2026-01-05, 73,777 bars) and the
real 8-hourly funding from the shared data (mohsenjfar). Walk-forward: train 365 days, test 90
days, step 90 days, 3 inner segments: every parameter set backtests one year of 15-minute bars
(three segments of four months, each with its warm-up) — the size the overhead target is
stated for. ``--trials`` counts parameter sets per fold; a Tune trial scores ``--batch`` of
them (``searcher.batch``; by default what ``batch = "auto"`` picks for the large sweep, 20
here, so the benchmark measures what a sweep config gets); the same sweep also runs with one set per Tune trial (batch 1, the
driver before batching) so Tune's fixed cost per Tune trial is measured directly.

Per-set overhead = (CPU-seconds per parameter set - backtest time of one set) / backtest time,
where the backtest time of one set is measured in this process on the same kind of
configurations (warm numba). The wall time is the whole walk-forward (all folds, each fold's
out-of-sample run, Tune's start-up after ``ray.init``). Each mode runs in a fresh process.
Tune's start-up (trial actors are new processes that import the engine) is paid once per
sweep, so the sweep runs at two sizes: the *marginal* cost of a set is the difference of the
two wall times (x CPUs) over the difference of their set counts, and the fixed start-up is
what remains. Per Tune trial: the marginal overhead in seconds x the batch size. Optuna alone
also runs at both sizes: its marginal cost per set is the backtest plus TPE's own sampling,
and Tune's part of the overhead is the Tune marginal (1 CPU) minus Optuna's. Optuna alone runs
twice: one set per ask/tell (plain TPE, a model fit per set) and ``optuna_batch``, the same
batched TPE the Tune driver uses (``--batch`` sets from one fit, then their scores told), so
Tune's own cost is also stated at equal sampling cost.
``tpe_ask_cpu_ms_per_set``: TPE's own sampling cost per set, plain and batched (no Ray, no backtest).
Peak memory: max RSS of the driver, and what the object store holds at the end of the sweep
(the market data put there once: one object of about the pickled data's size).
Every mode runs ``--repeat`` times and the fastest run counts (other work on a shared box only
ever slows a run down). The machine's load average is printed with the scaling line.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OPENALPHA_SHARED_DATA", REPO.parent / "shared" / "data"))
SRC = SHARED / "mohsenjfar_trade"


def _config(trials: int, cpus: int, batch: int | str = 1) -> Any:
    from openalpha.research.sweep_config import Objective, ParamRange, Searcher, SweepConfig, WalkForward

    return SweepConfig(
        name="bench", strategy="sma_cross", symbols=["BTCUSDT"], interval="15",
        search={"fast": ParamRange(low=5, high=100), "slow": ParamRange(low=120, high=600)},
        objective=Objective(min_trades=5),
        walk_forward=WalkForward(train="365D", test="90D", step="90D", inner_folds=3),
        searcher=Searcher(trials_per_fold=trials, max_concurrent=cpus, early_stopping="none", batch=batch),
    )  # fmt: skip


def _data() -> Any:
    import pandas as pd

    from openalpha.domain.market_data import MarketData
    from openalpha.venue import default_instrument

    raw = pd.read_feather(SRC / "e1a2d25d/bybit/futures/BTC_USDT_USDT-15m-futures.feather")
    index = pd.DatetimeIndex(raw["date"]).as_unit("ms").rename("time")
    cols = ["open", "high", "low", "close", "volume"]
    bars = pd.DataFrame({c: raw[c].to_numpy(dtype="float64") for c in cols}, index=index)
    fund = pd.read_feather(SRC / "05394495/bybit/futures/BTC_USDT_USDT-1h-funding_rate.feather")
    rates = fund["open"].to_numpy(dtype="float64")
    funding = pd.Series(rates, index=pd.DatetimeIndex(fund["date"]).as_unit("ms"), name="rate")
    funding = funding[(funding.index >= index[0]) & (funding.index <= index[-1])]
    return MarketData(
        interval="15",
        bars={"BTCUSDT": bars},
        funding={"BTCUSDT": funding},
        instruments={"BTCUSDT": default_instrument("BTCUSDT")},
    )


def _object_store(address: str) -> dict[str, float]:
    """Plasma usage across the nodes, as Ray's own memory summary states it."""
    import re

    from ray._private.internal_api import memory_summary

    text = memory_summary(address=address, stats_only=True)
    found = re.search(r"Plasma memory usage (\d+) MiB, (\d+) objects", text)
    return {"object_store_mib": float(found[1]), "object_store_objects": float(found[2])} if found else {}


def child(mode: str, cpus: int, trials: int, folds: int, batch: int) -> dict[str, Any]:
    from openalpha.research.walkforward import run_walk_forward

    data = _data()
    cfg = _config(trials, cpus, batch)
    out: dict[str, Any] = {
        "mode": mode,
        "cpus": cpus,
        "trials_per_fold": trials,
        "batch": batch if mode in ("tune", "optuna_batch") else None,
        "folds": folds,
        "bars": len(data.index),
    }
    address = ""
    search: Any
    if mode == "tune":
        os.environ["RAY_AUTH_MODE"] = "disabled"
        import ray

        from openalpha.research.tune_driver import TuneSearch

        t0 = time.perf_counter()
        address = ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False).address_info[
            "address"
        ]
        out["ray_init_s"] = time.perf_counter() - t0
        search = TuneSearch(cfg.searcher, tempfile.mkdtemp(prefix="bench_tune_"), "bench", verbose=0)
    else:
        from openalpha.research.local_search import OptunaLocalSearch

        search = OptunaLocalSearch(cfg.searcher, batch=batch if mode == "optuna_batch" else 1)
    t0, c0 = time.perf_counter(), time.process_time()
    wf = run_walk_forward(cfg, data, search, lambda _: None, max_folds=folds)
    wall = time.perf_counter() - t0
    out["driver_cpu_s"] = time.process_time() - c0  # this process: Tune's driver loop + searcher + OOS runs
    n = sum(len(f.trials) for f in wf.folds)
    out.update(wall_s=wall, trials=n, trials_per_s=n / wall, data_bytes=len(pickle.dumps(data)))
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if mode == "tune":
        import ray

        out["tune_trials"] = -(-trials // search.batch) * folds
        out.update(_object_store(address))
        ray.shutdown()
    return out


def _scoring_setup(trials: int) -> tuple[Any, list[dict[str, int]]]:
    """Fold 0's context (numba loaded) and 16 parameter sets drawn uniformly from the space."""
    import random

    from openalpha.research.trial import score_config
    from openalpha.research.walkforward import make_context, plan_folds

    data = _data()
    cfg = _config(trials, 1)
    ctx = make_context(cfg, data, plan_folds(cfg, data)[:1])
    score_config(ctx, 0, {"fast": 20, "slow": 200}, lambda _: None)  # compile / load numba
    rng = random.Random(0)
    return ctx, [{"fast": rng.randint(5, 100), "slow": rng.randint(120, 600)} for _ in range(16)]


def _score_all(ctx: Any, params: list[dict[str, int]]) -> float:
    from openalpha.research.trial import score_config

    t0 = time.perf_counter()
    for p in params:
        score_config(ctx, 0, p, lambda _: None)
    return time.perf_counter() - t0


def backtest_time_per_trial(trials: int, rounds: int = 3) -> float:
    """Seconds one parameter set's backtests take in this process (same segments, warm numba),
    on 16 sets drawn uniformly from the searched space; the fastest of ``rounds`` rounds."""
    ctx, params = _scoring_setup(trials)
    return min(_score_all(ctx, params) for _ in range(rounds)) / len(params)


def tpe_ask_cost(sets: int = 80, batch: int = 10, studies: int = 5) -> dict[str, Any]:
    """CPU milliseconds TPE spends drawing one parameter set of this space (80 sets a study, a
    cheap synthetic score): Optuna's TPE asked 10 at a time (the Tune driver before batch_tpe),
    one at a time (Optuna alone), and BatchTPESampler (one fit per batch of 10)."""
    import optuna

    from openalpha.research.batch_tpe import BatchTPESampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def run(make: Any, k: int) -> float:
        spent = 0.0
        for seed in range(studies):
            study = optuna.create_study(direction="maximize", sampler=make(seed))
            for start in range(0, sets, k):
                c0 = time.process_time()
                trials = [study.ask() for _ in range(min(k, sets - start))]
                drawn = [(t.suggest_int("fast", 5, 100), t.suggest_int("slow", 120, 600)) for t in trials]
                spent += time.process_time() - c0
                for t, (fast, slow) in zip(trials, drawn, strict=True):
                    study.tell(t, -((fast - 30) ** 2) - (slow - 300) ** 2 / 50)
        return 1000 * spent / (sets * studies)

    return {
        "measure": "tpe_ask_cpu_ms_per_set", "sets_per_study": sets,
        "tpe_asked_in_batches": run(lambda seed: optuna.samplers.TPESampler(seed=seed), batch),
        "tpe_one_at_a_time": run(lambda seed: optuna.samplers.TPESampler(seed=seed), 1),
        "batch_tpe": run(lambda seed: BatchTPESampler(batch=batch, seed=seed), batch),
    }  # fmt: skip


def hardware_ceiling(sets: int = 48) -> dict[str, Any]:
    """The best 2-CPU speed-up this box allows for this work: the same backtests in one process,
    then in two processes at once (no Ray, no searcher)."""

    def run(n: int) -> list[float]:
        cmd = [sys.executable, __file__, "--child", "backtest", "1", "--trials", str(sets)]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return [float(json.loads(p.communicate()[0].strip().splitlines()[-1])["seconds"]) for p in procs]

    one = min(run(1)[0] for _ in range(2))
    two = min(max(run(2)) for _ in range(2))
    return {"measure": "hardware_ceiling", "sets": sets, "one_process_s": one, "two_processes_s": two,
            "speedup_2cpu": 2 * one / two, "load_avg_1m": os.getloadavg()[0]}  # fmt: skip


def auto_batch(trials: int, folds: int) -> int:
    """The batch ``searcher.batch = "auto"`` gives a sweep of ``trials`` sets per fold."""
    from openalpha.research.tune_driver import _bars_per_set
    from openalpha.research.walkforward import make_context, plan_folds

    data = _data()
    cfg = _config(trials, 1, "auto")
    chosen = plan_folds(cfg, data)[:folds]
    return int(cfg.searcher.batch_size(_bars_per_set(make_context(cfg, data, chosen), chosen)))


def _run_child(mode: str, cpus: int, trials: int, folds: int, batch: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(cpus), "--trials", str(trials), "--folds", str(folds),
         "--batch", str(batch)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20, help="parameter sets per fold (small sweep)")
    parser.add_argument("--trials-large", type=int, default=400, help="parameter sets per fold (large sweep)")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument(
        "--batch", type=int, help='parameter sets per Tune trial (default: "auto" of the large sweep)'
    )
    parser.add_argument("--repeat", type=int, default=2, help="runs per mode; the fastest counts")
    parser.add_argument("--no-batch-1", action="store_true", help="skip the one-set-per-trial runs")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "CPUS"))
    args = parser.parse_args()
    if args.child and args.child[0] == "backtest":  # one process of the hardware ceiling
        ctx, params = _scoring_setup(args.trials)
        seconds = sum(_score_all(ctx, params) for _ in range(max(1, args.trials // len(params))))
        print(json.dumps({"seconds": seconds}))
        return
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.trials, args.folds, args.batch)))
        return
    from_auto = args.batch is None
    if from_auto:
        args.batch = auto_batch(args.trials_large, args.folds)
    print(json.dumps({"measure": "batch", "value": args.batch, "from_auto": from_auto}))
    per_set = backtest_time_per_trial(args.trials)
    print(json.dumps({"measure": "backtest_per_set_s", "value": per_set}))
    print(json.dumps(hardware_ceiling()))
    print(json.dumps(tpe_ask_cost(batch=max(2, args.batch))))
    results: dict[tuple[str, int, int, int], dict[str, Any]] = {}
    load = [os.getloadavg()[0]]
    small, large = args.trials, args.trials_large
    batches = [args.batch] if args.no_batch_1 or args.batch == 1 else [args.batch, 1]
    runs = [("optuna_local", 1, small, 1), ("optuna_local", 1, large, 1)]
    runs += [("optuna_batch", 1, small, args.batch), ("optuna_batch", 1, large, args.batch)]
    runs += [("tune", cpus, trials, k) for k in batches for trials in (small, large) for cpus in (1, 2)]
    for mode, cpus, trials, k in runs:
        rows = [_run_child(mode, cpus, trials, args.folds, k) for _ in range(args.repeat)]
        row = min(rows, key=lambda r: float(r["wall_s"]))  # the least disturbed run of a shared box
        row["wall_s_runs"] = [r["wall_s"] for r in rows]
        row["overhead_per_set_vs_backtest"] = (row["wall_s"] * cpus / row["trials"] - per_set) / per_set
        results[(mode, cpus, trials, k)] = row
        print(json.dumps(row))
        load.append(os.getloadavg()[0])
    for k in batches:
        for cpus in (1, 2):
            a, b = results[("tune", cpus, small, k)], results[("tune", cpus, large, k)]
            marginal = (b["wall_s"] - a["wall_s"]) * cpus / (b["trials"] - a["trials"])  # CPU-s per set
            print(json.dumps({
                "measure": "marginal_per_set", "batch": k, "cpus": cpus, "cpu_s_per_set": marginal,
                "overhead_per_set_vs_backtest": (marginal - per_set) / per_set,
                "overhead_cpu_s_per_tune_trial": (marginal - per_set) * k,
                "overhead_per_tune_trial_vs_its_backtest": (marginal - per_set) / per_set,
                "sets_per_s_marginal": cpus / marginal,
                "fixed_start_s": a["wall_s"] - a["trials"] * marginal / cpus,
            }))  # fmt: skip
        for trials in (small, large):
            t1, t2 = results[("tune", 1, trials, k)]["wall_s"], results[("tune", 2, trials, k)]["wall_s"]
            print(json.dumps({
                "measure": "scaling", "batch": k, "trials_per_fold": trials, "speedup_2cpu": t1 / t2,
                "efficiency": t1 / t2 / 2, "load_avg_1m": load, "cpu_count": os.cpu_count(),
            }))  # fmt: skip
        a2, b2 = results[("tune", 1, small, k)], results[("tune", 1, large, k)]
        c2, d2 = results[("tune", 2, small, k)], results[("tune", 2, large, k)]
        print(json.dumps({
            "measure": "scaling_marginal", "batch": k,
            "speedup_2cpu": (b2["wall_s"] - a2["wall_s"]) / (d2["wall_s"] - c2["wall_s"]),
        }))  # fmt: skip
    marginals = {}
    for mode, k in (("optuna_local", 1), ("optuna_batch", args.batch)):
        a1, b1 = results[(mode, 1, small, k)], results[(mode, 1, large, k)]
        marginals[mode] = (b1["wall_s"] - a1["wall_s"]) / (b1["trials"] - a1["trials"])
        print(json.dumps({
            "measure": f"marginal_per_set_{mode}", "cpu_s_per_set": marginals[mode],
            "overhead_per_set_vs_backtest": (marginals[mode] - per_set) / per_set,
        }))  # fmt: skip
    for k in batches:
        a, b = results[("tune", 1, small, k)], results[("tune", 1, large, k)]
        tune_marginal = (b["wall_s"] - a["wall_s"]) / (b["trials"] - a["trials"])
        for mode, local_marginal in marginals.items():
            print(json.dumps({
                "measure": "tune_only_overhead_per_set", "batch": k, "cpus": 1, "vs": mode,
                "cpu_s_per_set": tune_marginal - local_marginal,
                "vs_backtest": (tune_marginal - local_marginal) / per_set,
            }))  # fmt: skip
    local = results[("optuna_local", 1, small, 1)]
    for k in batches:
        print(json.dumps({
            "measure": "tune2_vs_optuna_local", "batch": k, "trials_per_fold": small,
            "optuna_local_sets_per_s": local["trials_per_s"],
            "tune2_sets_per_s": results[("tune", 2, small, k)]["trials_per_s"],
            "tune2_large_sets_per_s": results[("tune", 2, large, k)]["trials_per_s"],
            "ratio": local["wall_s"] / results[("tune", 2, small, k)]["wall_s"],
        }))  # fmt: skip


if __name__ == "__main__":
    main()
