"""``openalpha runs list|show ID``: backtest and sweep results under ``$OPENALPHA_HOME/runs``."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("runs", help="list and show backtest and sweep results")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="every saved run, newest first")
    lst.add_argument("--kind", choices=["backtest", "sweep"], help="only runs of this kind")
    lst.add_argument("--json", action="store_true", help="one JSON object per line")
    lst.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="the summary of one run")
    show.add_argument("id", help="run id (see `openalpha runs list`)")
    show.add_argument("--json", action="store_true", help="the whole saved document as JSON")
    show.set_defaults(handler=run_show)


def _headline(run: dict[str, Any]) -> str:
    if run.get("kind") == "sweep":
        s = run.get("summary", {})
        oos = s.get("oos_metrics", {})
        sharpe = oos.get("sharpe")
        pbo = s.get("pbo")
        return (
            f"OOS Sharpe {'n/a' if sharpe is None else f'{sharpe:.2f}'}, "
            f"PBO {'n/a' if pbo is None else f'{pbo:.2f}'}, verdict {run.get('verdict', '?')}"
        )
    metrics = run.get("metrics") or {}
    parts = []
    for key in ("total_return", "sharpe", "max_drawdown"):
        value = metrics.get(key)
        if isinstance(value, int | float):
            parts.append(f"{key} {value:.4g}")
    return ", ".join(parts)


def run_list(args: argparse.Namespace) -> int:
    from openalpha.config import Paths
    from openalpha.research.runs import list_runs

    runs = [r for r in list_runs(Paths.from_env().runs) if args.kind is None or r.get("kind") == args.kind]
    if args.json:
        for r in runs:
            print(json.dumps({k: r.get(k) for k in ("id", "kind", "strategy", "created", "path")}))
        return 0
    if not runs:
        print("no runs yet (openalpha backtest / openalpha sweep write them)")
        return 0
    for r in runs:
        symbols = r.get("symbols")
        where = ",".join(symbols) if isinstance(symbols, list) else str(symbols or "")
        print(
            f"{r['id']:<48} {r.get('kind', '?'):<8} {r.get('strategy', '?'):<18} {where:<14} {_headline(r)}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from openalpha.cli.errors import CliError
    from openalpha.config import Paths
    from openalpha.research.runs import RunNotFound, load_run

    try:
        run = load_run(Paths.from_env().runs, args.id)
    except RunNotFound as err:
        raise CliError(str(err)) from None
    if args.json:
        print(json.dumps(run, indent=2, default=str))
        return 0
    print(f"{run['id']}  ({run.get('kind')}, {run.get('strategy', '?')})  {run['path']}")
    if run.get("kind") != "sweep":
        for key, value in sorted((run.get("metrics") or {}).items()):
            print(f"  {key:<24} {value}")
        return 0
    s = run["summary"]
    for fold in s["folds"]:
        oos = fold["oos"]
        print(
            f"  fold {fold['fold'] + 1}: test {fold['test_start'][:10]}..{fold['test_end'][:10]} "
            f"best {json.dumps(fold['best_params'])} OOS return {oos['total_return']:+.2%} "
            f"Sharpe {oos['sharpe']:.2f} trades {oos['n_trades']}"
        )
    print(f"  {_headline(run)}")
    for check in s["verdict"]["checks"]:
        print(f"    {check['reason']}")
    print(f"  report: {run['path']}/report.html")
    return 0
