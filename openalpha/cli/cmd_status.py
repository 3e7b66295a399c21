"""``openalpha status``: every actor's state from a running runtime."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openalpha.live.snapshot import StrategySnapshot


def register(sub: Any) -> None:
    parser = sub.add_parser("status", help="print the state of a running runtime")
    parser.add_argument("--address", help="Ray address of the runtime (default: the local cluster)")
    parser.add_argument("--json", action="store_true", help="print the whole snapshot as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from openalpha.cli.errors import CliError

    try:
        from openalpha.actors.client import RuntimeNotFound, connect
    except ImportError as err:  # pragma: no cover - broken install
        raise CliError(f"runtime unavailable: {err}") from None
    try:
        snap = connect(args.address).snapshot()
    except RuntimeNotFound as err:
        raise CliError(str(err), exit_code=1) from None
    from openalpha.live.snapshot import failure_text

    if args.json:
        from openalpha.domain import to_json

        print(to_json(snap).decode())
        return 0
    print(
        f"{'env':8} {'state':9} {'equity':>12} {'pnl today':>11} {'pnl total':>11} {'dd':>6} "
        f"{'pos':>4} {'orders':>6}  health"
    )
    for env in snap.environments:
        if not env.active:
            print(f"{env.env.value:8} inactive")
            continue
        health = "connected" if env.health.connected else f"DISCONNECTED {env.health.error}"
        if env.health.latency_ms is not None:
            health += f" {env.health.latency_ms:.0f} ms"
        print(
            f"{env.env.value:8} {'KILLED' if env.kill_switch else 'running':9} {env.equity:>12,.2f} "
            f"{env.pnl_today:>+11,.2f} {env.pnl_total:>+11,.2f} {env.drawdown:>6.1%} {len(env.positions):>4} "
            f"{len(env.open_orders):>6}  {health}"
        )
    print()
    for s in snap.strategies:
        last = s.recent_decisions[-1] if s.recent_decisions else None
        why = f"{last.action.value} ({last.rule}: {last.reason})" if last else "no decision yet"
        print(
            f"{s.strategy_id:32} {s.env.value:7} stage={s.stage.value:8} {'PAUSED ' if s.paused else ''}"
            f"targets={ {k: round(v, 3) for k, v in s.last_targets.items()} } last: {why}"
        )
        failure = failure_text(s)
        for line in ([failure] if failure else []) + ml_lines(s, snap.ts):
            print(f"  {line}")
    dead = [name for name, ok in snap.actors_alive.items() if not ok]
    print(
        f"\nactors: {len(snap.actors_alive) - len(dead)} alive"
        + (f", NOT answering: {', '.join(dead)}" if dead else "")
    )
    print(
        f"risk: kill switch {'ENGAGED' if snap.risk.kill_switch else 'off'}"
        f"{', account reduce-only' if snap.risk.reduce_only else ''}"
    )
    return 0


def _day(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ms / 1000))


def ml_lines(s: StrategySnapshot, now_ms: int) -> list[str]:
    """An ML strategy's predictions and model, for the status table (nothing for other strategies)."""
    lines = []
    if s.predictions:
        preds = ", ".join(
            f"{k} P(up) {p:.1%} confidence {s.confidence.get(k, float('nan')):.1%}"
            for k, p in sorted(s.predictions.items())
        )
        when = f" at {_day(s.predictions_ts)} UTC" if s.predictions_ts else ""
        lines.append(f"ml: {preds}{when}")
    elif s.model is not None:
        lines.append("ml: no prediction yet")
    m = s.model
    if m is not None:
        what = f"{m.name} v{m.version}" if m.version is not None else m.name
        facts = [m.kind, m.source]
        if m.created_ts:
            facts.append(f"age {(now_ms - m.created_ts) / 86_400_000:.1f} d")
        if m.train_end_ms:
            facts.append(f"trained {_day(m.train_start_ms)[:10]} .. {_day(m.train_end_ms)[:10]}")
        if m.oos_score is not None:
            facts.append(f"out-of-sample {m.oos_metric} {m.oos_score:.4f}")
        if m.oos_accuracy is not None:
            facts.append(f"accuracy {m.oos_accuracy:.1%}")
        lines.append(f"model: {what} ({', '.join(facts)})")
    return lines
