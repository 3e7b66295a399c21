"""Sweep throughput: the same walk-forward search on Ray Tune with 1 and 2 CPUs, and with Optuna
alone in one process. Prints one JSON line per measurement.

    python benchmarks/bench_sweep.py [--trials 16] [--trials-large 64] [--folds 2]

Data: real Bybit BTCUSDT perp 15-minute candles (2023-11-29 .. 2026-01-05, 73,777 bars) and the
real 8-hourly funding from the shared data (mohsenjfar). Walk-forward: train 365 days, test 90
days, step 90 days, 3 inner segments: every trial backtests one year of 15-minute bars (three
segments of four months, each with its warm-up) — the size the overhead target is stated for.

Per-trial overhead = (wall time x CPUs / trials - backtest time of one trial) / backtest time,
where the backtest time of one trial is measured in this process on the same kind of
configurations (warm numba). The wall time is the whole walk-forward (all folds, each fold's
out-of-sample run, Tune's start-up after ``ray.init``). Each mode runs in a fresh process.
Tune's start-up (trial actors are new processes that import the engine) is paid once per
sweep, so the sweep runs at two sizes: the *marginal* cost of a trial is the difference of the
two wall times (x CPUs) over the difference of their trial counts, and the fixed start-up is
what remains.
Peak memory: max RSS of the driver and the size of the market data put once into the object store.
The machine's load average is printed with the scaling line (a shared box: run it several times).
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


def _config(trials: int, cpus: int) -> Any:
    from openalpha.research.sweep_config import Objective, ParamRange, Searcher, SweepConfig, WalkForward

    return SweepConfig(
        name="bench", strategy="sma_cross", symbols=["BTCUSDT"], interval="15",
        search={"fast": ParamRange(low=5, high=100), "slow": ParamRange(low=120, high=600)},
        objective=Objective(min_trades=5),
        walk_forward=WalkForward(train="365D", test="90D", step="90D", inner_folds=3),
        searcher=Searcher(trials_per_fold=trials, max_concurrent=cpus, early_stopping="none"),
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


def child(mode: str, cpus: int, trials: int, folds: int) -> dict[str, Any]:
    from openalpha.research.walkforward import run_walk_forward

    data = _data()
    cfg = _config(trials, cpus)
    out: dict[str, Any] = {
        "mode": mode,
        "cpus": cpus,
        "trials_per_fold": trials,
        "folds": folds,
        "bars": len(data.index),
    }
    search: Any
    if mode == "tune":
        os.environ["RAY_AUTH_MODE"] = "disabled"
        import ray

        from openalpha.research.tune_driver import TuneSearch

        t0 = time.perf_counter()
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
        out["ray_init_s"] = time.perf_counter() - t0
        search = TuneSearch(cfg.searcher, tempfile.mkdtemp(prefix="bench_tune_"), "bench", verbose=0)
    else:
        from openalpha.research.local_search import OptunaLocalSearch

        search = OptunaLocalSearch(cfg.searcher)
    t0 = time.perf_counter()
    wf = run_walk_forward(cfg, data, search, lambda _: None, max_folds=folds)
    wall = time.perf_counter() - t0
    n = sum(len(f.trials) for f in wf.folds)
    out.update(wall_s=wall, trials=n, trials_per_s=n / wall, data_bytes=len(pickle.dumps(data)))
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if mode == "tune":
        import ray

        ray.shutdown()
    return out


def backtest_time_per_trial(trials: int) -> float:
    """Seconds one trial's backtests take in this process (same segments, warm numba)."""
    from openalpha.research.trial import score_config
    from openalpha.research.walkforward import make_context, plan_folds

    data = _data()
    cfg = _config(trials, 1)
    folds = plan_folds(cfg, data)[:1]
    ctx = make_context(cfg, data, folds)
    score_config(ctx, 0, {"fast": 20, "slow": 200}, lambda _: None)  # compile / load numba
    params = [{"fast": 5 + 7 * i, "slow": 150 + 30 * i} for i in range(8)]
    t0 = time.perf_counter()
    for p in params:
        score_config(ctx, 0, p, lambda _: None)
    return (time.perf_counter() - t0) / len(params)


def _run_child(mode: str, cpus: int, trials: int, folds: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(cpus), "--trials", str(trials), "--folds", str(folds)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=16, help="trials per fold (small sweep)")
    parser.add_argument("--trials-large", type=int, default=64, help="trials per fold (large sweep)")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "CPUS"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.trials, args.folds)))
        return
    per_trial = backtest_time_per_trial(args.trials)
    print(json.dumps({"measure": "backtest_per_trial_s", "value": per_trial}))
    results = {}
    load = [os.getloadavg()[0]]
    runs = [("optuna_local", 1, args.trials), ("tune", 1, args.trials), ("tune", 2, args.trials)]
    runs += [("tune", 1, args.trials_large), ("tune", 2, args.trials_large)]
    for mode, cpus, trials in runs:
        row = _run_child(mode, cpus, trials, args.folds)
        row["overhead_vs_backtest"] = (row["wall_s"] * cpus / row["trials"] - per_trial) / per_trial
        results[(mode, cpus, trials)] = row
        print(json.dumps(row))
        load.append(os.getloadavg()[0])
    small, large = args.trials, args.trials_large
    for cpus in (1, 2):
        a, b = results[("tune", cpus, small)], results[("tune", cpus, large)]
        marginal = (b["wall_s"] - a["wall_s"]) * cpus / (b["trials"] - a["trials"])  # CPU-seconds per trial
        print(json.dumps({
            "measure": "marginal_per_trial", "cpus": cpus, "cpu_s_per_trial": marginal,
            "overhead_vs_backtest": (marginal - per_trial) / per_trial,
            "fixed_start_s": a["wall_s"] - a["trials"] * marginal / cpus,
        }))  # fmt: skip
    for trials in (small, large):
        t1, t2 = results[("tune", 1, trials)]["wall_s"], results[("tune", 2, trials)]["wall_s"]
        print(json.dumps({
            "measure": "scaling", "trials_per_fold": trials, "speedup_2cpu": t1 / t2, "efficiency": t1 / t2 / 2,
            "load_avg_1m": load, "cpu_count": os.cpu_count(),
        }))  # fmt: skip
    local = results[("optuna_local", 1, small)]["wall_s"]
    print(json.dumps({"measure": "tune2_vs_optuna_local", "trials_per_fold": small,
                      "ratio": local / results[("tune", 2, small)]["wall_s"]}))  # fmt: skip


if __name__ == "__main__":
    main()
