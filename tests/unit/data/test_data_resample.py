"""Resampling equals Bybit's own higher-interval candles (real WIFUSDT files, 1 min .. 1 week)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openalpha.data.resample import ResampleError, resample_bars, resample_ts
from openalpha.domain.intervals import interval_ms

WIF = Path("mohsenjfar_trade/17ea10e9/bybit/futures")


def _freqtrade(path: Path) -> pd.DataFrame:
    raw = pd.read_feather(path)
    frame = pd.DataFrame({"ts": raw["date"].dt.as_unit("ms").astype("int64")})
    for col in ("open", "high", "low", "close", "volume"):
        frame[col] = raw[col].astype("float64")
    return frame


@pytest.fixture(scope="module")
def wif_1m(shared_data: Path) -> pd.DataFrame:
    return _freqtrade(shared_data / WIF / "WIF_USDT_USDT-1m-futures.feather")


@pytest.mark.parametrize(
    ("tf", "code"),
    [("5m", "5"), ("15m", "15"), ("30m", "30"), ("1h", "60"), ("4h", "240"), ("1d", "D"), ("1w", "W")],
)
def test_resampled_1m_equals_bybit_candles(
    shared_data: Path, wif_1m: pd.DataFrame, tf: str, code: str
) -> None:
    exchange = _freqtrade(shared_data / WIF / f"WIF_USDT_USDT-{tf}-futures.feather")
    ours = resample_bars(wif_1m, "1", code)
    step = interval_ms(code)
    first, last = int(wif_1m.ts.iloc[0]), int(wif_1m.ts.iloc[-1])
    # every exchange candle whose whole interval lies inside the 1 min file, and no other
    inside = exchange[(exchange.ts >= first) & (exchange.ts + step <= last + 60_000)].reset_index(drop=True)
    assert len(inside) > 0
    np.testing.assert_array_equal(ours.ts.to_numpy(), inside.ts.to_numpy())
    for col in ("open", "high", "low", "close"):
        np.testing.assert_array_equal(ours[col].to_numpy(), inside[col].to_numpy(), err_msg=col)
    np.testing.assert_allclose(ours["volume"].to_numpy(), inside["volume"].to_numpy(), rtol=1e-9)


def test_weekly_buckets_open_on_monday() -> None:
    tuesday = int(pd.Timestamp("2025-05-13 10:00", tz="UTC").value // 10**6)
    monday = int(pd.Timestamp("2025-05-12", tz="UTC").value // 10**6)
    assert resample_ts(np.array([tuesday]), "60", "W")[0] == monday


def test_indexed_frames_keep_their_shape(wif_1m: pd.DataFrame) -> None:
    indexed = wif_1m.set_index(
        pd.DatetimeIndex(wif_1m.ts.to_numpy() * 1_000_000, tz="UTC", name="time")
    ).drop(columns="ts")
    out = resample_bars(indexed.iloc[:600], "1", "60")
    assert (
        out.index.name == "time" and str(out.index.tz) == "UTC" and list(out.columns) == list(indexed.columns)
    )
    flat = resample_bars(wif_1m.iloc[:600], "1", "60")
    np.testing.assert_array_equal(out["close"].to_numpy(), flat["close"].to_numpy())


def test_partial_buckets_are_dropped_or_flagged(wif_1m: pd.DataFrame) -> None:
    holed = wif_1m.drop(index=[100]).reset_index(drop=True)
    full, dropped = resample_bars(wif_1m, "1", "60"), resample_bars(holed, "1", "60")
    assert len(dropped) == len(full) - 1
    flagged = resample_bars(holed, "1", "60", partial=True)
    assert (flagged["bars"] < 60).sum() == 3  # the holed hour plus the two ragged ends of the file


@pytest.mark.parametrize(
    ("src", "dst", "message"),
    [("15", "5", "whole multiple"), ("60", "W", None), ("7", "60", "unknown interval")],
)
def test_interval_checks(wif_1m: pd.DataFrame, src: str, dst: str, message: str | None) -> None:
    if message is None:
        resample_bars(wif_1m.iloc[:0], src, dst)  # 60 divides a week: allowed
        return
    with pytest.raises(ResampleError, match=message):
        resample_bars(wif_1m, src, dst)


def test_unsorted_or_unknown_columns_rejected(wif_1m: pd.DataFrame) -> None:
    with pytest.raises(ResampleError, match="sorted"):
        resample_bars(wif_1m.iloc[::-1], "1", "5")
    with pytest.raises(ResampleError, match="cannot resample columns"):
        resample_bars(wif_1m.assign(rsi=1.0), "1", "5")


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=400),
    start=st.integers(min_value=0, max_value=10_000),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_resampling_composes(n: int, start: int, seed: int) -> None:
    """Property (synthetic bars): 1 → 5 → 15 equals 1 → 15, and highs/lows bound opens/closes."""
    rng = np.random.default_rng(seed)
    ts = (start + np.arange(n, dtype=np.int64)) * 60_000
    close = 100 + np.cumsum(rng.normal(size=n))
    open_ = np.r_[100.0, close[:-1]] if n else close
    spread = rng.uniform(0, 1, size=n)
    frame = pd.DataFrame(
        {
            "ts": ts,
            "open": open_,
            "high": np.maximum(open_, close) + spread,
            "low": np.minimum(open_, close) - spread,
            "close": close,
            "volume": rng.uniform(0, 10, size=n),
        }
    )
    direct = resample_bars(frame, "1", "15")
    staged = resample_bars(resample_bars(frame, "1", "5"), "5", "15")
    pd.testing.assert_frame_equal(
        direct[["ts", "open", "high", "low", "close"]], staged[["ts", "open", "high", "low", "close"]]
    )
    np.testing.assert_allclose(direct["volume"], staged["volume"], rtol=1e-12)
    assert (direct["high"] >= direct[["open", "close"]].max(axis=1)).all()
    assert (direct["low"] <= direct[["open", "close"]].min(axis=1)).all()
    assert (direct["ts"] % (15 * 60_000) == 0).all()
