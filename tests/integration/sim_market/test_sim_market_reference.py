"""Funding history, instruments-info and tickers (BYBIT_V5.md §3), on real data."""

from __future__ import annotations

from typing import Any

import numpy as np
import requests

from openalpha.data.store import ParquetStore
from tests.integration.sim_market.conftest import REPLAY_NOW


def get(url: str, path: str, **params: Any) -> dict[str, Any]:
    resp = requests.get(url + path, params=params, timeout=10)
    assert resp.status_code == 200
    return resp.json()


FUNDING = "/v5/market/funding/history"


def test_funding_newest_first_with_both_bounds(sim_url: str, month_store: ParquetStore) -> None:
    """§3 funding/history: items {symbol, fundingRate, fundingRateTimestamp} as strings, newest
    first; with startTime and endTime the newest ``limit`` inside the range."""
    stored = month_store.read("linear", "funding", "BTCUSDT", "funding")
    lo, hi = int(stored["ts"].iloc[3]), int(stored["ts"].iloc[40])
    body = get(sim_url, FUNDING, category="linear", symbol="BTCUSDT", startTime=lo, endTime=hi, limit=10)
    items = body["result"]["list"]
    assert [int(i["fundingRateTimestamp"]) for i in items] == stored["ts"].iloc[31:41][::-1].tolist()
    assert [float(i["fundingRate"]) for i in items] == stored["rate"].iloc[31:41][::-1].tolist()
    assert all(i["symbol"] == "BTCUSDT" and isinstance(i["fundingRate"], str) for i in items)


def test_funding_only_end_time_gives_200_up_to_it_and_only_start_time_is_an_error(
    sim_url: str, month_store: ParquetStore
) -> None:
    """§3: only endTime → 200 records up to endTime; only startTime → error; limit 1–200."""
    stored = month_store.read("linear", "funding", "BTCUSDT", "funding")
    end = int(stored["ts"].iloc[-1])
    items = get(sim_url, FUNDING, category="linear", symbol="BTCUSDT", endTime=end)["result"]["list"]
    assert len(items) == min(200, len(stored)) and int(items[0]["fundingRateTimestamp"]) == end
    assert get(sim_url, FUNDING, category="linear", symbol="BTCUSDT", startTime=end)["retCode"] == 10001
    assert get(sim_url, FUNDING, category="linear", symbol="BTCUSDT", limit=201)["retCode"] == 10001
    assert get(sim_url, FUNDING, symbol="BTCUSDT")["retCode"] == 10001  # category is required
    assert get(sim_url, FUNDING, category="inverse", symbol="BTCUSD")["result"]["list"] == []


def test_funding_after_market_time_is_never_served(replay_url: str) -> None:
    items = get(replay_url, FUNDING, category="linear", symbol="BTCUSDT", limit=3)["result"]["list"]
    assert int(items[0]["fundingRateTimestamp"]) <= REPLAY_NOW
    assert REPLAY_NOW - int(items[0]["fundingRateTimestamp"]) < 8 * 3_600_000


def test_instruments_info_pages_with_cursor(sim_url: str) -> None:
    """§3 instruments-info: ``limit`` + ``cursor``/``nextPageCursor`` until the cursor is empty."""
    seen: list[str] = []
    cursor = ""
    for _ in range(10):
        params = {"category": "linear", "limit": 1} | ({"cursor": cursor} if cursor else {})
        result = get(sim_url, "/v5/market/instruments-info", **params)["result"]
        seen.extend(i["symbol"] for i in result["list"])
        cursor = result["nextPageCursor"]
        if not cursor:
            break
    full = get(sim_url, "/v5/market/instruments-info", category="linear")["result"]
    assert seen == [i["symbol"] for i in full["list"]] and len(seen) >= 2 and full["nextPageCursor"] == ""
    assert {"BTCUSDT", "ETHUSDT"} <= set(seen)


def test_instruments_info_fields_follow_the_docs_example(sim_url: str, month_store: ParquetStore) -> None:
    """§3: BTCUSDT tick 0.10, qtyStep 0.001, minOrderQty 0.001, maxOrderQty 1190, maxMktOrderQty 500,
    minNotionalValue 5, maxLeverage 100, fundingInterval 480; launchTime = first stored candle."""
    (item,) = get(sim_url, "/v5/market/instruments-info", category="linear", symbol="BTCUSDT")["result"][
        "list"
    ]
    lot, price = item["lotSizeFilter"], item["priceFilter"]
    assert (
        float(price["tickSize"]) == 0.1
        and float(lot["qtyStep"]) == 0.001
        and float(lot["minOrderQty"]) == 0.001
    )
    assert float(lot["maxOrderQty"]) == 1190 and float(lot["maxMktOrderQty"]) == 500
    assert float(lot["minNotionalValue"]) == 5 and float(item["leverageFilter"]["maxLeverage"]) == 100
    assert item["fundingInterval"] == 480 and item["contractType"] == "LinearPerpetual"
    cov = month_store.coverage("linear", "kline", "BTCUSDT", "5")
    assert cov is not None and int(item["launchTime"]) == cov[0]
    spot = get(sim_url, "/v5/market/instruments-info", category="spot", symbol="BTCUSDT")["result"]["list"]
    assert spot[0]["symbol"] == "BTCUSDT" and "basePrecision" in spot[0]["lotSizeFilter"]
    assert get(sim_url, "/v5/market/instruments-info", category="linear", cursor="x")["retCode"] == 10001
    assert get(sim_url, "/v5/market/instruments-info")["retCode"] == 10001  # category is required
    assert get(sim_url, "/v5/market/instruments-info", category="option")["result"]["list"] == []


def test_tickers_come_from_the_candles_closed_by_now(replay_url: str, month_store: ParquetStore) -> None:
    """§3 tickers: lastPrice = close of the last candle closed by market time; 24 h high/low/volume
    over the trailing day; markPrice from the mark candles; fundingRate = last settled rate."""
    (item,) = get(replay_url, "/v5/market/tickers", category="linear", symbol="BTCUSDT")["result"]["list"]
    five = month_store.read("linear", "kline", "BTCUSDT", "5")
    closed = five[five["ts"] + 300_000 <= REPLAY_NOW]
    day = closed[closed["ts"] + 300_000 > REPLAY_NOW - 86_400_000]
    assert float(item["lastPrice"]) == closed["close"].iloc[-1]
    assert float(item["highPrice24h"]) == day["high"].max() and float(item["lowPrice24h"]) == day["low"].min()
    assert np.isclose(float(item["volume24h"]), day["volume"].sum())
    mark = month_store.read("linear", "mark", "BTCUSDT", "60")
    assert float(item["markPrice"]) == mark[mark["ts"] + 3_600_000 <= REPLAY_NOW]["close"].iloc[-1]
    funding = month_store.read("linear", "funding", "BTCUSDT", "funding")
    assert float(item["fundingRate"]) == funding[funding["ts"] <= REPLAY_NOW]["rate"].iloc[-1]
    assert int(item["nextFundingTime"]) > REPLAY_NOW and int(item["nextFundingTime"]) % (8 * 3_600_000) == 0
    assert float(item["ask1Price"]) > float(item["bid1Price"])
    spot = get(replay_url, "/v5/market/tickers", category="spot")["result"]["list"]
    assert spot == []  # spot candles start 2026-06-20, after market time: nothing to show yet
