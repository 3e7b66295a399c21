"""``openalpha demo``: the embedded default — paper trading on the shipped real Bybit sample.

Starts the simulator replaying the sample at accelerated speed (one hour of market per second
by default), the runtime in ``paper`` with the default strategies, and the dashboard. The
demo keeps its own ledger under ``$OPENALPHA_HOME/demo/`` and starts it afresh each time, so a
replay never collides with an earlier one.
"""

from __future__ import annotations

import argparse
import os
import shutil
from typing import Any

import pandas as pd


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo", help="paper trading on shipped real data + dashboard (the embedded default)"
    )
    parser.add_argument(
        "--speed", type=float, default=3600.0, help="market seconds per wall second (default 3600)"
    )
    parser.add_argument(
        "--start", help="replay start (UTC date; default: one day into the sample's 5-minute data)"
    )
    parser.add_argument("--no-ui", action="store_true", help="do not serve the dashboard")
    parser.add_argument("--ui-port", type=int, help="dashboard port (default 8080)")
    parser.add_argument("--duration", type=float, help="stop cleanly after this many seconds")
    parser.set_defaults(handler=run)


def _start_ms(store: Any, text: str | None) -> int:
    from openalpha.cli.errors import CliError

    first, last = store.coverage("linear", "kline", "BTCUSDT", "5") or (None, None)
    if first is None:
        raise CliError("the shipped sample has no 5-minute data (broken install?)")
    if text is None:
        return int(first) + 86_400_000
    try:
        start = int(pd.Timestamp(text, tz="UTC").value // 1_000_000)
    except ValueError:
        raise CliError(f"--start: not a date: {text!r}") from None
    if not first <= start < last:
        lo, hi = (pd.Timestamp(t, unit="ms", tz="UTC").date() for t in (first, last))
        raise CliError(f"--start must fall inside the sample's replayable range {lo} .. {hi}")
    return start


def run(args: argparse.Namespace) -> int:
    from openalpha.cli.errors import CliError
    from openalpha.cli.runtime_cmd import launch
    from openalpha.config import Paths, load_config
    from openalpha.data.sample import sample_store
    from openalpha.domain import Environment

    if args.speed <= 0:
        raise CliError("--speed must be > 0")
    store = sample_store()
    start = _start_ms(store, args.start)
    demo_home = Paths.from_env().home / "demo"
    shutil.rmtree(demo_home, ignore_errors=True)
    demo_home.mkdir(parents=True)
    os.environ["OPENALPHA_DATABASE_URL"] = f"sqlite:///{demo_home / 'openalpha.db'}"
    print(
        f"Open Alpha demo: paper trading on real Bybit BTCUSDT/ETHUSDT from "
        f"{pd.Timestamp(start, unit='ms', tz='UTC'):%Y-%m-%d %H:%M} UTC at {args.speed:g}x",
        flush=True,
    )
    return launch(
        load_config(),
        [Environment.PAPER],
        store=store,
        start_ms=start,
        address=None,
        ui=not args.no_ui,
        ui_port=args.ui_port,
        duration=args.duration,
        speed=args.speed,
    )
