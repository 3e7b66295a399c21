"""Property: whatever a client sends, the simulator answers with a Bybit envelope
(``retCode``/``retMsg``/``result``/``retExtInfo``/``time``) — never a traceback, never a bodiless 500."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openalpha.data.store import ParquetStore
from openalpha.sim.auth import sign

from .conftest import KEY, SECRET, RunningSim, start

PATHS = [
    "/v5/order/create",
    "/v5/order/amend",
    "/v5/order/cancel",
    "/v5/order/cancel-all",
    "/v5/order/realtime",
    "/v5/order/history",
    "/v5/execution/list",
    "/v5/position/list",
    "/v5/position/set-leverage",
    "/v5/position/trading-stop",
    "/v5/account/wallet-balance",
    "/v5/account/fee-rate",
    "/v5/account/info",
    "/v5/user/query-api",
    "/v5/asset/coin/query-info",
    "/v5/market/orderbook",
    "/v5/market/risk-limit",
    "/v5/nope",
]
KEYS = [
    "category",
    "symbol",
    "side",
    "orderType",
    "qty",
    "price",
    "timeInForce",
    "orderLinkId",
    "orderId",
    "reduceOnly",
    "takeProfit",
    "stopLoss",
    "limit",
    "cursor",
    "buyLeverage",
    "sellLeverage",
    "accountType",
    "coin",
    "settleCoin",
    "openOnly",
    "startTime",
    "execType",
    "positionIdx",
    "marketUnit",
    "tpTriggerBy",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "linear",
            "spot",
            "inverse",
            "option",
            "BTCUSDT",
            "Buy",
            "Sell",
            "Market",
            "Limit",
            "GTC",
            "PostOnly",
            "IOC",
            "FOK",
            "0.001",
            "1",
            "-1",
            "0",
            "1e400",
            "NaN",
            "UNIFIED",
            "",
            "abc",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
PARAMS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8)


@pytest.fixture(scope="module")
def prop_sim(sim_store: ParquetStore) -> Iterator[RunningSim]:
    running, stop = start(sim_store)
    try:
        yield running
    finally:
        stop()


def _send(
    sim: RunningSim, path: str, method: str, params: dict[str, Any], signed: bool, raw_body: bytes | None
) -> requests.Response:
    if method == "GET":
        payload = "&".join(f"{k}={v}" for k, v in params.items())
        body = b""
    else:
        body = raw_body if raw_body is not None else json.dumps(params, allow_nan=True).encode()
        payload = body.decode("utf-8", errors="replace")
    headers = {"Content-Type": "application/json"}
    if signed:
        ts = str(int(time.time() * 1000))
        headers.update({"X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000"})
        origin = (ts + KEY + "5000").encode() + (payload.encode() if method == "GET" else body)
        headers["X-BAPI-SIGN"] = sign(SECRET, origin)
    url = sim.url + path + ("?" + payload if method == "GET" and payload else "")
    return requests.request(method, url, data=body if method != "GET" else None, headers=headers, timeout=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["GET", "POST", "PUT"]),
    params=PARAMS,
    signed=st.booleans(),
    raw_body=st.one_of(st.none(), st.binary(max_size=30), st.just(b"[1,2]"), st.just(b"{")),
)
def test_exchange_malformed_requests_get_bybit_envelopes(
    prop_sim: RunningSim, path: str, method: str, params: dict[str, Any], signed: bool, raw_body: bytes | None
) -> None:
    resp = _send(prop_sim, path, method, params, signed, raw_body)
    assert resp.content, f"empty body with HTTP {resp.status_code}"
    body = resp.json()
    assert set(body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    assert isinstance(body["retCode"], int) and isinstance(body["retMsg"], str)
    assert "Traceback" not in body["retMsg"]
    assert body["retCode"] != 10016, f"server error for {method} {path} {params!r}"  # no handler crashed
