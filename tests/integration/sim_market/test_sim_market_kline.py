"""The simulator's candle endpoints against Bybit's contract (BYBIT_V5.md §2–3), on real data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import requests

from openalpha.data.store import ParquetStore
from tests.integration.sim_market.conftest import REPLAY_NOW
from tests.integration.sim_market.realstore import MS_2026_05_01

FIVE_MIN = 300_000


def get(url: str, path: str, **params: Any) -> tuple[int, dict[str, Any]]:
    resp = requests.get(url + path, params=params, timeout=10)
    return resp.status_code, resp.json()


def test_kline_rows_are_newest_first_string_arrays_of_stored_values(
    sim_url: str, month_store: ParquetStore
) -> None:
    """§3 kline: result {category, symbol, list}; rows [start, o, h, l, c, volume, turnover] as
    strings, newest first; default limit 200; the values are the stored ones."""
    status, body = get(sim_url, "/v5/market/kline", category="linear", symbol="BTCUSDT", interval="5")
    assert status == 200 and body["retCode"] == 0 and body["retMsg"] == "OK"
    assert set(body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    result = body["result"]
    assert (result["category"], result["symbol"]) == ("linear", "BTCUSDT")
    rows = result["list"]
    assert len(rows) == 200
    assert all(len(r) == 7 and all(isinstance(x, str) for x in r) for r in rows)
    ts = [int(r[0]) for r in rows]
    assert ts == sorted(ts, reverse=True)
    stored = month_store.read("linear", "kline", "BTCUSDT", "5")
    assert ts[0] == int(stored["ts"].iloc[-1])  # wall clock: every stored candle is closed
    tail = stored.iloc[-200:][::-1]
    got = np.array([[float(x) for x in r[1:6]] for r in rows])
    assert np.array_equal(got, tail[["open", "high", "low", "close", "volume"]].to_numpy())


def test_category_defaults_to_linear_and_limit_bounds(sim_url: str) -> None:
    """§3 kline: category defaults to linear; limit 1–1000, out of range → 10001."""
    _, body = get(sim_url, "/v5/market/kline", symbol="BTCUSDT", interval="5", limit=1000)
    assert body["result"]["category"] == "linear" and len(body["result"]["list"]) == 1000
    for bad in (0, 1001, "ten"):
        status, body = get(sim_url, "/v5/market/kline", symbol="BTCUSDT", interval="5", limit=bad)
        assert status == 200 and body["retCode"] == 10001 and body["result"] == {}


def test_start_end_window_includes_the_candle_containing_start(sim_url: str) -> None:
    """§3: a candle whose open is before ``start`` but which contains it is included; ``end`` is
    inclusive of a candle opening at it."""
    start = MS_2026_05_01 + 10 * FIVE_MIN + 60_000  # one minute into a candle
    end = MS_2026_05_01 + 20 * FIVE_MIN
    _, body = get(sim_url, "/v5/market/kline", symbol="BTCUSDT", interval="5", start=start, end=end)
    ts = [int(r[0]) for r in body["result"]["list"]]
    assert ts[0] == end and ts[-1] == MS_2026_05_01 + 10 * FIVE_MIN and len(ts) == 11


def test_start_anchored_when_the_range_holds_more_than_limit(sim_url: str) -> None:
    """With ``start`` the ``limit`` oldest candles of the range come back (still newest first)."""
    _, body = get(sim_url, "/v5/market/kline", symbol="BTCUSDT", interval="5", start=MS_2026_05_01, limit=3)
    assert [int(r[0]) for r in body["result"]["list"]] == [MS_2026_05_01 + k * FIVE_MIN for k in (2, 1, 0)]


def test_mark_and_index_rows_have_five_fields(sim_url: str) -> None:
    """§3 mark-price-kline / index-price-kline: [start, open, high, low, close]."""
    _, body = get(
        sim_url, "/v5/market/mark-price-kline", category="linear", symbol="BTCUSDT", interval="60", limit=5
    )
    rows = body["result"]["list"]
    assert len(rows) == 5 and all(len(r) == 5 for r in rows)
    _, body = get(sim_url, "/v5/market/index-price-kline", category="linear", symbol="BTCUSDT", interval="60")
    assert body["retCode"] == 0 and body["result"]["list"] == []  # no index candles stored


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/v5/market/kline", {"interval": "5"}, 10001),  # symbol missing
        ("/v5/market/kline", {"symbol": "BTCUSDT"}, 10001),  # interval missing
        ("/v5/market/kline", {"symbol": "BTCUSDT", "interval": "7"}, 10001),  # not a Bybit interval
        ("/v5/market/kline", {"symbol": "NOPEUSDT", "interval": "5"}, 10001),  # unknown symbol
        ("/v5/market/kline", {"symbol": "BTCUSDT", "interval": "5", "category": "futures"}, 10001),
        ("/v5/market/kline", {"symbol": "BTCUSDT", "interval": "5", "start": "yesterday"}, 10001),
        ("/v5/market/mark-price-kline", {"symbol": "BTCUSDT", "interval": "5", "category": "spot"}, 10001),
        ("/v5/market/index-price-kline", {"symbol": "BTCUSDT", "interval": "5", "category": "spot"}, 10001),
    ],
)
def test_bad_parameters_get_10001_envelopes(
    sim_url: str, path: str, params: dict[str, str], code: int
) -> None:
    """§2: business errors are HTTP 200 with a non-zero retCode and ``result`` {}."""
    status, body = get(sim_url, path, **params)
    assert status == 200 and body["retCode"] == code and body["result"] == {} and body["retMsg"]


def test_unknown_symbol_says_not_supported(sim_url: str) -> None:
    """§3 / issue: Bybit answers an unknown symbol with 10001 "Not supported symbols"."""
    _, body = get(sim_url, "/v5/market/kline", symbol="NOPEUSDT", interval="5")
    assert body["retMsg"] == "Not supported symbols"


def test_untraded_categories_answer_empty_lists(sim_url: str) -> None:
    """Inverse and option have no markets here: an empty list, not an error."""
    _, body = get(sim_url, "/v5/market/kline", category="inverse", symbol="BTCUSD", interval="5")
    assert body["retCode"] == 0 and body["result"]["list"] == []
    _, body = get(
        sim_url, "/v5/market/mark-price-kline", category="option", symbol="BTC-1JAN27-1-C", interval="5"
    )
    assert body["retCode"] == 0 and body["result"]["list"] == []


def test_replay_serves_nothing_after_now_and_the_forming_candle_like_bybit(
    replay_url: str, month_store: ParquetStore
) -> None:
    """§3: close of an unclosed candle = last traded price. At 10:17 the 10:00 hourly candle is
    forming: its open is the stored open, its close the close of the last 5-minute candle closed
    by 10:17 (10:10–10:15), high/low/volume over 10:00–10:15."""
    hour = REPLAY_NOW - REPLAY_NOW % 3_600_000
    _, body = get(replay_url, "/v5/market/kline", symbol="BTCUSDT", interval="60", limit=3)
    rows = body["result"]["list"]
    assert int(rows[0][0]) == hour and int(rows[1][0]) == hour - 3_600_000
    five = month_store.read("linear", "kline", "BTCUSDT", "5", hour, hour + 15 * 60_000)
    assert len(five) == 3
    forming = [float(x) for x in rows[0][1:6]]
    assert forming == [
        five["open"].iloc[0],
        five["high"].max(),
        five["low"].min(),
        five["close"].iloc[-1],
        pytest.approx(five["volume"].sum()),
    ]
    closed = month_store.read("linear", "kline", "BTCUSDT", "60", hour - 3_600_000, hour)
    assert [float(x) for x in rows[1][1:5]] == closed[["open", "high", "low", "close"]].iloc[0].tolist()
    # 5-minute candles: the newest is the one forming at 10:15, never a later one.
    _, body = get(replay_url, "/v5/market/kline", symbol="BTCUSDT", interval="5", limit=1)
    assert int(body["result"]["list"][0][0]) == REPLAY_NOW - REPLAY_NOW % FIVE_MIN


def test_server_time_is_market_time(replay_url: str) -> None:
    """§3 /v5/market/time: {timeSecond, timeNano}; the simulator reports its market time."""
    _, body = get(replay_url, "/v5/market/time")
    assert body["result"] == {"timeSecond": str(REPLAY_NOW // 1000), "timeNano": str(REPLAY_NOW * 1_000_000)}
    assert body["time"] == REPLAY_NOW


def test_intervals_not_stored_are_built_from_finer_candles(sim_url: str, month_store: ParquetStore) -> None:
    """Bybit serves every interval (§3); the simulator builds 15-minute candles from the stored
    5-minute ones: first open, highest high, lowest low, last close, summed volume."""
    _, body = get(sim_url, "/v5/market/kline", symbol="ETHUSDT", interval="15", start=MS_2026_05_01, limit=2)
    rows = body["result"]["list"][::-1]
    five = month_store.read("linear", "kline", "ETHUSDT", "5", MS_2026_05_01, MS_2026_05_01 + 6 * FIVE_MIN)
    for k, row in enumerate(rows):
        part = five.iloc[3 * k : 3 * k + 3]
        assert int(row[0]) == MS_2026_05_01 + k * 3 * FIVE_MIN
        assert [float(x) for x in row[1:5]] == [
            part["open"].iloc[0],
            part["high"].max(),
            part["low"].min(),
            part["close"].iloc[-1],
        ]
        assert float(row[5]) == pytest.approx(part["volume"].sum())
    _, body = get(sim_url, "/v5/market/kline", symbol="ETHUSDT", interval="M")
    assert body["retCode"] == 0 and body["result"]["list"] == []  # months are not built
