"""Fixtures: one month of real Bybit history in a store, served by the simulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openalpha.data.resample import resample_bars
from openalpha.data.store import ParquetStore
from openalpha.sim.clock import ReplayClock
from tests.integration.sim_market.realstore import MS_2026_05_01, MS_2026_06_01, build_real_store, running_sim

# Market time for the replay tests: 2026-05-20 10:17:00 UTC, inside the stored month.
REPLAY_NOW = 1_779_272_220_000


class FrozenClock(ReplayClock):
    """Market time fixed by the test (wall time real, for rate-limit windows)."""

    def __init__(self, now_ms: int) -> None:
        super().__init__(now_ms, 1.0)
        self.market_ms = now_ms

    def now_ms(self) -> int:
        return self.market_ms


@pytest.fixture(scope="module")
def month_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ParquetStore:
    store = build_real_store(tmp_path_factory.mktemp("sim_market"), shared_data, MS_2026_05_01, MS_2026_06_01)
    # Hourly candles resampled from the real 5-minute ones (the forming-candle test needs both).
    five = store.read("linear", "kline", "BTCUSDT", "5")
    store.write("linear", "kline", "BTCUSDT", "60", resample_bars(five, "5", "60"))
    return store


@pytest.fixture(scope="module")
def sim_url(month_store: ParquetStore) -> Iterator[str]:
    """The simulator with the wall clock (all stored candles are closed)."""
    with running_sim(month_store) as (url, _):
        yield url


@pytest.fixture(scope="module")
def replay_url(month_store: ParquetStore) -> Iterator[str]:
    """The simulator with market time frozen at :data:`REPLAY_NOW`."""
    with running_sim(month_store, FrozenClock(REPLAY_NOW)) as (url, _):
        yield url
