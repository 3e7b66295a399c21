"""Load 1.5 M one-minute bars into a DataFrame: the Parquet store vs CSV vs freqtrade's feather.

    /tmp/venv/bin/python benchmarks/bench_data_load.py [--rows 1500000] [--repeat 5]

No 1.5 M-row real one-minute series exists in the shared data (the longest, WIFUSDT, has 44 k
rows), so the bars are real Bybit BTCUSDT 5 min candles (Dkotl_trade_bot, 86,604 rows) tiled
until 1.5 M rows, with timestamps re-spaced to one minute from 2023-01-01. Every reader ends
with the same frame: float64 open/high/low/close/volume indexed by a UTC DatetimeIndex.

Readers, measured in this run on the same rows:
* ``openalpha.load_bars``     — the store (Parquet, zstd) → indexed frame (the API users call);
* ``pandas.read_csv``         — a CSV of the same rows (ms timestamps), C engine, then indexed;
* ``pandas.read_csv[pyarrow]``— the same CSV with pandas' pyarrow engine;
* ``freqtrade.feather``       — freqtrade's layout (``date`` datetime64 UTC + OHLCV, lz4 level 9,
  as its feather data handler writes it) read with ``pandas.read_feather``, then indexed.

Prints one JSON line per reader (best and median of ``--repeat`` runs), then a summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from openalpha.data.load import load_bars
from openalpha.data.store import ParquetStore

REPO = Path(__file__).resolve().parent.parent
SOURCE = Path("Dkotl_trade_bot/bybit/futures/BTC_USDT_USDT-5m-futures.feather")
START_MS = 1_672_531_200_000  # 2023-01-01 00:00 UTC
COLS = ["open", "high", "low", "close", "volume"]


def shared_data() -> Path:
    path = Path(os.environ.get("OPENALPHA_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not (path / "MANIFEST.md").exists():
        sys.exit(f"real market data not found at {path} (set OPENALPHA_SHARED_DATA)")
    return path


def build_rows(n: int) -> pd.DataFrame:
    raw = pd.read_feather(shared_data() / SOURCE)
    reps = -(-n // len(raw))
    frame = pd.DataFrame({c: np.tile(raw[c].to_numpy(dtype=np.float64), reps)[:n] for c in COLS})
    frame.insert(0, "ts", START_MS + np.arange(n, dtype=np.int64) * 60_000)
    return frame


def indexed(ts: np.ndarray, values: pd.DataFrame) -> pd.DataFrame:
    out = values[COLS]
    out.index = pd.DatetimeIndex(np.asarray(ts, dtype=np.int64) * 1_000_000, tz="UTC", name="time")
    return out


def timed(fn: Callable[[], pd.DataFrame], repeat: int) -> tuple[list[float], pd.DataFrame]:
    times, result = [], pd.DataFrame()
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_500_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    frame = build_rows(args.rows)
    with tempfile.TemporaryDirectory(prefix="oa-bench-") as tmp:
        root = Path(tmp)
        store = ParquetStore(root / "store")
        t0 = time.perf_counter()
        store.write("linear", "kline", "BTCUSDT", "1", frame)
        write_s = time.perf_counter() - t0
        csv = root / "BTCUSDT-1m.csv"
        frame.to_csv(csv, index=False)
        feather = root / "BTC_USDT_USDT-1m-futures.feather"
        ft = frame.drop(columns="ts")
        ft.insert(0, "date", pd.to_datetime(frame["ts"], unit="ms", utc=True))
        ft.to_feather(feather, compression="lz4", compression_level=9)

        def read_csv(engine: str) -> Callable[[], pd.DataFrame]:
            def run() -> pd.DataFrame:
                df = pd.read_csv(csv, engine=engine)
                return indexed(df["ts"].to_numpy(), df)

            return run

        def read_feather() -> pd.DataFrame:
            df = pd.read_feather(feather)
            out = df[COLS]
            out.index = pd.DatetimeIndex(df["date"], name="time").as_unit("ns")
            return out

        readers: dict[str, tuple[Callable[[], pd.DataFrame], Path]] = {
            "openalpha.load_bars": (lambda: load_bars("BTCUSDT", "1", store=store)[COLS], store.path("linear", "kline", "BTCUSDT", "1")),
            "pandas.read_csv": (read_csv("c"), csv),
            "pandas.read_csv[pyarrow]": (read_csv("pyarrow"), csv),
            "freqtrade.feather": (read_feather, feather),
        }  # fmt: skip
        reference = indexed(frame["ts"].to_numpy(), frame)
        results = {}
        for name, (fn, path) in readers.items():
            times, out = timed(fn, args.repeat)
            pd.testing.assert_frame_equal(out, reference, check_freq=False)  # same rows, same values
            best, median = min(times), statistics.median(times)
            results[name] = best
            print(json.dumps({
                "bench": "data_load", "reader": name, "rows": len(out), "best_s": round(best, 4),
                "median_s": round(median, 4), "rows_per_s": round(len(out) / best), "file_mb": round(path.stat().st_size / 1e6, 2),
            }))  # fmt: skip
    ours = results["openalpha.load_bars"]
    print(json.dumps({
        "bench": "data_load", "summary": True, "rows": args.rows, "repeat": args.repeat, "store_write_s": round(write_s, 3),
        "speedup_vs": {k: round(v / ours, 2) for k, v in results.items() if k != "openalpha.load_bars"},
        "data": f"real Bybit BTCUSDT 5m OHLCV ({SOURCE}) tiled to {args.rows} rows, timestamps re-spaced to 1 min",
        "python": platform.python_version(), "pandas": pd.__version__, "cpus": os.cpu_count(),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
