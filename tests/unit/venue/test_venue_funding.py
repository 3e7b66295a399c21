"""Funding settlement (BYBIT_V5.md §6: help centre "Funding Fee Calculation", "What is funding rate")."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalpha.venue import funding_payment, funding_payment_f, funding_times, is_funding_time
from openalpha.venue.funding import next_funding_time

HOUR = 3_600_000
DAY = 24 * HOUR
T0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC


def test_worked_example_long_pays_short_receives() -> None:
    """Funding fee = position value at mark x rate (help centre): 2 BTC, mark 30,000, +0.01 % -> 6 USDT.

    Positive rate: the long pays 6, the short receives 6 (payment -6).
    """
    assert funding_payment(D(2), D(30000), D("0.0001")) == D("6")
    assert funding_payment(D(-2), D(30000), D("0.0001")) == D("-6")


def test_negative_rate_shorts_pay() -> None:
    """Negative rate: shorts pay longs (help centre "What is funding rate")."""
    assert funding_payment(D("0.5"), D(3000), D("-0.0002")) == D("-0.3")
    assert funding_payment(D("-0.5"), D(3000), D("-0.0002")) == D("0.3")


def test_eight_hour_schedule_is_00_08_16_utc() -> None:
    """8 h interval settles at 00:00, 08:00, 16:00 UTC (help centre)."""
    assert funding_times(T0, T0 + DAY) == [T0, T0 + 8 * HOUR, T0 + 16 * HOUR]


def test_window_is_half_open_and_aligned() -> None:
    assert funding_times(T0 + 1, T0 + DAY + 1) == [T0 + 8 * HOUR, T0 + 16 * HOUR, T0 + DAY]
    assert funding_times(T0, T0) == []
    assert funding_times(T0 + DAY, T0) == []


@pytest.mark.parametrize(("minutes", "per_day"), [(480, 3), (240, 6), (60, 24), (120, 12)])
def test_other_intervals(minutes: int, per_day: int) -> None:
    """Per-symbol intervals from instruments-info ``fundingInterval`` (480/240/60 ... minutes)."""
    times = funding_times(T0, T0 + DAY, minutes)
    assert len(times) == per_day
    assert all(is_funding_time(t, minutes) for t in times)
    assert np.all(np.diff(times) == minutes * 60_000)


def test_is_funding_time_and_next() -> None:
    assert is_funding_time(T0 + 8 * HOUR)
    assert not is_funding_time(T0 + 4 * HOUR)
    assert is_funding_time(T0 + 4 * HOUR, 240)
    assert next_funding_time(T0) == T0 + 8 * HOUR
    assert next_funding_time(T0 + 1) == T0 + 8 * HOUR
    assert next_funding_time(T0 - 1) == T0


@pytest.mark.parametrize("bad", [0, -480])
def test_bad_interval_raises(bad: int) -> None:
    with pytest.raises(ValueError, match="funding interval"):
        funding_times(T0, T0 + DAY, bad)
    with pytest.raises(ValueError, match="funding interval"):
        is_funding_time(T0, bad)


def _ms(df: pd.DataFrame) -> list[int]:
    return [int(ts.value // 1_000_000) for ts in df["date"]]


def test_real_bybit_btc_settlements_follow_the_8h_grid(shared_data: Path) -> None:
    """Real Bybit BTCUSDT funding history (Logashan, MANIFEST.md): 361 settlements every 8 h."""
    df = pd.read_feather(
        shared_data / "Logashan_freqtrade-news-ml/bybit/futures/BTC_USDT_USDT-8h-funding_rate.feather"
    )
    times = _ms(df)
    assert all(is_funding_time(t) for t in times)
    assert funding_times(times[0], times[-1] + 1) == times


def test_real_bybit_wif_uses_4h_interval(shared_data: Path) -> None:
    """WIFUSDT funds every 4 h on Bybit (MANIFEST.md): on the 240-min grid, not all on the 480 grid."""
    df = pd.read_feather(
        shared_data / "mohsenjfar_trade/17ea10e9/bybit/futures/WIF_USDT_USDT-8h-funding_rate.feather"
    )
    times = _ms(df)
    assert all(is_funding_time(t, 240) for t in times)
    assert not all(is_funding_time(t) for t in times)


def test_real_funding_cashflow_long_and_short_mirror(shared_data: Path) -> None:
    """1 BTC long vs short over real Bybit rates, valued at the real 4 h mark close before each settlement.

    The long's total equals minus the short's, Decimal and float twins agree, and the total has
    the sign of the sum of value-weighted rates.
    """
    base = shared_data / "Logashan_freqtrade-news-ml/bybit/futures"
    fund = pd.read_feather(base / "BTC_USDT_USDT-8h-funding_rate.feather")
    mark = pd.read_feather(base / "BTC_USDT_USDT-4h-mark.feather").set_index("date")["close"]
    # mark close of the 4 h candle that ends at the settlement = candle opened 4 h before it
    marks = mark.reindex(fund["date"] - pd.Timedelta(hours=4))
    ok = marks.notna().to_numpy()
    assert ok.sum() > 300, "real mark data should cover most settlements"
    rates = fund["open"].to_numpy()[ok]
    prices = marks.to_numpy()[ok]
    long_total = sum(funding_payment(D(1), D(str(p)), D(str(r))) for p, r in zip(prices, rates, strict=True))
    short_total = sum(
        funding_payment(D(-1), D(str(p)), D(str(r))) for p, r in zip(prices, rates, strict=True)
    )
    assert long_total == -short_total
    float_total = sum(funding_payment_f(1.0, float(p), float(r)) for p, r in zip(prices, rates, strict=True))
    assert float_total == pytest.approx(float(long_total), rel=1e-9)
    assert np.sign(float(long_total)) == np.sign(float(np.sum(prices * rates)))


@given(
    size=st.decimals(min_value="-1000", max_value="1000", places=4),
    mark=st.decimals(min_value="0.0001", max_value="1000000", places=4),
    rate=st.decimals(min_value="-0.05", max_value="0.05", places=6),
)
def test_funding_sign_rules(size: D, mark: D, rate: D) -> None:
    """Long pays when the rate is positive, short pays when it is negative; zero either side is zero."""
    pay = funding_payment(size, mark, rate)
    if size == 0 or rate == 0:
        assert pay == 0
    elif (size > 0) == (rate > 0):
        assert pay > 0
    else:
        assert pay < 0
    assert funding_payment(-size, mark, rate) == -pay
    f = funding_payment_f(float(size), float(mark), float(rate))
    assert f == pytest.approx(float(pay), rel=1e-9, abs=1e-12)


@given(
    start=st.integers(min_value=0, max_value=4_000_000_000_000),
    span=st.integers(min_value=0, max_value=10 * DAY),
    minutes=st.sampled_from([60, 120, 240, 480]),
)
def test_funding_times_are_exactly_the_grid_points_in_window(start: int, span: int, minutes: int) -> None:
    end = start + span
    times = funding_times(start, end, minutes)
    assert all(start <= t < end and is_funding_time(t, minutes) for t in times)
    step = minutes * 60_000
    assert len(times) == (end - 1) // step - (start - 1) // step  # count of multiples in [start, end)
