"""The live runtime on Ray: bar close → order accepted by the simulator, and memory over time.

    /tmp/venv/bin/python benchmarks/bench_runtime.py [--latency-s 45] [--memory-minutes 5]
        [--skip-latency | --skip-memory]

1. **Latency.** The simulator runs in this process, replaying the real Bybit BTCUSDT sample
   (15-minute bars at 3600x: four closed bars a second). The moment it pushes a closed bar on
   its WebSocket and the moment it accepts the order that bar caused are both taken from this
   process's clock, so the figure covers everything between: the exchange actor's stream
   thread, the strategy actor (``targets()`` on the trailing window), the governor actor, the
   ledger actor's write-ahead record (SQLite, WAL) and the signed REST call. The strategy,
   ``Flip``, changes side on every bar, so every bar is an order. Peer, same run and cluster:
   a bare Ray actor round trip (``ray.get(actor.ping.remote())``), the floor for any
   actor-to-actor hop; the runtime makes about four such hops per bar plus two HTTP calls.
   Flip pays a taker fee on every bar, so the graduation supervisor demotes it at its first
   review (after 60 s): the window is the first 45 s of trading (``bars_without_order`` = 0).
   ``runtime_hops_ms``: p50/p99 of each hop, from the stamps the actors take on the way
   (:mod:`openalpha.live.hop_trace`; all on this machine's wall clock): WS push → stream thread
   → fan-out → strategy actor → targets → exchange actor → governor round trip → write-ahead
   round trip to the ledger → REST sent → accepted by the simulator → REST answer back.
2. **Memory.** ``openalpha trade --env paper --paper-url`` as a user runs it (its own local Ray)
   against ``openalpha sim`` in another process, with 3 strategies × 2 symbols
   (``mean_reversion``, ``momentum_breakout`` and ``Flip`` on BTCUSDT + ETHUSDT, 15-minute
   bars at 3600x). RSS and PSS of the trade process and every descendant (GCS, raylet, workers,
   i.e. the whole runtime including Ray; the simulator excluded), sampled over the session; the
   growth is the least-squares slope over the second half (after warm-up).
   ``runtime_memory_by_process``: RSS and PSS of each process at the end, by what it is.

Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain import MarketData, interval_ms
from openalpha.strategies.base import Strategy

HERE = Path(__file__).resolve()
KEY, SECRET = "BENCHKEY00000001", "BENCHSECRET000000000000000000001"
START = "2026-05-01"
INTERVAL = "15"
SPEED = 3600.0


class Flip(Strategy):
    """Long half of equity on even bars, short on odd ones: an order on every closed bar."""

    class Params(msgspec.Struct, frozen=True):
        size: float = 0.5

    def warmup(self) -> int:
        return 2

    def targets(self, data: MarketData) -> pd.DataFrame:
        bar = data.index.as_unit("ms").asi8 // interval_ms(data.interval)
        sign = np.where(bar % 2 == 0, 1.0, -1.0)
        return pd.DataFrame({key: sign * self.params.size for key in data.symbols}, index=data.index)


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 2)


def write_config(path: Path, strategies: list[tuple[str, list[str]]]) -> Path:
    # Flip pays a taker fee on every bar: the order-rate cap and the drawdown and daily-loss
    # stops would halt it within a minute. This measures the machinery, so they are wide open.
    lines = ["[environments.paper]", "enabled = true", "", "[risk]", "max_orders_per_minute = 100000",
             "strategy_drawdown_stop = 1.0", "account_drawdown_limit = 1.0", "daily_loss_limit = 1.0"]  # fmt: skip
    for name, symbols in strategies:
        lines += [
            "",
            "[[strategies]]",
            f'name = "{name}"',
            f"symbols = {json.dumps(symbols)}",
            f'interval = "{INTERVAL}"',
            'env = "paper"',
            "capital_fraction = 0.3",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


# -- 1. latency --------------------------------------------------------------------------------
def bench_latency(seconds: float, home: Path) -> None:
    import ray
    from openalpha.actors import names
    from openalpha.actors.launch import start_runtime, stop_runtime, strategy_id
    from openalpha.actors.names import NAMESPACE

    from openalpha.config import load_config
    from openalpha.data.sample import sample_store
    from openalpha.domain import Environment
    from openalpha.live.ids import parse_order_link_id
    from openalpha.live.settings import EnvSettings
    from openalpha.sim.clock import ReplayClock
    from openalpha.sim.server import start_sim_in_thread
    from openalpha.sim.state import SimAccount, SimState
    from openalpha.sim.trading import placing
    from openalpha.sim.ws.conn import WsConn

    pushed: dict[tuple[str, int], float] = {}
    accepted: dict[str, float] = {}
    original_push, original_create = WsConn.push, placing.create

    def push(self: Any, message: dict[str, Any], **kw: Any) -> None:
        topic = str(message.get("topic", ""))
        if topic.startswith("kline.") and message.get("data") and message["data"][0].get("confirm"):
            pushed.setdefault((topic.rsplit(".", 1)[1], int(message["data"][0]["start"])), time.time())
        original_push(self, message, **kw)

    def create(*args: Any, **kw: Any) -> Any:
        order = original_create(*args, **kw)
        if order.order_link_id:
            accepted.setdefault(order.order_link_id, time.time())
        return order

    WsConn.push, placing.create = push, create  # type: ignore[method-assign]
    start_ms = int(pd.Timestamp(START, tz="UTC").value // 1_000_000)
    state = SimState(
        store=sample_store(),
        clock=ReplayClock(start_ms, speed=SPEED),
        accounts=[SimAccount(KEY, SECRET, 10_000.0)],
    )
    url, stop_sim = start_sim_in_thread(state)
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, log_to_driver=False)
    try:
        config = load_config(write_config(home / "latency.toml", [(f"{HERE}:Flip", ["BTCUSDT"])]))
        settings = [EnvSettings(env=Environment.PAPER, base_url=url, sim_api_key=KEY, sim_api_secret=SECRET)]
        control = start_runtime(config, settings, database_url=f"sqlite:///{home / 'latency.db'}")
        window = time.time()
        time.sleep(seconds)
        stamps = [
            stamp
            for name in (
                names.exchange(str(Environment.PAPER)),
                names.strategy(strategy_id(f"{HERE}:Flip", ["BTCUSDT"])),
            )
            for stamp in ray.get(ray.get_actor(name, namespace=NAMESPACE).hop_trace.remote())
        ]
        stop_runtime(control)
        ray.kill(control.supervisor)
        step = interval_ms(INTERVAL)
        latencies = []
        for link, t_accepted in sorted(accepted.items(), key=lambda kv: kv[1]):
            parsed = parse_order_link_id(link)
            t_bar = pushed.get((parsed[1], parsed[2] * step)) if parsed else None
            if t_bar is not None:
                latencies.append((t_accepted - t_bar) * 1000)
        latencies = latencies[5:]  # the first orders meet cold caches
        hops = hop_breakdown(stamps, pushed, accepted, step)
        in_window = [k for k, t in pushed.items() if window <= t <= window + seconds]
        ordered = {(p[1], p[2] * step) for p in map(parse_order_link_id, accepted) if p}
        emit({
            "bench": "runtime_bar_close_to_order_accepted",
            "path": "sim WS push -> exchange actor -> strategy actor -> governor -> ledger -> sim REST",
            "bars_closed_in_window": len(in_window),
            "bars_without_order": sum(k not in ordered for k in in_window),
            "orders": len(latencies),
            "p50_ms": pct(latencies, 50),
            "p90_ms": pct(latencies, 90),
            "p99_ms": pct(latencies, 99),
            "max_ms": round(max(latencies), 2),
            "target_p99_ms": 25,
        })  # fmt: skip
        emit({"bench": "runtime_hops_ms", "orders": hops.pop("orders"), **hops})

        @ray.remote
        class Bare:
            def ping(self) -> bool:
                return True

        bare = Bare.remote()
        ray.get(bare.ping.remote())
        trips = []
        for _ in range(2000):
            t0 = time.perf_counter()
            ray.get(bare.ping.remote())
            trips.append((time.perf_counter() - t0) * 1000)
        emit({"bench": "peer_bare_ray_actor_round_trip", "calls": len(trips), "p50_ms": pct(trips, 50),
              "p99_ms": pct(trips, 99)})  # fmt: skip
    finally:
        ray.shutdown()
        stop_sim()
        WsConn.push, placing.create = original_push, original_create  # type: ignore[method-assign]


# Stamps in path order; each hop is reported as the time since the previous stamp.
HOPS = ["pushed", "bar_received", "bar_fanned", "strategy_start", "targets_done", "apply_start",
        "governor_call", "governor_done", "journal_call", "journal_saved", "rest_sent", "accepted", "rest_returned"]  # fmt: skip


def hop_breakdown(
    stamps: list[tuple[str, str, int, float]],
    pushed: dict[tuple[str, int], float],
    accepted: dict[str, float],
    step: int,
) -> dict[str, Any]:
    """p50/p99 (ms) of each hop of the orders the simulator accepted (first 5 dropped, like the
    end-to-end figure). ``journal_saved`` is the write-ahead record (the first save of the order)."""
    from openalpha.live.ids import parse_order_link_id

    seen: dict[tuple[str, int], dict[str, float]] = {}
    for hop, symbol, seq, t in stamps:
        seen.setdefault((symbol, seq), {}).setdefault(hop, t)
    for (symbol, start), t in pushed.items():
        seen.setdefault((symbol, start // step), {})["pushed"] = t
    for link, t in accepted.items():
        parsed = parse_order_link_id(link)
        if parsed:
            seen.setdefault((parsed[1], parsed[2]), {})["accepted"] = t
    rows = [seen[k] for k in sorted(seen) if all(h in seen[k] for h in HOPS)][5:]
    out: dict[str, Any] = {"orders": len(rows)}
    for before, after in itertools.pairwise(HOPS):
        values = [(row[after] - row[before]) * 1000 for row in rows]
        if values:
            out[f"{before}->{after}"] = {
                "p50": pct(values, 50),
                "p99": pct(values, 99),
                "max": round(max(values), 2),
            }
    return out


# -- 2. memory ---------------------------------------------------------------------------------
def process_label(cmdline: list[str], name: str) -> str:
    """What a runtime process is: ``ray::ExchangeActor`` (a worker, by its title), ``gcs_server``,
    ``raylet``, ``dashboard_agent``, ``log_monitor``, ``openalpha trade`` (the driver), ..."""
    if cmdline and cmdline[0].startswith("ray::"):
        return cmdline[0].split()[0].split(".")[0]
    script = next((Path(a).name for a in cmdline[1:3] if a.endswith(".py")), "")
    scripts = {"agent.py": "dashboard_agent", "main.py": "runtime_env_agent", "dashboard.py": "dashboard_head",
               "log_monitor.py": "log_monitor", "monitor.py": "autoscaler_monitor"}  # fmt: skip
    if script in scripts:
        return scripts[script]
    if "-m" in cmdline and "openalpha" in cmdline:
        return "openalpha " + cmdline[cmdline.index("openalpha") + 1]
    return Path(cmdline[0]).name if cmdline else name


def tree_memory(root: int, exclude: set[int]) -> tuple[float, float, dict[str, float], dict[str, float]]:
    """(RSS MB, PSS MB, ``{label#pid: RSS MB}``, ``{label#pid: PSS MB}``) of ``root`` and its
    descendants, minus ``exclude``."""
    import psutil

    try:
        top = psutil.Process(root)
        procs = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0, {}, {}
    rss = pss = 0.0
    each: dict[str, float] = {}
    each_pss: dict[str, float] = {}
    for proc in procs:
        if proc.pid in exclude:
            continue
        try:
            info = proc.memory_full_info()
            title = process_label(proc.cmdline(), proc.name())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
        key = f"{title}#{proc.pid}"
        each[key] = round(info.rss / 2**20, 1)
        each_pss[key] = round(getattr(info, "pss", info.rss) / 2**20, 1)
    return rss / 2**20, pss / 2**20, each, each_pss


def bench_memory(minutes: float, home: Path) -> None:
    from openalpha.data.sample import SAMPLE_DIR

    env = {**os.environ, "OPENALPHA_HOME": str(home), "RAY_AUTH_MODE": "disabled",
           "OPENALPHA_PAPER_API_KEY": KEY, "OPENALPHA_PAPER_API_SECRET": SECRET}  # fmt: skip
    env.pop("OPENALPHA_DATABASE_URL", None)
    env.pop("RAY_ADDRESS", None)
    sim = subprocess.Popen(
        [sys.executable, "-m", "openalpha", "sim", "--data", str(SAMPLE_DIR), "--api-key", KEY,
         "--api-secret", SECRET, "--balance", "10000", "--start", START, "--speed", str(SPEED)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True,
    )  # fmt: skip
    assert sim.stdout is not None
    url = sim.stdout.readline().split("listening on ", 1)[1].strip()
    config = write_config(
        home / "memory.toml",
        [(name, ["BTCUSDT", "ETHUSDT"]) for name in ("mean_reversion", "momentum_breakout", f"{HERE}:Flip")],
    )
    trade = subprocess.Popen(
        [sys.executable, "-m", "openalpha", "trade", "--env", "paper", "--paper-url", url, "--no-ui",
         "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
    )  # fmt: skip
    up = threading.Event()
    output: list[str] = []

    def read() -> None:
        assert trade.stdout is not None
        for line in trade.stdout:
            output.append(line)
            if line.startswith("runtime up in"):
                up.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not up.wait(300):
            raise RuntimeError("the runtime did not come up:\n" + "".join(output)[-2000:])
        t0 = time.monotonic()
        samples: list[tuple[float, float, float, dict[str, float]]] = []
        each_pss: dict[str, float] = {}
        while (elapsed := time.monotonic() - t0) < minutes * 60:
            rss, pss, each, each_pss = tree_memory(trade.pid, {sim.pid})
            samples.append((elapsed, rss, pss, each))
            time.sleep(5.0)
        middle, last = samples[len(samples) // 2][3], samples[-1][3]
        growth = {k: round(v - middle[k], 1) for k, v in last.items() if k in middle}
        half = [s for s in samples if s[0] >= samples[-1][0] / 2]
        slope_rss = float(np.polyfit([s[0] for s in half], [s[1] for s in half], 1)[0])  # MB per s
        market_hours = minutes * 60 * SPEED / 3600
        emit({
            "bench": "runtime_memory",
            "strategies": 3, "symbols": 2, "interval": INTERVAL, "speed": SPEED,
            "processes": len(samples[-1][3]),
            "rss_mb_start": round(samples[0][1], 1), "rss_mb_end": round(samples[-1][1], 1),
            "rss_mb_max": round(max(s[1] for s in samples), 1),
            "pss_mb_end": round(samples[-1][2], 1),
            "target_mb": 2560,
        })  # fmt: skip
        by_process = [
            {"process": k.split("#")[0], "pid": int(k.split("#")[1]), "rss_mb": v, "pss_mb": each_pss.get(k)}
            for k, v in sorted(samples[-1][3].items(), key=lambda kv: -kv[1])
        ]
        emit({"bench": "runtime_memory_by_process", "processes": by_process})
        emit({
            "bench": "runtime_memory_growth",
            "wall_minutes": minutes, "market_hours": market_hours,
            "rss_slope_mb_per_wall_minute": round(slope_rss * 60, 2),
            "rss_slope_mb_per_market_day": round(slope_rss * 86_400 / SPEED, 2),
            "samples": len(samples),
            "growth_mb_second_half_by_process": dict(sorted(growth.items(), key=lambda kv: -kv[1])[:6]),
        })  # fmt: skip
    finally:
        for proc in (trade, sim):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--latency-s", type=float, default=45.0, help="seconds of trading for the latency run"
    )
    parser.add_argument("--memory-minutes", type=float, default=5.0, help="wall minutes of the memory run")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-latency", action="store_true", help="run only the memory part")
    args = parser.parse_args()
    emit({"bench": "machine", "python": platform.python_version(), "cpus": os.cpu_count(),
          "load_1m": round(os.getloadavg()[0], 2)})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["OPENALPHA_HOME"] = str(home)
        os.environ["RAY_AUTH_MODE"] = "disabled"
        if not args.skip_latency:
            bench_latency(args.latency_s, home)
        if not args.skip_memory:
            bench_memory(args.memory_minutes, home)
    emit({"bench": "machine_after", "load_1m": round(os.getloadavg()[0], 2)})


if __name__ == "__main__":
    main()
