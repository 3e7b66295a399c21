"""Fixtures for the simulator contract tests: a store of real Bybit data and a running simulator.

The store holds real BTCUSDT perp 5-minute bars and 8-hour funding (Logashan freqtrade download,
MANIFEST.md) and BTCUSDT spot 5-minute bars. The simulator runs on loopback in a thread with a
:class:`ManualClock`: market time moves only when a test says so, wall time stays real (pybit
signs with the wall clock, BYBIT_V5.md §1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from openalpha.data.store import ParquetStore
from openalpha.sim.clock import ReplayClock
from openalpha.sim.state import SimAccount, SimState

KEY, SECRET = "SIMKEY0000000001", "SIMSECRET00000000000000000000001"
KEY2, SECRET2 = "SIMKEY0000000002", "SIMSECRET00000000000000000000002"
# 2025-05-01 00:00 UTC: inside the stored range, two months of history after it.
START_MS = 1_746_057_600_000
LOGASHAN = "Logashan_freqtrade-news-ml/bybit"


class ManualClock(ReplayClock):
    """Market time set by the test; wall time real."""

    def __init__(self, start_ms: int) -> None:
        super().__init__(start_ms, 1.0)
        self.market_ms = start_ms

    def now_ms(self) -> int:
        return self.market_ms

    def advance(self, ms: int) -> None:
        self.market_ms += ms


def _bars(path: Path) -> pd.DataFrame:
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


def build_store(root: Path, shared: Path) -> ParquetStore:
    store = ParquetStore(root)
    base = shared / LOGASHAN
    store.write("linear", "kline", "BTCUSDT", "5", _bars(base / "futures/BTC_USDT_USDT-5m-futures.feather"))
    store.write("spot", "kline", "BTCUSDT", "5", _bars(base / "BTC_USDT-5m.feather"))
    funding = pd.read_feather(base / "futures/BTC_USDT_USDT-8h-funding_rate.feather")
    store.write(
        "linear",
        "funding",
        "BTCUSDT",
        "funding",
        pd.DataFrame(
            {"ts": (funding["date"].astype("int64") // 1_000_000).astype("int64"), "rate": funding["open"]}
        ),
    )
    return store


@pytest.fixture(scope="session")
def sim_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> ParquetStore:
    return build_store(tmp_path_factory.mktemp("simstore"), shared_data)


@dataclass
class RunningSim:
    url: str
    clock: ManualClock
    state: SimState

    @property
    def engine(self) -> Any:
        return self.state.extensions["trading.engine"]

    def advance(self, ms: int) -> None:
        self.clock.advance(ms)


def start(store: ParquetStore, **extensions: Any) -> tuple[RunningSim, Any]:
    from openalpha.sim.server import start_sim_in_thread

    clock = ManualClock(START_MS)
    state = SimState(
        store=store,
        clock=clock,
        accounts=[SimAccount(KEY, SECRET, 100_000.0), SimAccount(KEY2, SECRET2, 1_000.0)],
        seed=7,
    )
    state.extensions.update(extensions)
    url, stop = start_sim_in_thread(state)
    return RunningSim(url, clock, state), stop


@pytest.fixture
def sim(sim_store: ParquetStore) -> Iterator[RunningSim]:
    running, stop = start(sim_store)
    try:
        yield running
    finally:
        stop()
