"""Pieces of the graduation integration test: a replay clock the test can pause and speed up,
a temporary store of real Bybit BTCUSDT 5-minute bars with one crafted segment, and a sweep
run written from a real backtest.

The crafted segment (the only synthetic data): from ``crash_ms - 14 bars`` the close climbs
0.4 % a bar (so a trend follower goes long), then the bar at ``crash_ms`` opens 10 % lower
and the price keeps sliding for six bars — the simulator moving against the strategy.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from openalpha.backtest.config import BacktestConfig
from openalpha.backtest.engine import run_backtest
from openalpha.data.sample import sample_store
from openalpha.data.store import ParquetStore
from openalpha.domain import MarketData
from openalpha.sim.clock import ReplayClock
from openalpha.store import Ledger, RunRecord
from openalpha.strategies.registry import get_strategy_class

STEP = 300_000


class SteeredClock(ReplayClock):
    """Market time that starts paused and keeps its continuity across pauses and speed changes."""

    def __init__(self, start_ms: int, speed: float) -> None:
        super().__init__(start_ms, speed=speed)
        self._base = start_ms
        self._wall0 = time.time()
        self._paused = True

    def now_ms(self) -> int:
        if self._paused:
            return self._base
        return self._base + int((time.time() - self._wall0) * 1000 * self.speed)

    def steer(self, *, speed: float | None = None, paused: bool | None = None) -> None:
        self._base = self.now_ms()
        self._wall0 = time.time()
        if speed is not None:
            self.speed = speed
        if paused is not None:
            self._paused = paused


def crafted_store(root: Path, start_ms: int, crash_ms: int) -> ParquetStore:
    """Real BTCUSDT perp 5-minute bars and funding (shipped sample) around ``start_ms``, with the
    crafted segment at ``crash_ms``."""
    sample = sample_store()
    bars = sample.read("linear", "kline", "BTCUSDT", "5")
    bars = bars[(bars["ts"] >= start_ms - 20 * 86_400_000) & (bars["ts"] < crash_ms + 2 * 86_400_000)]
    bars = bars.reset_index(drop=True).copy()
    first = int(np.searchsorted(bars["ts"].to_numpy(), crash_ms - 14 * STEP))
    crash = first + 14
    assert int(bars["ts"].iloc[crash]) == crash_ms, "the sample has a hole where the segment goes"
    price = float(bars["close"].iloc[first - 1])
    for i in range(first, crash + 30):
        if i < crash:
            o, c = price, price * 1.004
        elif i == crash:
            o, c = price * 0.90, price * 0.90 * 0.995
        else:
            o, c = price, price * (0.995 if i < crash + 6 else 1.0)
        bars.loc[i, ["open", "high", "low", "close"]] = [o, max(o, c) * 1.0005, min(o, c) * 0.9995, c]
        price = c
    store = ParquetStore(root)
    store.write("linear", "kline", "BTCUSDT", "5", bars)
    store.write(
        "linear", "funding", "BTCUSDT", "funding", sample.read("linear", "funding", "BTCUSDT", "funding")
    )
    return store


def history(store: ParquetStore, end_ms: int, days: int) -> MarketData:
    raw = store.read("linear", "kline", "BTCUSDT", "5")
    raw = raw[(raw["ts"] >= end_ms - days * 86_400_000) & (raw["ts"] < end_ms)]
    index = pd.DatetimeIndex(pd.to_datetime(raw["ts"], unit="ms", utc=True))
    frame = pd.DataFrame(raw[["open", "high", "low", "close", "volume"]].to_numpy(), index=index,
                         columns=["open", "high", "low", "close", "volume"])  # fmt: skip
    return MarketData(interval="5", bars={"BTCUSDT": frame})


def write_sweep_run(
    runs: Path, ledger_url: str, store: ParquetStore, end_ms: int, params: dict[str, object]
) -> str:
    """A sweep run whose out-of-sample numbers come from a real backtest of the strategy over the
    week before ``end_ms``; verdict, PBO and DSR are crafted (a real sweep takes minutes)."""
    result = run_backtest(
        get_strategy_class("sma_cross")(**params), history(store, end_ms, 7), BacktestConfig()
    )
    m = result.metrics
    run_id = "20260601-000000-sweep-sma_cross"
    oos = {"n_trades": int(m["trades"]), "max_drawdown": float(m["max_drawdown"]), "sharpe": float(m["sharpe"]),
           "total_return": float(m["total_return"])}  # fmt: skip
    header = {
        "id": run_id, "kind": "sweep", "name": "sma_cross", "strategy": "sma_cross", "symbols": ["BTCUSDT"],
        "interval": "5", "created": "2026-06-01T00:00:00+00:00", "verdict": "pass",
        "summary": {"pbo": 0.2, "dsr": {"dsr": 0.97}, "oos_metrics": oos, "montecarlo": []},
    }  # fmt: skip
    (runs / run_id).mkdir(parents=True)
    (runs / run_id / "run.json").write_text(json.dumps(header), encoding="utf-8")
    with Ledger.open(ledger_url) as ledger:
        ledger.registry.record_run(
            RunRecord(run_id=run_id, kind="sweep", strategy="sma_cross", created_ts=end_ms, path=run_id,
                      status="finished", metrics={"verdict": "pass", "pbo": 0.2, "dsr": 0.97})
        )  # fmt: skip
    return run_id
