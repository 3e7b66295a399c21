"""``openalpha graduation list | show NAME | approve NAME --capital USDT | demote NAME``.

Works against the ledger, with or without a running runtime. When a runtime answers (the local
Ray cluster, or ``--address``) and writes to the same ledger, ``approve`` and ``demote`` go
through it, so the change is applied to the running strategy at once and ``show`` displays the
live checks it measures; otherwise the change is written to the ledger directly and a runtime
started later loads it. Every change names the person (``--user``, default the login name) and
is audited with its evidence.
"""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any

from openalpha.cli.errors import CliError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "graduation",
        help="strategy stages: backtest -> paper -> testnet -> mainnet (list, show, approve, demote)",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="every known strategy with its stage")
    show = actions.add_parser(
        "show", help="a strategy's stage, its progress on every criterion, and its history"
    )
    show.add_argument("name", help="strategy id, e.g. sma_cross.BTCUSDT (see `openalpha graduation list`)")
    approve = actions.add_parser("approve", help="approve a testnet strategy for mainnet (needs its request)")
    approve.add_argument("name", help="strategy id")
    approve.add_argument(
        "--capital", type=float, required=True, metavar="USDT", help="mainnet capital (USDT)"
    )
    demote = actions.add_parser("demote", help="move a strategy down to paper or halted")
    demote.add_argument("name", help="strategy id")
    demote.add_argument(
        "--to", choices=["paper", "halted"], default="halted", help="target stage (default halted)"
    )
    demote.add_argument("--reason", required=True, help="why (recorded in the ledger and the audit log)")
    for p, handler in ((lst, run_list), (show, run_show), (approve, run_approve), (demote, run_demote)):
        p.add_argument(
            "--config", help="TOML config whose strategies to include (default: the ledger's only)"
        )
        p.add_argument("--address", help="Ray address of a running runtime (default: the local cluster)")
        p.add_argument("--offline", action="store_true", help="do not look for a running runtime")
        p.set_defaults(handler=handler)
    for p in (approve, demote):
        p.add_argument("--user", default=None, help="who decides (default: your login name)")
    for p in (lst, show):
        p.add_argument("--json", action="store_true", help="machine-readable output")


# -- the two ways to the stages ----------------------------------------------------------------
class Offline:
    """The ledger directly: stage book, sweep evidence from ``runs/``, no live measurement."""

    def __init__(self, args: argparse.Namespace) -> None:
        import time

        from openalpha.config import ConfigError, Paths, load_config
        from openalpha.domain import Environment
        from openalpha.graduation.criteria import criteria_file, load_criteria
        from openalpha.graduation.supervisor import StageSupervisor
        from openalpha.live.env_runtime import StrategyPlan
        from openalpha.live.graduation_evidence import LedgerEvidence, StrategySpec
        from openalpha.live.stage_book import LedgerStageBook
        from openalpha.store import Ledger, StoreError

        paths = Paths.from_env()
        try:
            criteria = load_criteria(criteria_file(paths.home))
            configured: tuple[Any, ...] = tuple(load_config(args.config).strategies) if args.config else ()
            self.ledger = Ledger.open(paths.database_url())
        except (ConfigError, StoreError) as err:
            raise CliError(str(err)) from None
        self.book = LedgerStageBook(self.ledger)
        specs: dict[str, StrategySpec] = {}
        for c in configured:
            sid = f"{c.name}.{'+'.join(c.symbols)}"
            plan = StrategyPlan(strategy_id=sid, name=c.name, symbols=list(c.symbols), interval=c.interval,
                                capital_fraction=c.capital_fraction, leverage=c.leverage)  # fmt: skip
            specs[sid] = StrategySpec(plan=plan, params=dict(c.params), env=Environment(c.env))
        for sid in sorted(self.book.current_stages()):
            if sid not in specs and "." in sid:
                name, symbols = sid.rsplit(".", 1)
                plan = StrategyPlan(strategy_id=sid, name=name, symbols=symbols.split("+"), interval="",
                                    capital_fraction=0.0)  # fmt: skip
                specs[sid] = StrategySpec(plan=plan, env=Environment.PAPER)
        evidence = LedgerEvidence(self.ledger, paths.runs, specs, _no_market, lambda _sid: None, criteria)
        envs = {sid: s.env for sid, s in specs.items()}
        self.core = StageSupervisor(self.book, evidence, criteria, envs, lambda _env: int(time.time() * 1000))

    def close(self) -> None:
        self.ledger.close()


def _no_market(*_args: Any) -> Any:  # never called: without a capital in force live() returns None
    raise RuntimeError("no market data offline")


def _runtime(args: argparse.Namespace) -> Any:
    """The running runtime's control when it writes to our ledger, else None."""
    if args.offline:
        return None
    from openalpha.config import Paths
    from openalpha.store import safe_url

    try:
        from openalpha.actors.client import RuntimeNotFound, connect
    except ImportError:  # pragma: no cover - broken install
        return None
    try:
        control = connect(args.address)
        theirs = control.ledger_url()
    except RuntimeNotFound:
        return None
    except Exception:  # a runtime without graduation support or a dying one: use the ledger
        return None
    if theirs != safe_url(Paths.from_env().database_url()):
        print(f"note: the running runtime writes to {theirs}, not to this ledger; not telling it")
        return None
    return control


def _user(args: argparse.Namespace) -> str:
    user = (args.user or getpass.getuser() or "").strip()
    if not user:
        raise CliError("--user: who decides must be named")
    return user


def _known(off: Offline, name: str) -> None:
    if name not in off.core.strategies:
        known = ", ".join(sorted(off.core.strategies)) or "none yet"
        raise CliError(f"unknown strategy {name!r} (known: {known})")


# -- handlers ----------------------------------------------------------------------------------
def run_list(args: argparse.Namespace) -> int:
    from openalpha.graduation.supervisor import initial_stage

    off = Offline(args)
    try:
        rows: list[dict[str, Any]] = []
        for sid, env in sorted(off.core.strategies.items()):
            last = off.core.last_change(sid)
            rows.append({
                "strategy": sid,
                "stage": str(last.to_stage if last else initial_stage(env)),
                "since": last.ts if last else None,
                "capital": off.core.capital(sid) if last else 0.0,
                "pending_approval": off.core.pending(sid) is not None,
                "reason": last.reason if last else "not started yet",
            })  # fmt: skip
    finally:
        off.close()
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    if not rows:
        print("no strategy has a stage yet (they get one when the runtime first starts them)")
        return 0
    print(f"{'strategy':34} {'stage':9} {'since (UTC)':17} {'granted':>10}  note")
    for r in rows:
        note = "MAINNET APPROVAL PENDING; " if r["pending_approval"] else ""
        print(
            f"{r['strategy']:34} {r['stage']:9} {_when(r['since']):17} {r['capital']:>10,.0f}  {note}{r['reason']}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    off = Offline(args)
    try:
        _known(off, args.name)
        control = _runtime(args)
        live = (
            next((s for s in control.snapshot().strategies if s.strategy_id == args.name), None)
            if control
            else None
        )
        review = off.core.review(args.name)
        checks = list(live.criteria) if live is not None and live.criteria else list(review.assessment.checks)
        doc = {
            "strategy": args.name,
            "stage": str(review.stage),
            "since": review.since_ms,
            "capital": review.capital,
            "next_stage": None if review.assessment.target is None else str(review.assessment.target),
            "measured_by": "runtime" if live is not None and live.criteria else "ledger",
            "checks": [
                {
                    "name": c.name,
                    "value": c.value,
                    "threshold": c.threshold,
                    "op": c.op,
                    "passed": c.passed,
                    "progress": c.progress,
                }
                for c in checks
            ],
            "pending_approval": _pending(off, args.name),
            "history": [
                {
                    "ts": r.ts,
                    "from": r.from_stage and str(r.from_stage),
                    "to": str(r.to_stage),
                    "actor": r.actor,
                    "reason": r.reason,
                    "capital": r.capital,
                    "evidence": r.evidence,
                }
                for r in off.book.history(args.name)
            ],
        }
    finally:
        off.close()
    if args.json:
        print(json.dumps(doc, default=str))
        return 0
    _print_show(doc)
    return 0


def _pending(off: Offline, name: str) -> dict[str, Any] | None:
    request = off.core.pending(name)
    if request is None:
        return None
    return {"ts": request.ts, "suggested_capital": request.suggested_capital, "evidence": request.evidence}


def _when(ts: int | None) -> str:
    import pandas as pd

    return "-" if ts is None else f"{pd.Timestamp(ts, unit='ms', tz='UTC'):%Y-%m-%d %H:%M}"


def _num(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


def _print_show(doc: dict[str, Any]) -> None:
    print(
        f"{doc['strategy']}: {doc['stage']} since {_when(doc['since'])} UTC, capital {doc['capital']:,.0f} USDT"
    )
    if doc["next_stage"]:
        extra = " (also needs a human approval)" if doc["next_stage"] == "mainnet" else ""
        print(f"criteria to reach {doc['next_stage']}{extra}, measured by the {doc['measured_by']}:")
        for c in doc["checks"]:
            bar = "#" * round(c["progress"] * 10)
            print(f"  {c['name']:15} {_num(c['value']):>9} {c['op']} {_num(c['threshold']):<7} "
                  f"[{bar:10}] {'ok' if c['passed'] else 'not yet'}")  # fmt: skip
        if doc["measured_by"] == "ledger" and doc["stage"] in ("paper", "testnet", "mainnet"):
            print(
                "  (live checks are measured by the running runtime; none answers — see the evidence below)"
            )
    pending = doc["pending_approval"]
    if pending:
        print(f"MAINNET APPROVAL PENDING since {_when(pending['ts'])} UTC (suggested {pending['suggested_capital']:g} "
              f"USDT): openalpha graduation approve {doc['strategy']} --capital USDT")  # fmt: skip
    print("history:")
    for h in doc["history"]:
        print(f"  {_when(h['ts'])}  {h['from'] or '(start)'} -> {h['to']}  by {h['actor']}: {h['reason']}")
        shown = [f"{k}={_num(v)}" for k, v in h["evidence"].items() if f"{k}.threshold" in h["evidence"]]
        if shown:
            print(f"      {' '.join(shown)}")


def _change(args: argparse.Namespace, verb: str, **kwargs: Any) -> int:
    from openalpha.domain import Stage
    from openalpha.graduation.stages import IllegalStageChange

    user = _user(args)
    off = Offline(args)
    try:
        _known(off, args.name)
        control = _runtime(args)
        try:
            if control is not None:
                call = control.approve if verb == "approve" else control.demote
                print(call(args.name, actor=user, **kwargs))
                return 0
            if verb == "approve":
                record = off.core.approve(args.name, user=user, capital=kwargs["capital"])
            else:
                record = off.core.demote(
                    args.name, to=Stage(kwargs["to"]), user=user, reason=kwargs["reason"]
                )
        except IllegalStageChange as err:
            raise CliError(str(err).splitlines()[0]) from None
    finally:
        off.close()
    print(f"{args.name}: {record.from_stage} -> {record.to_stage} by {user} (recorded in the ledger; a runtime "
          f"on this ledger applies it at its next graduation tick or start)")  # fmt: skip
    return 0


def run_approve(args: argparse.Namespace) -> int:
    if not args.capital > 0:
        raise CliError("--capital must be a positive number of USDT")
    return _change(args, "approve", capital=args.capital)


def run_demote(args: argparse.Namespace) -> int:
    if not args.reason.strip():
        raise CliError("--reason must say why")
    from openalpha.domain import Stage

    return _change(args, "demote", to=Stage(args.to), reason=args.reason)
