"""An engine over real Bybit BTCUSDT 5-minute bars and 8-hour funding (no sockets, no store)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import msgspec
import pandas as pd
import pytest

from openalpha.domain import Category
from openalpha.sim.trading.engine import Engine
from openalpha.sim.trading.feed import MarketFeed, series_from_frames
from openalpha.venue import default_instrument, risk_tiers_for

START_MS = 1_746_057_600_000  # 2025-05-01 00:00 UTC
BASE = "Logashan_freqtrade-news-ml/bybit"


def _frame(path: Path) -> pd.DataFrame:
    df = pd.read_feather(path)
    out = df.rename(columns={"date": "ts"})
    out["ts"] = (df["date"].astype("int64") // 1_000_000).astype("int64")
    return out


@pytest.fixture(scope="session")
def btc_frames(shared_data: Path) -> dict[str, pd.DataFrame]:
    bars = _frame(shared_data / BASE / "futures/BTC_USDT_USDT-5m-futures.feather")
    spot = _frame(shared_data / BASE / "BTC_USDT-5m.feather")
    funding = _frame(shared_data / BASE / "futures/BTC_USDT_USDT-8h-funding_rate.feather")
    funding = funding.rename(columns={"open": "rate"})[["ts", "rate"]]
    return {"bars": bars, "spot": spot, "funding": funding}


class Clock:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def make_engine(
    frames: dict[str, pd.DataFrame], seed: int = 1, balance: str = "100000"
) -> tuple[Engine, Clock]:
    feed = MarketFeed()
    feed.add(Category.LINEAR, "BTCUSDT", series_from_frames(frames["bars"], "5", funding=frames["funding"]))
    feed.add(Category.SPOT, "BTCUSDT", series_from_frames(frames["spot"], "5"))
    lin = msgspec.structs.replace(default_instrument("BTCUSDT"), risk_tiers=risk_tiers_for("BTCUSDT"))
    spot = default_instrument("BTCUSDT", Category.SPOT)
    clock = Clock(START_MS)
    engine = Engine(
        {(Category.LINEAR, "BTCUSDT"): lin, (Category.SPOT, "BTCUSDT"): spot}, feed, clock, seed=seed
    )
    engine.add_account("A", "secret-a", Decimal(balance))
    engine.sync()
    return engine, clock


@pytest.fixture
def engine_clock(btc_frames: dict[str, pd.DataFrame]) -> tuple[Engine, Clock]:
    return make_engine(btc_frames)
