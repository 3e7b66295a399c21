"""``openalpha sweep CONFIG``: walk-forward optimisation on Ray Tune, saved under ``runs/``."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sweep",
        help="walk-forward optimisation on Ray Tune (+ PBO, deflated Sharpe, Monte Carlo, verdict)",
        description="Run the walk-forward sweep described by CONFIG (configs/sweeps/*.toml) locally, on a "
        "running Ray cluster (--address / RAY_ADDRESS) or inside `ray job submit`.",
    )
    parser.add_argument("config", help="sweep TOML, e.g. configs/sweeps/sma_cross.toml")
    parser.add_argument("--address", help="Ray cluster address (default: RAY_ADDRESS, else a local Ray)")
    parser.add_argument("--max-trials", type=int, help="trials per fold (overrides searcher.trials_per_fold)")
    parser.add_argument("--time-budget", type=float, metavar="MIN", help="minutes for the whole sweep")
    parser.add_argument("--cpus", type=int, help="CPUs of a local Ray (ignored on a cluster)")
    parser.add_argument("--max-folds", type=int, help="run only the first N folds (a quick look)")
    parser.add_argument("--quiet", action="store_true", help="no Ray Tune status tables")
    parser.add_argument(
        "--local",
        action="store_true",
        help="search with Optuna alone in this process, no Ray (faster below a few hundred trials)",
    )
    parser.set_defaults(handler=run)


def _record(outcome: Any) -> str | None:
    """Index the run in the ledger; the reason on failure (the files are already saved)."""
    from openalpha.config import Paths
    from openalpha.store import Ledger, RunRecord, StoreError

    meta_ms = int(outcome.result.seconds * 1000)
    created = int(__import__("time").time() * 1000) - meta_ms
    summary = outcome.summary
    try:
        with Ledger.open() as ledger:
            ledger.registry.record_run(
                RunRecord(
                    run_id=outcome.run_dir.name,
                    kind="sweep",
                    strategy=outcome.result.config.strategy,
                    created_ts=created,
                    path=str(outcome.run_dir.relative_to(Paths.from_env().runs)),
                    status="finished",
                    params={"folds": [f["best_params"] for f in summary.folds]},
                    metrics={
                        "oos_sharpe": summary.oos_metrics.get("sharpe"),
                        "oos_total_return": summary.oos_metrics.get("total_return"),
                        "pbo": summary.pbo,
                        "dsr": (summary.dsr or {}).get("dsr"),
                        "verdict": "pass" if summary.verdict.passed else "fail",
                    },
                    finished_ts=created + meta_ms,
                )
            )
    except (StoreError, OSError, ValueError) as err:
        return str(err)
    return None


def print_summary(outcome: Any) -> None:
    s = outcome.summary
    oos = s.oos_metrics
    dsr = (s.dsr or {}).get("dsr")
    print(f"\nout-of-sample (stitched, {len(s.folds)} folds, {s.n_trials} trials):")
    print(
        f"  return {oos.get('total_return', 0):+.2%}  Sharpe {oos.get('sharpe', 0):.2f}  "
        f"max drawdown {oos.get('max_drawdown', 0):.2%}  trades {oos.get('n_trades', 0)}"
    )
    pbo_text = "n/a" if s.pbo is None else f"{s.pbo:.2f}"
    dsr_text = "n/a" if dsr is None else f"{dsr:.3f}"
    print(f"  PBO {pbo_text}  DSR {dsr_text}")
    for mc in s.montecarlo:
        r, d = mc.total_return.percentiles, mc.max_drawdown.percentiles
        print(
            f"  Monte Carlo {mc.method}: return p5 {r['p5']:+.2%} p50 {r['p50']:+.2%} p95 {r['p95']:+.2%}; "
            f"max drawdown p50 {d['p50']:.2%} p95 {d['p95']:.2%}"
        )
    print(f"verdict: {'PASS' if s.verdict.passed else 'FAIL'}")
    for check in s.verdict.checks:
        print(f"  {check.reason}")
    print(f"saved: {outcome.run_dir} (report.html)")


def run(args: argparse.Namespace) -> int:
    from openalpha.cli.errors import CliError
    from openalpha.config import ConfigError, Paths
    from openalpha.research.sweep_config import load_sweep_config
    from openalpha.research.sweep_driver import run_sweep, with_overrides
    from openalpha.strategies import StrategyError

    if args.cpus is not None and args.cpus <= 0:
        raise CliError("--cpus must be a positive number")
    if args.max_folds is not None and args.max_folds <= 0:
        raise CliError("--max-folds must be a positive number")
    if args.local and (args.address or args.cpus is not None):
        raise CliError("--local runs in this process without Ray: drop --address / --cpus")
    try:
        config = with_overrides(load_sweep_config(args.config), args.max_trials, args.time_budget)
        outcome = run_sweep(
            config,
            Paths.from_env().runs,
            address=args.address,
            num_cpus=args.cpus,
            max_folds=args.max_folds,
            verbose=0 if args.quiet else 1,
            local=args.local,
        )
    except (ConfigError, StrategyError, ValueError) as err:
        raise CliError(str(err)) from None
    except ConnectionError as err:
        raise CliError(f"cannot reach the Ray cluster: {err}") from None
    print_summary(outcome)
    problem = _record(outcome)
    if problem is not None:
        print(f"openalpha: error: run saved but not recorded in the ledger: {problem}", file=sys.stderr)
        return 1
    return 0
