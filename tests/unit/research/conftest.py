"""Real Bybit BTCUSDT perp history (shared data) in a temporary Parquet store, for research tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from openalpha.data.load import load_market_data
from openalpha.data.store import ParquetStore
from openalpha.domain.market_data import MarketData

SOURCE = "Dkotl_trade_bot/bybit/futures"


def _ms(frame: pd.DataFrame) -> pd.Series:
    times = pd.to_datetime(frame["date"], utc=True).dt.tz_localize(None)
    return pd.Series(times.to_numpy().astype("datetime64[ms]").astype("int64"))


def fill_store(root: Path, shared_data: Path) -> ParquetStore:
    """BTCUSDT perp 5-minute candles and funding (Bybit, Sep 2025 .. Jul 2026) in a store at ``root``."""
    store = ParquetStore(root)
    kline = pd.read_feather(shared_data / SOURCE / "BTC_USDT_USDT-5m-futures.feather")
    cols = {c: kline[c].to_numpy() for c in ("open", "high", "low", "close", "volume")}
    store.write("linear", "kline", "BTCUSDT", "5", pd.DataFrame({"ts": _ms(kline), **cols}))
    funding = pd.read_feather(shared_data / SOURCE / "BTC_USDT_USDT-1h-funding_rate.feather")
    store.write(
        "linear", "funding", "BTCUSDT", "funding", pd.DataFrame({"ts": _ms(funding), "rate": funding["open"]})
    )
    return store


@pytest.fixture(scope="session")
def research_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ParquetStore:
    return fill_store(tmp_path_factory.mktemp("research_store"), shared_data)


@pytest.fixture(scope="session")
def btc_15m(research_store: ParquetStore) -> MarketData:
    """About 75 days of real 15-minute bars (resampled from 5-minute candles) with funding."""
    return load_market_data(["BTCUSDT"], "15", "2026-01-01", "2026-03-17", store=research_store)
