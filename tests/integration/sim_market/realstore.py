"""A Parquet store of real Bybit history (shared data, MANIFEST.md) for the simulator's market
tests and the downloader's tests, plus small helpers to run the simulator on loopback.

Datasets (Dkotl_trade_bot, Bybit): BTCUSDT and ETHUSDT perp 5-minute candles, 1-hour mark
candles and 8-hour funding, BTCUSDT spot 5-minute candles. The files carry no turnover
(``NaN`` in the store; the simulator serves ``"0"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from openalpha.data.store import ParquetStore
from openalpha.sim.clock import ReplayClock
from openalpha.sim.ratelimit import RateLimitConfig, SimRateLimiter
from openalpha.sim.server import start_sim_in_thread
from openalpha.sim.state import SimState

DKOTL = Path("Dkotl_trade_bot/bybit")
MS_2026_05_01 = 1_777_593_600_000
MS_2026_06_01 = 1_780_272_000_000
MS_2026_07_21 = 1_784_592_000_000


def feather_frame(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """A freqtrade feather file as a store frame (``ts`` ms + the mapped float columns)."""
    raw = pd.read_feather(path)
    frame = pd.DataFrame({"ts": raw["date"].dt.as_unit("ms").astype("int64")})
    for dst, src in columns.items():
        frame[dst] = raw[src].astype("float64")
    return frame


OHLCV = {c: c for c in ("open", "high", "low", "close", "volume")}
OHLC = {c: c for c in ("open", "high", "low", "close")}


def build_real_store(
    root: Path,
    shared: Path,
    start_ms: int | None = None,
    end_ms: int | None = None,
    symbols: tuple[str, ...] = ("BTC", "ETH"),
) -> ParquetStore:
    """Real Bybit perp (5 min, 1 h mark, funding) for ``symbols`` and BTC spot 5 min, cut to
    ``[start_ms, end_ms)`` when given."""
    store = ParquetStore(root)

    def cut(frame: pd.DataFrame) -> pd.DataFrame:
        keep = pd.Series(True, index=frame.index)
        if start_ms is not None:
            keep &= frame["ts"] >= start_ms
        if end_ms is not None:
            keep &= frame["ts"] < end_ms
        return frame[keep].reset_index(drop=True)

    fut = shared / DKOTL / "futures"
    for coin in symbols:
        sym = f"{coin}USDT"
        store.write(
            "linear",
            "kline",
            sym,
            "5",
            cut(feather_frame(fut / f"{coin}_USDT_USDT-5m-futures.feather", OHLCV)),
        )
        store.write(
            "linear", "mark", sym, "60", cut(feather_frame(fut / f"{coin}_USDT_USDT-1h-mark.feather", OHLC))
        )
        funding = feather_frame(fut / f"{coin}_USDT_USDT-1h-funding_rate.feather", {"rate": "open"})
        store.write("linear", "funding", sym, "funding", cut(funding))
    spot = feather_frame(shared / DKOTL / "BTC_USDT-5m.feather", OHLCV)
    store.write("spot", "kline", "BTCUSDT", "5", cut(spot))
    return store


@contextmanager
def running_sim(
    store: ParquetStore, clock: ReplayClock | None = None, limits: RateLimitConfig | None = None
) -> Iterator[tuple[str, SimState]]:
    """The simulator on 127.0.0.1 (free port) serving ``store``; yields ``(base_url, state)``."""
    state = SimState(store=store, clock=clock or ReplayClock(), rate_limits=SimRateLimiter(limits))
    url, stop = start_sim_in_thread(state)
    try:
        yield url, state
    finally:
        stop()


def assert_same_as_source(
    target: ParquetStore, source: ParquetStore, category: str = "linear", kinds: tuple[str, ...] | None = None
) -> int:
    """Every source dataset arrived row for row: times and values exactly, turnover as served
    (the shared files have none, the simulator serves "0")."""
    checked = 0
    for ds in source.datasets():
        if ds.category != category or (kinds is not None and ds.kind not in kinds):
            continue
        want = source.read(ds.category, ds.kind, ds.symbol, ds.interval)
        got = target.read(ds.category, ds.kind, ds.symbol, ds.interval)
        assert np.array_equal(got["ts"].to_numpy(), want["ts"].to_numpy()), ds
        assert got["ts"].is_unique and got["ts"].is_monotonic_increasing
        for col in want.columns.drop("ts"):
            if col == "turnover":
                assert (got[col] == 0).all()
            else:
                assert np.array_equal(got[col].to_numpy(), want[col].to_numpy()), (ds, col)
        checked += len(want)
    return checked
