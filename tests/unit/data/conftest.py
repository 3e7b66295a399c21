"""Fixtures for the data-store tests: real Bybit candles from the shared data, as store frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from openalpha.data.store import ParquetStore

DKOTL = Path("Dkotl_trade_bot/bybit/futures")


def feather_to_store_frame(
    path: Path, columns: tuple[str, ...] = ("open", "high", "low", "close", "volume")
) -> pd.DataFrame:
    raw = pd.read_feather(path)
    frame = pd.DataFrame({"ts": raw["date"].dt.as_unit("ms").astype("int64")})
    for col in columns:
        frame[col] = raw[col].astype("float64")
    return frame


@pytest.fixture(scope="session")
def btc_5m(shared_data: Path) -> pd.DataFrame:
    """Bybit BTCUSDT perp 5 min candles, 2025-09-24 .. 2026-07-21 (86,604 rows)."""
    return feather_to_store_frame(shared_data / DKOTL / "BTC_USDT_USDT-5m-futures.feather")


@pytest.fixture
def store(tmp_path: Path) -> ParquetStore:
    return ParquetStore(tmp_path / "store")


@pytest.fixture(scope="session")
def btc_mark_1h(shared_data: Path) -> pd.DataFrame:
    return feather_to_store_frame(
        shared_data / DKOTL / "BTC_USDT_USDT-1h-mark.feather", ("open", "high", "low", "close")
    )


@pytest.fixture(scope="session")
def btc_funding(shared_data: Path) -> pd.DataFrame:
    frame = feather_to_store_frame(shared_data / DKOTL / "BTC_USDT_USDT-1h-funding_rate.feather", ("open",))
    return frame.rename(columns={"open": "rate"})


@pytest.fixture(scope="session")
def btc_spot_5m(shared_data: Path) -> pd.DataFrame:
    return feather_to_store_frame(shared_data / "Dkotl_trade_bot/bybit/BTC_USDT-5m.feather")
