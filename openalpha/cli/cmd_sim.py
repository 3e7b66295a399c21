"""``openalpha sim``: the Bybit V5-compatible exchange simulator on loopback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from openalpha.cli.errors import CliError
from openalpha.cli.timearg import parse_time_ms


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sim",
        help="the Bybit V5-compatible exchange simulator (REST + WebSocket) on loopback",
        description="Serve Bybit V5 endpoints from a Parquet store. Prints 'listening on URL' when ready.",
    )
    p.add_argument("--port", type=int, default=0, help="TCP port (0 = pick a free one and print it)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--data", metavar="STORE", help="Parquet store root (default $OPENALPHA_HOME/data)")
    p.add_argument(
        "--api-key", action="append", default=[], metavar="KEY", help="accepted API key (repeatable)"
    )
    p.add_argument(
        "--api-secret", action="append", default=[], metavar="SECRET", help="its secret (one per --api-key)"
    )
    p.add_argument("--balance", type=float, default=100_000.0, help="starting USDT balance per account")
    p.add_argument("--start", metavar="TIME", help="replay from this market time (default: the wall clock)")
    p.add_argument("--speed", type=float, default=1.0, help="replay speed, market ms per wall ms (default 1)")
    p.add_argument("--faults", metavar="FILE", help="fault-injection config (TOML)")
    p.add_argument("--seed", type=int, default=0, help="random seed for fault injection and fills")
    p.add_argument(
        "--ip-limit",
        metavar="N/MS",
        default=None,
        help="IP rate limit, requests per window ms (default 600/5000)",
    )
    p.add_argument(
        "--endpoint-limit",
        action="append",
        default=[],
        metavar="PATH=N",
        help="per-second limit for one endpoint, e.g. /v5/market/kline=5 (repeatable)",
    )
    p.add_argument("--no-rate-limits", action="store_true", help="do not enforce rate limits")
    p.set_defaults(handler=run)


def _limits(args: argparse.Namespace) -> Any:
    from openalpha.sim.ratelimit import LimitRule, RateLimitConfig

    ip = None
    if args.ip_limit:
        try:
            n, ms = (int(x) for x in args.ip_limit.split("/"))
            if n <= 0 or ms <= 0:
                raise ValueError
        except ValueError:
            raise CliError(
                f"--ip-limit: expected N/MS with positive integers, got {args.ip_limit!r}"
            ) from None
        ip = LimitRule(n, ms)
    overrides: dict[str, int] = {}
    for item in args.endpoint_limit:
        path, _, n = item.partition("=")
        if not path.startswith("/v5/") or not n.isdigit() or int(n) <= 0:
            raise CliError(f"--endpoint-limit: expected /v5/PATH=N with N > 0, got {item!r}")
        overrides[path] = int(n)
    return RateLimitConfig(ip=ip, endpoint_overrides=overrides, enabled=not args.no_rate_limits)


def build_state(args: argparse.Namespace) -> Any:
    """The :class:`SimState` the arguments describe (validated before anything starts)."""
    from openalpha.config.paths import Paths
    from openalpha.data.store import ParquetStore
    from openalpha.sim.clock import ReplayClock
    from openalpha.sim.ratelimit import SimRateLimiter
    from openalpha.sim.state import SimAccount, SimState

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port: expected 0..65535, got {args.port}")
    if args.speed <= 0:
        raise CliError(f"--speed: expected a positive number, got {args.speed}")
    if args.balance <= 0:
        raise CliError(f"--balance: expected a positive number, got {args.balance}")
    if len(args.api_key) != len(args.api_secret):
        raise CliError("--api-key and --api-secret must come in pairs")
    root = Path(args.data).expanduser() if args.data else Paths.from_env().data
    if args.data and not root.is_dir():
        raise CliError(f"--data: no store at {root}")
    faults = Path(args.faults).expanduser() if args.faults else None
    if faults is not None and not faults.is_file():
        raise CliError(f"--faults: no such file {faults}")
    if faults is not None:
        from openalpha.sim.faults import load_faults

        try:
            load_faults(faults)  # validate up front: a bad file is one line, not a traceback at start
        except ValueError as err:
            raise CliError(f"--faults: {err}") from None
    start = parse_time_ms(args.start, "--start") if args.start else None
    accounts = [SimAccount(k, s, args.balance) for k, s in zip(args.api_key, args.api_secret, strict=True)]
    return SimState(
        store=ParquetStore(root),
        clock=ReplayClock(start, args.speed),
        accounts=accounts,
        default_balance=args.balance,
        seed=args.seed,
        faults_path=faults,
        rate_limits=SimRateLimiter(_limits(args)),
    )


def run(args: argparse.Namespace) -> int:
    from openalpha.sim.server import run_sim

    state = build_state(args)

    def ready(url: str) -> None:
        print(f"listening on {url}", flush=True)

    try:
        run_sim(state, args.host, args.port, on_ready=ready)
    except OSError as err:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    print("simulator stopped", file=sys.stderr)
    return 0
