"""Window planning, row decoding and argument checking for the downloader (pure: no sockets)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pytest

from openalpha.cli import main
from openalpha.data.download import DownloadSpec, forming_bar_start, plan_windows
from openalpha.data.store import ParquetStore
from openalpha.exchange.bybit.market_client import Listing, decode_kline_result, rows_to_frame
from openalpha.exchange.errors import RetryableError
from openalpha.venue import default_instrument

MIN5 = 300_000
DAY = 86_400_000
T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC


def _bars(start: int, n: int, step: int = MIN5) -> pd.DataFrame:
    """Bar timestamps only matter here; values are a plain ramp (property of the planner, not data)."""
    ts = start + step * np.arange(n, dtype=np.int64)
    px = np.linspace(100.0, 101.0, n)
    return pd.DataFrame({"ts": ts, "open": px, "high": px, "low": px, "close": px, "volume": px})


def test_windows_cover_exactly_the_missing_ranges_within_the_limit(tmp_path: Path) -> None:
    """BYBIT_V5.md §3: windows with end − start < limit·interval; only what the store lacks; the
    candle still forming at the server's now is never planned."""
    store = ParquetStore(tmp_path)
    store.write("linear", "kline", "BTCUSDT", "5", _bars(T0 + DAY, 288))  # day 2 stored
    now = T0 + 5 * DAY + 7 * 60_000  # 5 days and 7 minutes later
    spec = DownloadSpec(("BTCUSDT",), ("5",), T0 + 1, None, "linear", ("kline",))
    windows = plan_windows(store, spec, now, {})
    assert all(w.end - w.start <= 1000 * MIN5 and (w.end - 1) - w.start < 1000 * MIN5 for w in windows)
    covered = np.concatenate([np.arange(w.start, w.end, MIN5) for w in windows])
    expected = np.setdiff1d(
        np.arange(T0 + MIN5, forming_bar_start(now, "5"), MIN5), _bars(T0 + DAY, 288)["ts"]
    )
    assert np.array_equal(np.sort(covered), expected)
    assert max(w.end for w in windows) == forming_bar_start(now, "5") == T0 + 5 * DAY + MIN5


def test_launch_time_and_end_clamp_the_plan(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    listing = Listing(default_instrument("BTCUSDT"), launch_ms=T0 + 3 * DAY)
    spec = DownloadSpec(("BTCUSDT",), ("60",), T0, T0 + 4 * DAY, "linear", ("kline", "funding"))
    windows = plan_windows(store, spec, T0 + 10 * DAY, {"BTCUSDT": listing})
    kline = [w for w in windows if w.kind == "kline"]
    assert [(w.start, w.end) for w in kline] == [(T0 + 3 * DAY, T0 + 4 * DAY)]
    funding = [w for w in windows if w.kind == "funding"]
    assert funding and funding[0].start == T0 + 3 * DAY and funding[-1].end == T0 + 4 * DAY


def test_funding_windows_hold_at_most_200_settlements(tmp_path: Path) -> None:
    store = ParquetStore(tmp_path)
    spec = DownloadSpec(("BTCUSDT",), ("60",), T0, T0 + 400 * DAY, "linear", ("funding",))
    windows = plan_windows(store, spec, T0 + 500 * DAY, {})
    assert all(w.end - w.start <= 200 * 8 * 3_600_000 for w in windows)
    assert windows[0].start == T0 and windows[-1].end == T0 + 400 * DAY


def test_rows_are_sorted_and_deduplicated() -> None:
    """Bybit sends newest first (§3); a repeated start time keeps one row."""
    rows = [["300000", "2", "3", "1", "2.5", "10", "25"], ["0", "1", "2", "0.5", "1.5", "5", "7"]]
    frame = rows_to_frame([*rows, rows[0]], "kline")
    assert frame["ts"].tolist() == [0, 300000]
    assert frame.dtypes["ts"] == np.int64 and frame["close"].tolist() == [1.5, 2.5]
    mark = rows_to_frame([["60000", "1", "2", "0.5", "1.5"]], "mark")
    assert list(mark.columns) == ["ts", "open", "high", "low", "close"]
    with pytest.raises(RetryableError):
        rows_to_frame([["1", "2"]], "kline")


def test_fast_decoding_equals_the_string_path() -> None:
    """The quote-stripping fast path gives the same frame as parsing the strings one by one, and
    falls back to that path for rows it cannot read as numbers."""
    rows = [["1758672300000", "111920", "111920.1", "111769.3", "111810", "123.672", "0.00001"],
            ["1758672000000", "111937.5", "111976.8", "111877.3", "111920", "124.406", "13929853.2"]]  # fmt: skip
    raw = msgspec.json.encode({"category": "linear", "symbol": "BTCUSDT", "list": rows})
    pd.testing.assert_frame_equal(decode_kline_result(raw, "kline"), rows_to_frame(rows, "kline"))
    odd = msgspec.json.encode({"list": [["0", "1", "2", "0.5", "1.5"], ["60000", "1", "2", "0.5", "1E+0"]]})
    assert decode_kline_result(odd, "mark")["close"].tolist() == [1.5, 1.0]
    assert len(decode_kline_result(msgspec.json.encode({"list": []}), "kline")) == 0
    with pytest.raises(RetryableError):
        decode_kline_result(msgspec.json.encode({"list": [["0", "1"]]}), "kline")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--symbols", "BTCUSDT", "--start", "2023-01-01", "--intervals", "7"], "--intervals"),
        (["--symbols", "BTCUSDT", "--start", "soon"], "--start"),
        (["--symbols", "BTCUSDT", "--start", "2023-01-02", "--end", "2023-01-01"], "--end"),
        (["--symbols", ",", "--start", "2023-01-01"], "--symbols"),
        (["--symbols", "BTC/USDT", "--start", "2023-01-01"], "--symbols"),
        (["--symbols", "BTCUSDT", "--start", "2023-01-01", "--kinds", "candles"], "--kinds"),
        (
            ["--symbols", "BTCUSDT", "--start", "2023-01-01", "--category", "spot", "--kinds", "funding"],
            "spot",
        ),
        (["--symbols", "BTCUSDT", "--start", "2023-01-01", "--env", "paper"], "--base-url"),
        (["--symbols", "BTCUSDT", "--start", "2023-01-01", "--base-url", "ftp://x"], "--base-url"),
        (["--symbols", "BTCUSDT", "--start", "2023-01-01", "--concurrency", "0"], "--concurrency"),
        (["--symbols", "BTCUSDT", "--start", "2023-01-01", "--env", "moon"], "invalid choice"),
        (["--start", "2023-01-01"], "--symbols"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    args: list[str], needle: str, oa_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["data", "download", *args])
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert not (oa_home / "data").exists()  # nothing written
