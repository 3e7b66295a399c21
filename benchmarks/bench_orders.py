"""Order round trips through the Bybit adapter against the simulator, and a year-long replay.

    /tmp/venv/bin/python benchmarks/bench_orders.py [--orders 2000] [--skip-replay]

1. **Round trips.** The simulator runs as a separate process (``openalpha sim``, rate limits
   off: Bybit itself allows 10 orders/s per UID, the point here is the machinery's cost) over a
   store of real BTCUSDT 5-minute bars. ``BybitExchange`` (pybit ``HTTP`` underneath, client
   limiter disabled) alternately places a resting limit order (signed POST /v5/order/create)
   and cancels it (POST /v5/order/cancel); every call is one timed round trip. Peer, same run:
   a bare aiohttp echo server in its own process hit by ``requests.Session`` with the same
   number of POSTs — the floor for any HTTP client/server pair in Python on this machine.
2. **Replay.** One year of one-minute bars for BTCUSDT and ETHUSDT through the matching engine
   in-process (no HTTP), with a strategy that trades every hour (one-hour momentum: long when the
   last hour closed up, short otherwise, 0.01 BTC / 0.1 ETH, 20x) — funding every 8 h, fees,
   liquidation checks included. No real year of 1-minute bars exists in the shared data, so each
   real 15-minute Bybit bar (mohsenjfar_trade 2024-2025) is split into 15 one-minute bars along
   open→high→low→close (volume split evenly); the funding series is the real 8-hourly one.

Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENALPHA_SHARED_DATA", REPO.parent / "shared" / "data"))
KEY, SECRET = "BENCHKEY00000001", "BENCHSECRET000000000000000000001"
PY = sys.executable

ECHO_SERVER = """
import sys
from aiohttp import web
async def echo(request):
    body = await request.read()
    return web.Response(body=b'{"retCode":0,"retMsg":"OK","result":{},"retExtInfo":{},"time":0}',
                        content_type="application/json")
app = web.Application()
app.router.add_route("*", "/{tail:.*}", echo)
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
print(f"listening on http://127.0.0.1:{port}", flush=True)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
"""


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def spawn(cmd: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return proc, line.strip().split()[-1]


def feather_bars(path: Path) -> pd.DataFrame:
    df = pd.read_feather(path)
    ts = (df["date"].astype("int64") // 1_000_000).astype("int64")
    return pd.DataFrame(
        {
            "ts": ts,
            "open": df["open"],
            "high": df["high"],
            "low": df["low"],
            "close": df["close"],
            "volume": df["volume"],
            "turnover": df["volume"] * df["close"],
        }
    )


def latency_stats(name: str, samples: list[float], wall: float, extra: dict[str, Any]) -> dict[str, Any]:
    ms = np.array(samples) * 1000
    return {
        "bench": "order_round_trip",
        "impl": name,
        "round_trips": len(samples),
        "per_s": round(len(samples) / wall, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(float(ms.max()), 3),
        **extra,
    }


def bench_round_trips(n: int) -> None:
    import requests

    from openalpha.data.store import ParquetStore
    from openalpha.domain import Category, OrderRequest, OrderType, Side
    from openalpha.exchange.bybit.adapter import BybitExchange
    from openalpha.exchange.ratelimit import RateLimiter
    from openalpha.venue.rate_limits import RateLimit

    root = Path(tempfile.mkdtemp(prefix="bench-orders-"))
    store = ParquetStore(root)
    store.write(
        "linear",
        "kline",
        "BTCUSDT",
        "5",
        feather_bars(SHARED / "Logashan_freqtrade-news-ml/bybit/futures/BTC_USDT_USDT-5m-futures.feather"),
    )
    sim, url = spawn(
        [
            PY,
            "-m",
            "openalpha",
            "sim",
            "--port",
            "0",
            "--data",
            str(root),
            "--api-key",
            KEY,
            "--api-secret",
            SECRET,
            "--start",
            "2025-05-01",
            "--speed",
            "1",
            "--no-rate-limits",
        ]
    )
    echo, echo_url = spawn([PY, "-c", ECHO_SERVER])
    try:
        unlimited = RateLimiter(RateLimit(10**9, 1000), {})
        ex = BybitExchange("paper", KEY, SECRET, base_url=url, limiter=unlimited)
        ex.instrument("BTCUSDT")
        samples: list[float] = []
        for i in range(50):  # warm-up
            ex.place_order(
                OrderRequest(
                    symbol="BTCUSDT",
                    category=Category.LINEAR,
                    side=Side.BUY,
                    order_type=OrderType.LIMIT,
                    qty=Decimal("0.001"),
                    price=Decimal("50000"),
                    order_link_id=f"w{i}",
                )
            )
            ex.cancel_order("BTCUSDT", Category.LINEAR, f"w{i}")
        t0 = time.perf_counter()
        for i in range(n // 2):
            a = time.perf_counter()
            ex.place_order(
                OrderRequest(
                    symbol="BTCUSDT",
                    category=Category.LINEAR,
                    side=Side.BUY,
                    order_type=OrderType.LIMIT,
                    qty=Decimal("0.001"),
                    price=Decimal("50000"),
                    order_link_id=f"b{i}",
                )
            )
            b = time.perf_counter()
            ex.cancel_order("BTCUSDT", Category.LINEAR, f"b{i}")
            c = time.perf_counter()
            samples += [b - a, c - b]
        wall = time.perf_counter() - t0
        ours = latency_stats(
            "openalpha adapter -> simulator", samples, wall, {"requests": "place+cancel, signed"}
        )
        emit(ours)
        session = requests.Session()
        body = json.dumps(
            {
                "category": "linear",
                "symbol": "BTCUSDT",
                "side": "Buy",
                "orderType": "Limit",
                "qty": "0.001",
                "price": "50000",
            }
        )
        for _ in range(50):
            session.post(echo_url + "/v5/order/create", data=body, timeout=5)
        echo_samples: list[float] = []
        t0 = time.perf_counter()
        for _ in range(n):
            a = time.perf_counter()
            session.post(echo_url + "/v5/order/create", data=body, timeout=5).json()
            echo_samples.append(time.perf_counter() - a)
        wall = time.perf_counter() - t0
        peer = latency_stats(
            "bare aiohttp echo (requests.Session)", echo_samples, wall, {"requests": "POST, unsigned"}
        )
        emit(peer)
        emit(
            {
                "bench": "order_round_trip",
                "summary": True,
                "ratio_vs_echo": round(ours["per_s"] / peer["per_s"], 3),
                "target": ">= 1000/s and p99 <= 10 ms",
                "meets_target": ours["per_s"] >= 1000 and ours["p99_ms"] <= 10,
            }
        )
    finally:
        for proc in (sim, echo):
            proc.terminate()
            proc.wait(timeout=10)


def one_minute_from_15(frame: pd.DataFrame) -> pd.DataFrame:
    """Split each 15-minute bar into 15 one-minute bars along open->high->low->close."""
    o, h, l_, c = (frame[k].to_numpy() for k in ("open", "high", "low", "close"))
    knots = np.stack([o, h, l_, c], axis=1)  # 4 knots over 15 minutes
    x = np.array([0.0, 5.0, 10.0, 15.0])
    grid = np.arange(16, dtype=float)
    path = np.stack([np.interp(grid, x, k) for k in knots])  # (n, 16)
    opens, closes = path[:, :-1], path[:, 1:]
    highs, lows = np.maximum(opens, closes), np.minimum(opens, closes)
    ts = frame["ts"].to_numpy()[:, None] + np.arange(15)[None, :] * 60_000
    vol = np.repeat(frame["volume"].to_numpy()[:, None] / 15, 15, axis=1)
    return pd.DataFrame(
        {
            "ts": ts.ravel(),
            "open": opens.ravel(),
            "high": highs.ravel(),
            "low": lows.ravel(),
            "close": closes.ravel(),
            "volume": vol.ravel(),
        }
    )


def bench_replay() -> None:
    from openalpha.domain import Category
    from openalpha.sim.trading.engine import Engine
    from openalpha.sim.trading.feed import MarketFeed, series_from_frames
    from openalpha.sim.trading.placing import NewOrder, create, set_leverage
    from openalpha.venue import default_instrument, risk_tiers_for

    start = 1_704_067_200_000  # 2024-01-01
    end = start + 365 * 86_400_000
    feed = MarketFeed()
    instruments = {}
    sizes = {"BTCUSDT": Decimal("0.01"), "ETHUSDT": Decimal("0.1")}
    bars_total = 0
    base = SHARED / "mohsenjfar_trade"
    for sym, coin in (("BTCUSDT", "BTC"), ("ETHUSDT", "ETH")):
        raw = feather_bars(base / f"e1a2d25d/bybit/futures/{coin}_USDT_USDT-15m-futures.feather")
        raw = raw[(raw["ts"] >= start) & (raw["ts"] < end)]
        fund = pd.read_feather(base / f"05394495/bybit/futures/{coin}_USDT_USDT-1h-funding_rate.feather")
        funding = pd.DataFrame(
            {"ts": (fund["date"].astype("int64") // 1_000_000).astype("int64"), "rate": fund["open"]}
        )
        minute = one_minute_from_15(raw)
        bars_total += len(minute)
        feed.add(Category.LINEAR, sym, series_from_frames(minute, "1", funding=funding))
        inst = default_instrument(sym)
        instruments[(Category.LINEAR, sym)] = type(inst)(
            **{**{f: getattr(inst, f) for f in inst.__struct_fields__}, "risk_tiers": risk_tiers_for(sym)}
        )
    clock_ms = [start + 3_600_000]
    engine = Engine(instruments, feed, lambda: clock_ms[0], seed=1)
    acct = engine.add_account("A", "s", Decimal(1_000_000))
    engine.sync()
    for sym in sizes:
        set_leverage(engine, acct, "linear", sym, "20", "20")
    orders = 0
    t0 = time.perf_counter()
    while clock_ms[0] < end:
        clock_ms[0] += 3_600_000
        engine.sync()
        for sym, size in sizes.items():
            series = feed.get(Category.LINEAR, sym)
            i = series.last_closed(clock_ms[0])
            if i < 60:
                continue
            want = size if series.close[i] > series.close[i - 60] else -size
            have = acct.positions[sym].size if sym in acct.positions else Decimal(0)
            delta = want - have
            if delta != 0:
                create(
                    engine,
                    acct,
                    NewOrder(
                        category="linear",
                        symbol=sym,
                        side="Buy" if delta > 0 else "Sell",
                        order_type="Market",
                        qty=abs(delta),
                    ),
                )
                orders += 1
    wall = time.perf_counter() - t0
    funding = sum(1 for e in acct.executions if e.exec_type == "Funding")
    emit(
        {
            "bench": "replay_year_1m_two_symbols",
            "bars": bars_total,
            "hours": 8760,
            "orders": orders,
            "funding_settlements": funding,
            "executions": len(acct.executions),
            "wall_s": round(wall, 2),
            "bars_per_s": round(bars_total / wall),
            "target": "< 60 s",
            "meets_target": wall < 60,
            "wallet_usdt": str(acct.coins["USDT"].quantize(Decimal("0.01"))),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--skip-replay", action="store_true")
    args = parser.parse_args()
    emit(
        {
            "bench": "env",
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
        }
    )
    bench_round_trips(args.orders)
    if not args.skip_replay:
        bench_replay()


if __name__ == "__main__":
    main()
