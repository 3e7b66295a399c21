"""load_bars / load_market_data over a store filled with real Bybit history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openalpha.data.load import DataNotFound, load_bars, load_market_data, to_ms
from openalpha.data.resample import resample_bars
from openalpha.data.store import ParquetStore
from openalpha.domain.market_data import MarketData


@pytest.fixture
def filled(
    store: ParquetStore,
    btc_5m: pd.DataFrame,
    btc_mark_1h: pd.DataFrame,
    btc_funding: pd.DataFrame,
    btc_spot_5m: pd.DataFrame,
) -> ParquetStore:
    store.write("linear", "kline", "BTCUSDT", "5", btc_5m)
    store.write("linear", "mark", "BTCUSDT", "60", btc_mark_1h)
    store.write("linear", "funding", "BTCUSDT", "funding", btc_funding)
    store.write("spot", "kline", "BTCUSDT", "5", btc_spot_5m)
    return store


def test_load_bars_index_columns_and_range(filled: ParquetStore) -> None:
    bars = load_bars("BTCUSDT", "5m", "2026-01-01", "2026-01-02", store=filled)
    assert (
        isinstance(bars.index, pd.DatetimeIndex) and str(bars.index.tz) == "UTC" and bars.index.name == "time"
    )
    assert len(bars) == 288 and bars.index[0] == pd.Timestamp("2026-01-01", tz="UTC")
    assert bars.index[-1] == pd.Timestamp("2026-01-01 23:55", tz="UTC")
    assert list(bars.columns) == ["open", "high", "low", "close", "volume", "turnover"]
    assert all(dtype == np.float64 for dtype in bars.dtypes)


def test_load_bars_default_store_is_openalpha_home(oa_home, btc_5m: pd.DataFrame) -> None:
    ParquetStore.default().write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[:10])
    assert (oa_home / "data/linear/kline/BTCUSDT/5.parquet").exists()
    assert len(load_bars("BTCUSDT", 5)) == 10


def test_spot_suffix_selects_spot(filled: ParquetStore, btc_spot_5m: pd.DataFrame) -> None:
    spot = load_bars("BTCUSDT@spot", "5", store=filled)
    assert len(spot) == len(btc_spot_5m)
    np.testing.assert_array_equal(spot["close"].to_numpy(), btc_spot_5m["close"].to_numpy())


def test_coarser_interval_is_resampled_from_finer_store(filled: ParquetStore, btc_5m: pd.DataFrame) -> None:
    hourly = load_bars("BTCUSDT", "60", "2026-03-01 00:30", "2026-03-02", store=filled)
    assert hourly.index[0] == pd.Timestamp("2026-03-01 01:00", tz="UTC") and len(hourly) == 23
    expected = resample_bars(btc_5m, "5", "60")
    expected = expected[expected.ts.isin(hourly.index.as_unit("ms").asi8)]
    np.testing.assert_array_equal(hourly["high"].to_numpy(), expected["high"].to_numpy())


def test_missing_data_raises_data_not_found(filled: ParquetStore) -> None:
    with pytest.raises(
        DataNotFound,
        match=r"no kline 15 data for ETHUSDT \(linear\) in \[2024-01-01 00:00, 2024-02-01 00:00\)",
    ):
        load_bars("ETHUSDT", "15", "2024-01-01", "2024-02-01", store=filled)
    with pytest.raises(DataNotFound, match="BTCUSDT"):
        load_bars("BTCUSDT", "5", "2020-01-01", "2020-02-01", store=filled)
    assert issubclass(DataNotFound, ValueError)


def test_to_ms_accepts_common_forms() -> None:
    ms = 1_767_225_600_000
    assert to_ms("2026-01-01") == ms == to_ms(pd.Timestamp("2026-01-01", tz="UTC")) == to_ms(ms)
    assert to_ms(pd.Timestamp("2026-01-01 01:00", tz="Europe/Berlin")) == ms
    with pytest.raises(ValueError, match="bad time"):
        to_ms("yesterday-ish")


def test_market_data_aligns_perp_spot_mark_and_funding(filled: ParquetStore) -> None:
    data = load_market_data(["BTCUSDT", "BTCUSDT@spot"], "60", store=filled)
    assert isinstance(data, MarketData) and data.symbols == ["BTCUSDT", "BTCUSDT@spot"]
    perp, spot = data.bars["BTCUSDT"], data.bars["BTCUSDT@spot"]
    assert perp.index.equals(spot.index)
    # the common span is the spot file's (2026-06-20 .. 2026-07-20 17:00, the last complete hour)
    assert data.index[0] == pd.Timestamp("2026-06-20", tz="UTC")
    assert data.index[-1] == pd.Timestamp("2026-07-20 16:00", tz="UTC")
    assert not perp["close"].isna().any() and not spot["close"].isna().any()
    mark = data.mark["BTCUSDT"]
    assert mark.index.equals(perp.index) and not mark["close"].isna().any()
    basis = (mark["close"] / perp["close"] - 1).abs()
    assert basis.max() < 0.01  # mark and last trade of the same Bybit perp stay close
    assert "BTCUSDT@spot" not in data.mark and "BTCUSDT@spot" not in data.funding
    from openalpha.venue import default_instrument

    assert data.instruments == {
        "BTCUSDT": default_instrument("BTCUSDT"),
        "BTCUSDT@spot": default_instrument("BTCUSDT@spot"),
    }  # no instruments stored: the venue's defaults
    rates = data.funding["BTCUSDT"]  # settlements in [first bar open, last bar close)
    assert len(rates) == 31 * 3 and (np.diff(rates.index.asi8) == 8 * 3_600 * 10**9).all()


def test_market_data_without_overlap_fails(filled: ParquetStore, btc_5m: pd.DataFrame) -> None:
    filled.write("linear", "kline", "ETHUSDT", "60", resample_bars(btc_5m.iloc[:2400], "5", "60"))
    with pytest.raises(DataNotFound, match="no 60 bars in common"):
        load_market_data(["ETHUSDT", "BTCUSDT@spot"], "60", store=filled)
