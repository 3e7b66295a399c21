"""Download throughput from the simulator at Bybit's default rate limits, as a fraction of the bound.

    /tmp/venv/bin/python benchmarks/bench_download.py [--concurrency 16]

Bound: Bybit allows 600 requests per 5 s per IP (BYBIT_V5.md §7) and a kline request returns at
most 1000 candles, so no client can sustain more than 120 req/s = 120,000 rows/s. (Over a run
shorter than 5 s the first window would allow up to 600 requests; the sustained bound is used.)

Data: every real Bybit 5-minute candle in the shared data (MANIFEST.md): BTCUSDT, ETHUSDT,
SOLUSDT perpetual (Logashan 2025-04..08 + Dkotl 2025-09..2026-07) and spot (Logashan + Dkotl),
about 0.5 M rows, put in a temporary store that ``openalpha sim`` serves from a separate process
with Bybit's default limits enforced (as the real exchange would: a client that exceeds them is
refused with 403/10006). Each source is downloaded as its own contiguous range (the months
between sources are not requested), after one warm-up request per dataset.

The openalpha variants download everything ``--repeat`` times (fresh stores, one rate limiter),
so the run spans several 5 s windows and the first window's allowance does not flatter it.

Measured in the same run, against the same simulator, each into an empty store:
* ``openalpha`` — ``openalpha data download``'s engine, ``--concurrency`` requests in flight;
* ``openalpha-sequential`` — the same engine, one request at a time;
* ``pybit-sequential`` — pybit's ``HTTP.get_kline`` in a loop over the same 1000-candle windows
  (perpetuals only; rows decoded to floats, not stored), the usual way scripts download.

One JSON line per variant, then a summary line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENALPHA_SHARED_DATA", REPO.parent / "shared" / "data"))
BOUND_REQ_S = 600 / 5
BOUND_ROWS_S = BOUND_REQ_S * 1000
COINS = ("BTC", "ETH", "SOL")
SOURCES = {
    "linear": ["Logashan_freqtrade-news-ml/bybit/futures/{c}_USDT_USDT-5m-futures.feather",
               "Dkotl_trade_bot/bybit/futures/{c}_USDT_USDT-5m-futures.feather"],
    "spot": ["Logashan_freqtrade-news-ml/bybit/{c}_USDT-5m.feather", "Dkotl_trade_bot/bybit/{c}_USDT-5m.feather"],
}  # fmt: skip


Segment = tuple[str, int, int]  # (category, first ts, last ts + 5 min) of one source file set


def build_store(root: Path) -> tuple[list[Segment], int]:
    """The source store; returns the contiguous segments (one per source and category: the
    sources do not touch, and a downloader would spend requests on the months between them)."""
    from openalpha.data.store import ParquetStore

    store = ParquetStore(root)
    segments: list[Segment] = []
    for category, patterns in SOURCES.items():
        for pattern in patterns:
            firsts, lasts = [], []
            for coin in COINS:
                raw = pd.read_feather(SHARED / pattern.format(c=coin))
                frame = pd.DataFrame({"ts": raw["date"].dt.as_unit("ms").astype("int64")})
                for col in ("open", "high", "low", "close", "volume"):
                    frame[col] = raw[col].astype("float64")
                store.write(category, "kline", f"{coin}USDT", "5", frame)
                firsts.append(int(frame["ts"].min()))
                lasts.append(int(frame["ts"].max()))
            segments.append((category, min(firsts), max(lasts) + 300_000))
    rows = sum(d.rows for d in store.datasets())
    return segments, rows


def warm_up(url: str) -> None:
    """One request per dataset, so the simulator has its in-memory copies before timing (the real
    exchange has no cold start)."""
    import requests

    for category in SOURCES:
        for coin in COINS:
            params = {"category": category, "symbol": f"{coin}USDT", "interval": "5", "limit": 1}
            requests.get(url + "/v5/market/kline", params=params, timeout=60).raise_for_status()


def start_sim(store_root: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openalpha", "sim", "--port", "0", "--data", str(store_root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return proc, line.removeprefix("listening on ")


async def run_openalpha(url: str, segments: list[Segment], concurrency: int, repeat: int) -> dict[str, float]:
    from openalpha.exchange.ratelimit import RateLimiter

    limiter = RateLimiter.for_category()  # one limiter for the whole run, as one CLI call has
    rows = requests = 0
    t0 = time.perf_counter()
    for _ in range(repeat):
        totals = {"rows": 0, "requests": 0}
        await _download_all(url, segments, concurrency, limiter, totals)
        rows += totals["rows"]
        requests += totals["requests"]
    return {"rows": rows, "requests": requests, "seconds": time.perf_counter() - t0}


async def _download_all(
    url: str, segments: list[Segment], concurrency: int, limiter: object, totals: dict[str, int]
) -> None:
    from openalpha.data.download import DownloadSpec, run_download
    from openalpha.data.store import ParquetStore

    with tempfile.TemporaryDirectory() as tmp:
        for category, start, end in segments:
            symbols = tuple(f"{c}USDT" for c in COINS)
            spec = DownloadSpec(symbols, ("5",), start, end, category, ("kline",))
            result = await run_download(
                spec,
                ParquetStore(tmp),
                url,
                limiter=limiter,  # type: ignore[arg-type]
                concurrency=concurrency,
            )
            totals["rows"] += result.progress.rows
            totals["requests"] += result.progress.requests
            if result.progress.throttled:
                raise SystemExit(f"refused {result.progress.throttled}x at default limits")


def run_pybit(url: str, segments: list[Segment]) -> dict[str, float]:
    from pybit.unified_trading import HTTP

    from openalpha.exchange.bybit.market_client import rows_to_frame

    session = HTTP()
    session.endpoint = url
    rows = requests = 0
    t0 = time.perf_counter()
    for category, first, end in segments:
        if category != "linear":
            continue
        for coin in COINS:
            a = first
            while a < end:
                b = min(a + 999 * 300_000, end - 300_000)
                got = session.get_kline(
                    category=category, symbol=f"{coin}USDT", interval="5", start=a, end=b, limit=1000
                )
                rows += len(rows_to_frame(got["result"]["list"], "kline"))
                requests += 1
                a = b + 300_000
    return {"rows": rows, "requests": requests, "seconds": time.perf_counter() - t0}


def line(variant: str, m: dict[str, float], note: str) -> dict[str, object]:
    req_s, rows_s = m["requests"] / m["seconds"], m["rows"] / m["seconds"]
    return {
        "bench": "download",
        "variant": variant,
        "rows": int(m["rows"]),
        "requests": int(m["requests"]),
        "seconds": round(m["seconds"], 3),
        "req_per_s": round(req_s, 1),
        "rows_per_s": round(rows_s),
        "bound_rows_per_s": BOUND_ROWS_S,
        "fraction_of_bound": round(rows_s / BOUND_ROWS_S, 3),
        "fraction_of_request_bound": round(req_s / BOUND_REQ_S, 3),
        "note": note,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="download everything this many times (fresh stores, one limiter)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        segments, total = build_store(Path(tmp) / "source")
        proc, url = start_sim(Path(tmp) / "source")
        try:
            warm_up(url)
            time.sleep(5.5)  # let the simulator's 5 s IP window empty before each variant
            ours = asyncio.run(run_openalpha(url, segments, args.concurrency, args.repeat))
            time.sleep(5.5)
            seq = asyncio.run(run_openalpha(url, segments, 1, args.repeat))
            time.sleep(5.5)
            peer = run_pybit(url, segments)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    results = [
        line("openalpha", ours, f"concurrency {args.concurrency}, rows stored, {args.repeat} rounds"),
        line("openalpha-sequential", seq, f"concurrency 1, rows stored, {args.repeat} rounds"),
        line(
            "pybit-sequential",
            peer,
            "HTTP.get_kline loop, perpetuals only, rows decoded not stored; pybit does no client-side rate "
            "limiting, so its rate is bounded only while its requests fit the first 5 s window's 600 "
            "(a longer run is refused with HTTP 403)",
        ),
    ]
    for r in results:
        print(json.dumps(r))
    summary = {
        "bench": "download",
        "summary": True,
        "source_rows": total,
        "target_fraction": 0.9,
        "openalpha_fraction_of_bound": results[0]["fraction_of_bound"],
        "openalpha_fraction_of_request_bound": results[0]["fraction_of_request_bound"],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
