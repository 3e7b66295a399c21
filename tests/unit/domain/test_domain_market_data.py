"""MarketData container invariants, intervals and the symbol naming convention."""

from __future__ import annotations

import pandas as pd
import pytest

from openalpha.domain import Category, MarketData, instrument_key, interval_ms, normalize_interval, split_key


def _bars(n: int = 10, tz: str | None = "UTC") -> pd.DataFrame:
    idx = pd.date_range("2026-01-01", periods=n, freq="h", tz=tz)
    return pd.DataFrame({"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 10.0}, index=idx)


def test_slice_and_tail() -> None:
    md = MarketData(
        interval="1h",
        bars={"BTCUSDT": _bars()},
        funding={"BTCUSDT": pd.Series([0.0001], index=pd.DatetimeIndex(["2026-01-01 08:00"], tz="UTC"))},
    )
    assert md.interval == "60"
    assert md.symbols == ["BTCUSDT"]
    part = md.slice(pd.Timestamp("2026-01-01 02:00", tz="UTC"), pd.Timestamp("2026-01-01 09:00", tz="UTC"))
    assert len(part.bars["BTCUSDT"]) == 7 and len(part.funding["BTCUSDT"]) == 1
    assert len(md.tail(3).bars["BTCUSDT"]) == 3
    assert len(md.tail(100).bars["BTCUSDT"]) == 10


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-01-01 02:00", "2026-01-01 09:00"),  # on bar times
        ("2026-01-01 02:30", "2026-01-01 08:59"),  # between bars
        (None, "2026-01-01 04:00"),
        ("2026-01-01 07:00", None),
        ("2026-01-01 07:00", "2026-01-01 03:00"),  # end before start: nothing
        ("2025-12-01", "2027-01-01"),  # wider than the data
    ],
)
def test_slice_is_open_time_in_start_end(start: str | None, end: str | None) -> None:
    """Sorted series are cut by binary search, unsorted ones by a mask: both are [start, end)."""
    times = pd.DatetimeIndex(["2026-01-01 00:00", "2026-01-01 08:00", "2026-01-01 16:00"], tz="UTC")
    funding = pd.Series([1.0, 2.0, 3.0], index=times)
    shuffled = funding.iloc[[2, 0, 1]]
    lo = pd.Timestamp(start, tz="UTC") if start else None
    hi = pd.Timestamp(end, tz="UTC") if end else None
    for series in (funding, shuffled):
        md = MarketData(interval="60", bars={"BTCUSDT": _bars()}, funding={"BTCUSDT": series})
        part = md.slice(lo, hi)
        for got, whole in ((part.bars["BTCUSDT"], md.bars["BTCUSDT"]), (part.funding["BTCUSDT"], series)):
            keep = [(lo is None or t >= lo) and (hi is None or t < hi) for t in whole.index]
            assert list(got.index) == list(whole.index[keep])


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (_bars(tz=None), "tz-aware"),
        (_bars().drop(columns="volume"), "lack columns"),
        (_bars().iloc[::-1], "sorted"),
    ],
)
def test_bad_frames_rejected(frame: pd.DataFrame, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        MarketData(interval="60", bars={"BTCUSDT": frame})


def test_intervals() -> None:
    assert (
        normalize_interval(15) == "15"
        and normalize_interval("4h") == "240"
        and normalize_interval("d") == "D"
    )
    assert interval_ms("60") == 3_600_000
    with pytest.raises(ValueError, match="unknown interval"):
        normalize_interval("7")


def test_symbol_convention() -> None:
    assert instrument_key("BTCUSDT", "spot") == "BTCUSDT@spot"
    assert instrument_key("BTCUSDT", Category.LINEAR) == "BTCUSDT"
    assert split_key("ETHUSDT@spot") == ("ETHUSDT", Category.SPOT)
    assert split_key("ETHUSDT") == ("ETHUSDT", Category.LINEAR)
