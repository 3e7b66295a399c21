"""Contract: pybit's own, unmodified ``WebSocket`` against the simulator's public and private
streams (URLs overridden through ``PUBLIC_WSS``/``PRIVATE_WSS``, BYBIT_V5.md §8), plus raw
control messages (acks echo ``req_id``, ping/pong, auth failure)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pybit.unified_trading as ut
import pytest
import websocket
from pybit.unified_trading import HTTP, WebSocket

from openalpha.sim.auth import ws_signature

from .conftest import KEY, SECRET, RunningSim


def wait_for(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def ws_urls(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    base = sim.url.replace("http://", "ws://")
    monkeypatch.setattr(ut, "PUBLIC_WSS", base + "/v5/public/{CHANNEL_TYPE}")
    monkeypatch.setattr(ut, "PRIVATE_WSS", base + "/v5/private")
    yield base


def test_exchange_pybit_ws_public_topics(sim: RunningSim, ws_urls: str) -> None:
    got: dict[str, list[dict[str, Any]]] = {"k": [], "t": [], "ob": [], "tr": []}
    lock = threading.Lock()

    def keep(name: str) -> Callable[[dict[str, Any]], None]:
        def cb(m: dict[str, Any]) -> None:
            with lock:
                got[name].append(m)

        return cb

    ws = WebSocket(testnet=False, channel_type="linear")
    try:
        ws.kline_stream(interval=5, symbol="BTCUSDT", callback=keep("k"))
        ws.ticker_stream(symbol="BTCUSDT", callback=keep("t"))
        ws.orderbook_stream(depth=50, symbol="BTCUSDT", callback=keep("ob"))
        ws.trade_stream(symbol="BTCUSDT", callback=keep("tr"))
        wait_for(lambda: bool(got["t"]) and bool(got["ob"]))
        sim.advance(15 * 60_000)  # three 5-minute bars close
        wait_for(lambda: len(got["k"]) >= 3 and bool(got["tr"]))
    finally:
        ws.exit()
    bars = [m["data"][0] for m in got["k"]]
    assert all(m["topic"] == "kline.5.BTCUSDT" and m["type"] == "snapshot" for m in got["k"])
    assert [b["start"] for b in bars[:3]] == [1_746_057_600_000 + i * 300_000 for i in range(3)]
    assert all(b["confirm"] is True and b["end"] == b["start"] + 299_999 for b in bars)
    ticker = got["t"][-1]["data"]
    assert ticker["symbol"] == "BTCUSDT" and float(ticker["ask1Price"]) > float(ticker["bid1Price"])
    book = got["ob"][-1]["data"]
    assert book["s"] == "BTCUSDT" and len(book["b"]) == 50 and len(book["a"]) == 50
    assert got["tr"][-1]["topic"] == "publicTrade.BTCUSDT"


def test_exchange_pybit_ws_private_topics(sim: RunningSim, ws_urls: str) -> None:
    got: list[dict[str, Any]] = []
    ws = WebSocket(testnet=False, channel_type="private", api_key=KEY, api_secret=SECRET)
    try:
        for stream in (ws.order_stream, ws.execution_stream, ws.position_stream, ws.wallet_stream):
            stream(callback=got.append)
        time.sleep(0.3)
        s = HTTP(api_key=KEY, api_secret=SECRET)
        s.endpoint = sim.url
        s.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", orderLinkId="w1"
        )
        wait_for(lambda: {m["topic"] for m in got} >= {"order", "execution", "position", "wallet"})
    finally:
        ws.exit()
    by_topic = {m["topic"]: m for m in got}
    assert by_topic["order"]["data"][0]["orderLinkId"] == "w1"
    assert by_topic["order"]["data"][0]["orderStatus"] == "Filled"
    assert by_topic["execution"]["data"][0]["execQty"] == "0.01"
    assert by_topic["position"]["data"][0]["size"] == "0.01"
    assert by_topic["wallet"]["data"][0]["accountType"] == "UNIFIED"
    assert all({"id", "topic", "creationTime", "data"} <= set(m) for m in got)


def raw(url: str) -> websocket.WebSocket:
    conn = websocket.create_connection(url, timeout=5)
    return conn


def test_exchange_ws_control_messages(sim: RunningSim, ws_urls: str) -> None:
    pub = raw(ws_urls + "/v5/public/linear")
    try:
        pub.send(json.dumps({"op": "subscribe", "req_id": "abc", "args": ["tickers.BTCUSDT"]}))
        ack = json.loads(pub.recv())
        assert (ack["success"], ack["op"], ack["req_id"]) == (True, "subscribe", "abc")
        assert json.loads(pub.recv())["topic"] == "tickers.BTCUSDT"
        pub.send(json.dumps({"op": "ping", "req_id": "p1"}))
        pong = json.loads(pub.recv())
        assert (pong["ret_msg"], pong["op"], pong["req_id"]) == ("pong", "ping", "p1")
        pub.send(json.dumps({"op": "subscribe", "req_id": "bad", "args": ["kline.7.BTCUSDT"]}))
        fail = json.loads(pub.recv())
        assert fail["success"] is False and "Invalid topic" in fail["ret_msg"] and fail["req_id"] == "bad"
    finally:
        pub.close()
    priv = raw(ws_urls + "/v5/private")
    try:
        priv.send(json.dumps({"op": "subscribe", "req_id": "s0", "args": ["order"]}))
        assert json.loads(priv.recv())["success"] is False  # not authenticated yet
        expires = int(time.time() * 1000) + 5000
        priv.send(json.dumps({"op": "auth", "args": [KEY, expires, "0" * 64]}))
        bad = json.loads(priv.recv())
        assert (bad["op"], bad["success"], bad["retCode"]) == ("auth", False, 10004)
        priv.send(
            json.dumps({"op": "auth", "req_id": "a1", "args": [KEY, expires, ws_signature(SECRET, expires)]})
        )
        assert json.loads(priv.recv())["success"] is True
        priv.send(json.dumps({"op": "subscribe", "req_id": "s1", "args": ["order.linear", "wallet"]}))
        ack = json.loads(priv.recv())
        assert (ack["success"], ack["req_id"]) == (True, "s1")
        priv.send(json.dumps({"op": "ping", "req_id": "x"}))
        pong = json.loads(priv.recv())
        assert pong["op"] == "pong" and pong["args"][0].isdigit()
    finally:
        priv.close()
