"""ParquetStore: schema, merge, ranges, known gaps, atomic replacement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from openalpha.data.store import KIND_COLUMNS, ParquetStore, StoreError, bar_holes, funding_holes

H = 3_600_000
M5 = 300_000


def test_write_read_round_trip_on_real_candles(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    added = store.write("linear", "kline", "BTCUSDT", "5", btc_5m)
    assert added == len(btc_5m) == 86_604
    back = store.read("linear", "kline", "BTCUSDT", "5")
    assert list(back.columns) == ["ts", *KIND_COLUMNS["kline"]]
    assert back["ts"].dtype == np.int64 and all(back[c].dtype == np.float64 for c in KIND_COLUMNS["kline"])
    np.testing.assert_array_equal(back["ts"], btc_5m["ts"])
    np.testing.assert_array_equal(back["close"], btc_5m["close"])
    assert back["turnover"].isna().all()  # the source has no turnover: unknown, never invented
    assert store.coverage("linear", "kline", "BTCUSDT", "5") == (
        int(btc_5m.ts.iloc[0]),
        int(btc_5m.ts.iloc[-1]),
    )
    assert store.path("linear", "kline", "BTCUSDT", "5") == store.root / "linear/kline/BTCUSDT/5.parquet"


def test_read_range_is_half_open(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    store.write("linear", "kline", "BTCUSDT", "5", btc_5m)
    t0 = int(btc_5m.ts.iloc[100])
    part = store.read("linear", "kline", "BTCUSDT", "5", t0, t0 + 12 * M5)
    assert len(part) == 12 and part.ts.iloc[0] == t0 and part.ts.iloc[-1] == t0 + 11 * M5


def test_merge_dedupes_sorts_and_new_rows_win(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    first, second = btc_5m.iloc[:1000], btc_5m.iloc[500:1500]
    assert store.write("linear", "kline", "BTCUSDT", "5", second) == 1000
    assert store.write("linear", "kline", "BTCUSDT", "5", first) == 500
    changed = btc_5m.iloc[[700]].copy()
    changed["close"] = 1.0
    changed["low"] = 0.5
    assert store.write("linear", "kline", "BTCUSDT", "5", changed) == 0
    back = store.read("linear", "kline", "BTCUSDT", "5")
    assert len(back) == 1500 and back.ts.is_monotonic_increasing and back.ts.is_unique
    assert back.set_index("ts").loc[int(btc_5m.ts.iloc[700]), "close"] == 1.0


def test_unchanged_write_leaves_file_untouched(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    store.write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[:300])
    path = store.path("linear", "kline", "BTCUSDT", "5")
    before = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert store.write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[100:200]) == 0
    assert path.stat().st_mtime_ns == before


def test_empty_read_has_schema(store: ParquetStore) -> None:
    empty = store.read("linear", "funding", "BTCUSDT", "funding")
    assert list(empty.columns) == ["ts", "rate"] and empty.empty
    assert store.coverage("linear", "mark", "BTCUSDT", "60") is None
    assert store.datasets() == []


@pytest.mark.parametrize(
    ("args", "frame", "message"),
    [
        (("linear", "kline", "BTCUSDT", "7"), None, "unknown interval"),
        (("futures", "kline", "BTCUSDT", "5"), None, "unknown category"),
        (("linear", "trades", "BTCUSDT", "5"), None, "unknown kind"),
        (("linear", "kline", "../etc", "5"), None, "bad symbol"),
        (("spot", "funding", "BTCUSDT", "funding"), None, "only for linear"),
        (("linear", "kline", "BTCUSDT", "5"), {"ts": [M5], "open": [1.0]}, "lacks columns"),
        (
            ("linear", "mark", "BTCUSDT", "5"),
            {"ts": [M5], "open": [1], "high": [1], "low": [1], "close": [1], "x": [1]},
            "unexpected columns",
        ),
        (
            ("linear", "mark", "BTCUSDT", "5"),
            {"ts": [1.5], "open": [1], "high": [1], "low": [1], "close": [1]},
            "integer milliseconds",
        ),
        (
            ("linear", "mark", "BTCUSDT", "5"),
            {"ts": [M5 + 1], "open": [1], "high": [1], "low": [1], "close": [1]},
            "not a 5 bar open time",
        ),
        (
            ("linear", "mark", "BTCUSDT", "5"),
            {"ts": [M5], "open": [np.nan], "high": [1], "low": [1], "close": [1]},
            "NaN",
        ),
        (
            ("linear", "mark", "BTCUSDT", "5"),
            {"ts": [M5], "open": ["x"], "high": [1], "low": [1], "close": [1]},
            "not numeric",
        ),
        (
            ("linear", "funding", "BTCUSDT", "funding"),
            {"ts": [1_700_000_000_000_000], "rate": [0.1]},
            "micro/nanoseconds",
        ),
    ],
)
def test_bad_input_is_rejected_with_one_line(
    store: ParquetStore, args: tuple[str, ...], frame: dict | None, message: str
) -> None:
    df = pd.DataFrame(frame if frame is not None else {"ts": [M5], "rate": [0.0]})
    with pytest.raises(StoreError, match=message) as info:
        store.write(*args, df)
    assert "\n" not in str(info.value)
    assert not any(store.root.rglob("*.parquet"))


def test_interval_aliases_and_weekly_alignment(store: ParquetStore) -> None:
    monday = int(pd.Timestamp("2025-01-06", tz="UTC").value // 10**6)
    row = {"ts": [monday], "open": [1.0], "high": [2.0], "low": [0.5], "close": [1.5]}
    assert store.write("linear", "mark", "WIFUSDT", "1w", pd.DataFrame(row)) == 1
    assert store.path("linear", "mark", "WIFUSDT", "W").exists()
    row["ts"] = [monday + 86_400_000]
    with pytest.raises(StoreError, match="not a W bar"):
        store.write("linear", "mark", "WIFUSDT", "W", pd.DataFrame(row))


def test_missing_ranges_inside_before_after_minus_known(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    frame = btc_5m.iloc[:200].drop(index=range(50, 60))
    store.write("linear", "kline", "BTCUSDT", "5", frame)
    t0 = int(btc_5m.ts.iloc[0])
    holes = store.missing_ranges("linear", "kline", "BTCUSDT", "5", t0 - 3 * M5 - 7, t0 + 205 * M5)
    assert holes == [(t0 - 3 * M5, t0), (t0 + 50 * M5, t0 + 60 * M5), (t0 + 200 * M5, t0 + 205 * M5)]
    store.record_known_gap("linear", "kline", "BTCUSDT", "5", t0 + 50 * M5, t0 + 60 * M5)
    holes = store.missing_ranges("linear", "kline", "BTCUSDT", "5", t0, t0 + 200 * M5)
    assert holes == []
    assert store.known_gaps("linear", "kline", "BTCUSDT", "5") == [(t0 + 50 * M5, t0 + 60 * M5)]
    assert store.datasets()[0].known_gaps == 1


def test_bar_holes_empty_and_aligned_start() -> None:
    assert bar_holes(np.array([], dtype=np.int64), 1, 3 * H, "60") == [(H, 3 * H)]
    assert bar_holes(np.array([H, 2 * H]), H, 3 * H, "60") == []


def test_funding_holes_use_the_longest_interval() -> None:
    ts = np.array([8 * H, 16 * H, 40 * H], dtype=np.int64)
    assert funding_holes(ts, 0, 48 * H) == [(16 * H + 1, 40 * H)]
    assert funding_holes(ts, 0, 60 * H) == [(16 * H + 1, 40 * H), (40 * H + 1, 60 * H)]
    assert funding_holes(np.array([], dtype=np.int64), 0, 9 * H) == [(0, 9 * H)]


def test_datasets_lists_every_file(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    store.write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[:10])
    store.write("spot", "kline", "BTCUSDT", "5", btc_5m.iloc[:20])
    store.write("linear", "funding", "BTCUSDT", "funding", pd.DataFrame({"ts": [8 * H], "rate": [1e-4]}))
    infos = store.datasets()
    assert [(i.category, i.kind, i.interval, i.rows) for i in infos] == [
        ("linear", "kline", "5", 10),
        ("linear", "funding", "funding", 1),
        ("spot", "kline", "5", 20),
    ]


def test_failed_replace_keeps_previous_file_and_no_litter(
    store: ParquetStore, btc_5m: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[:100])
    path = store.path("linear", "kline", "BTCUSDT", "5")
    before = path.read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        store.write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[100:200])
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".lock")) == ["5.parquet"]


_WRITER = """
import sys, pandas as pd, numpy as np
from openalpha.data.store import ParquetStore
store = ParquetStore(sys.argv[1])
n = 0
print("ready", flush=True)
while True:
    n += 1
    ts = np.arange(n * 20_000, dtype=np.int64) * 300_000
    px = np.full(len(ts), float(n))
    store.write("linear", "mark", "BTCUSDT", "5", pd.DataFrame({"ts": ts, "open": px, "high": px, "low": px, "close": px}))
"""


def test_sigkill_mid_write_never_leaves_a_torn_file(store: ParquetStore) -> None:
    path = store.path("linear", "mark", "BTCUSDT", "5")
    rng = np.random.default_rng(7)
    seen_sizes: set[int] = set()
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(store.root)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.2, 0.8)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not path.exists():
            continue
        table = pq.read_table(path)  # a torn file would fail here
        frame = table.to_pandas()
        assert frame.ts.is_monotonic_increasing and frame.ts.is_unique
        assert len(frame) % 20_000 == 0  # always a whole generation, never part of one
        seen_sizes.add(len(frame))
        listed = [i.path for i in store.datasets()]
        assert listed == [path]  # temp files of the killed writer are invisible to readers
    assert seen_sizes, "the writer never completed a write"


def test_instruments_round_trip_exactly(store: ParquetStore) -> None:
    from openalpha.venue import default_instrument

    btc, eth = default_instrument("BTCUSDT"), default_instrument("ETHUSDT")
    assert store.write_instruments("linear", [btc]) == 1
    assert store.write_instruments("linear", [eth]) == 2
    back = store.instruments("linear")
    assert back == {"BTCUSDT": btc, "ETHUSDT": eth}  # Decimals survive as strings, exactly
    assert store.instruments("spot") == {}
