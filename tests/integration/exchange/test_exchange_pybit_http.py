"""Contract: pybit's own, unmodified ``HTTP`` client against the simulator over loopback.

Only ``endpoint`` is changed (BYBIT_V5.md §8). Every flow checks wallet and positions after it.
"""

from __future__ import annotations

import time
from decimal import Decimal as D
from typing import Any

import pytest
import requests
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP

from openalpha.sim.auth import sign

from .conftest import KEY, KEY2, SECRET, SECRET2, RunningSim

HOUR = 3_600_000


def client(sim: RunningSim, key: str = KEY, secret: str = SECRET) -> HTTP:
    s = HTTP(api_key=key, api_secret=secret, max_retries=1)
    s.endpoint = sim.url
    return s


def code_of(fn: Any, **kw: Any) -> int:
    with pytest.raises(InvalidRequestError) as err:
        fn(**kw)
    return int(err.value.status_code)


def position(s: HTTP) -> dict[str, Any]:
    return s.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"][0]


def wallet(s: HTTP) -> dict[str, Any]:
    return s.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]


def test_exchange_pybit_place_amend_cancel(sim: RunningSim) -> None:
    s = client(sim)
    r = s.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Limit",
        qty="0.01",
        price="80000",
        orderLinkId="p-1",
    )
    assert r["retCode"] == 0 and r["result"]["orderLinkId"] == "p-1"
    oid = r["result"]["orderId"]
    open_ = s.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert [(o["orderId"], o["orderStatus"], o["price"], o["qty"]) for o in open_] == [
        (oid, "New", "80000", "0.01")
    ]
    w = wallet(s)
    assert D(w["totalInitialMargin"]) == D("80000") * D("0.01") / 10  # order IM at 10x
    s.amend_order(category="linear", symbol="BTCUSDT", orderLinkId="p-1", qty="0.02", price="80000.5")
    o = s.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId="p-1")["result"]["list"][0]
    assert (o["qty"], o["price"]) == ("0.02", "80000.5")
    s.cancel_order(category="linear", symbol="BTCUSDT", orderId=oid)
    assert s.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"] == []
    hist = s.get_order_history(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert hist[0]["orderStatus"] == "Cancelled" and hist[0]["cancelType"] == "CancelByUser"
    assert D(wallet(s)["totalInitialMargin"]) == 0
    assert position(s)["size"] == "0"


def test_exchange_pybit_market_fill_position_and_wallet(sim: RunningSim) -> None:
    s = client(sim)
    s.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.05")
    p = position(s)
    assert p["side"] == "Buy" and p["size"] == "0.05" and p["leverage"] == "10"
    entry = D(p["avgPrice"])
    assert D(p["positionIM"]) == entry * D("0.05") / 10
    assert D(p["positionMM"]) == entry * D("0.05") * D("0.005")  # BTCUSDT tier 1 MMR 0.5 %
    assert D("0") < D(p["liqPrice"]) < entry
    ex = s.get_executions(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert ex["execType"] == "Trade" and ex["execQty"] == "0.05" and ex["isMaker"] is False
    w = wallet(s)
    assert D(w["totalWalletBalance"]) == D(100000) - D(ex["execFee"])
    assert D(w["totalInitialMargin"]) == D(p["positionIM"])
    # close with reduce-only: more than the position is clamped to it
    s.place_order(
        category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.5", reduceOnly=True
    )
    assert position(s)["size"] == "0"
    assert (
        code_of(
            s.place_order,
            category="linear",
            symbol="BTCUSDT",
            side="Sell",
            orderType="Market",
            qty="0.01",
            reduceOnly=True,
        )
        == 110017
    )


def test_exchange_pybit_partial_fill_over_bars(sim: RunningSim) -> None:
    s = client(sim)
    book = s.get_orderbook(category="linear", symbol="BTCUSDT", limit=50)["result"]
    best_ask, level = D(book["a"][0][0]), D(book["a"][0][1])
    # IOC for two levels' worth at the best ask only takes the first level
    s.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Limit",
        qty=str(level * 2),
        price=str(best_ask),
        timeInForce="IOC",
        orderLinkId="ioc-1",
    )
    o = s.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId="ioc-1")["result"]["list"][0]
    assert (o["orderStatus"], D(o["cumExecQty"]), o["leavesQty"]) == ("Cancelled", level, "0")
    assert position(s)["size"] == str(level)


def test_exchange_pybit_post_only_crossing_is_cancelled(sim: RunningSim) -> None:
    s = client(sim)
    ask = s.get_orderbook(category="linear", symbol="BTCUSDT")["result"]["a"][0][0]
    r = s.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Limit",
        qty="0.01",
        price=ask,
        timeInForce="PostOnly",
        orderLinkId="po-1",
    )
    assert r["retCode"] == 0  # accepted ...
    o = s.get_open_orders(category="linear", symbol="BTCUSDT", orderLinkId="po-1")["result"]["list"][0]
    assert (o["orderStatus"], o["rejectReason"]) == (
        "Cancelled",
        "EC_PostOnlyWillTakeLiquidity",
    )  # ... then cancelled


def test_exchange_pybit_tp_sl_and_funding(sim: RunningSim) -> None:
    s = client(sim)
    last = D(s.get_tickers(category="linear", symbol="BTCUSDT")["result"]["list"][0]["lastPrice"])
    s.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Sell",
        orderType="Market",
        qty="0.01",
        takeProfit=str(last - 3000),
        stopLoss=str(last + 3000),
    )
    p = position(s)
    assert (p["side"], p["takeProfit"], p["stopLoss"]) == ("Sell", str(last - 3000), str(last + 3000))
    sim.advance(8 * HOUR)
    funding = s.get_executions(category="linear", execType="Funding")["result"]["list"]
    assert len(funding) == 1 and funding[0]["side"] == "Sell" and funding[0]["execQty"] == "0.01"
    assert int(funding[0]["execTime"]) % (8 * HOUR) == 0
    sim.advance(20 * 24 * HOUR)
    closes = [
        o
        for o in s.get_order_history(category="linear", symbol="BTCUSDT")["result"]["list"]
        if o["stopOrderType"] in ("TakeProfit", "StopLoss")
    ]
    assert len(closes) == 1 and closes[0]["orderStatus"] == "Filled"
    assert position(s)["size"] == "0"
    w = wallet(s)
    realised = sum(
        D(e["execFee"])
        for e in s.get_executions(category="linear", limit=100)["result"]["list"]
        if e["execType"] == "Funding"
    )
    assert D(w["totalWalletBalance"]) != D(100000) and realised != 0


def test_exchange_pybit_liquidation(sim: RunningSim) -> None:
    s = client(sim, KEY2, SECRET2)  # the 1,000 USDT account
    s.set_leverage(category="linear", symbol="BTCUSDT", buyLeverage="100", sellLeverage="100")
    assert (
        code_of(s.set_leverage, category="linear", symbol="BTCUSDT", buyLeverage="100", sellLeverage="100")
        == 110043
    )
    s.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.05")
    p = position(s)
    im = D(p["positionIM"])
    sim.advance(30 * 24 * HOUR)
    bust = s.get_executions(category="linear", execType="BustTrade")["result"]["list"]
    assert len(bust) == 1 and D(bust[0]["execPrice"]) == D(p["avgPrice"]) * D("0.99")
    assert position(s)["size"] == "0"
    w = wallet(s)
    fees = sum(D(e["execFee"]) for e in s.get_executions(category="linear", limit=100)["result"]["list"])
    assert D(w["totalWalletBalance"]) == D(1000) - im - fees


def test_exchange_pybit_error_paths(sim: RunningSim) -> None:
    s = client(sim, KEY2, SECRET2)
    order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market"}
    assert code_of(s.place_order, **order, qty="1") == 110007  # 1 BTC at 10x > 1,000 USDT
    assert code_of(s.place_order, **order, qty="0.0001") == 10001
    assert code_of(s.place_order, **dict(order, orderType="Limit"), qty="0.001", price="50000.03") == 10001
    assert code_of(s.place_order, **dict(order, symbol="NOPEUSDT"), qty="0.001") == 10001
    assert code_of(s.place_order, **dict(order, category="spot"), qty="0.0000001") in (170136, 170137)
    s.place_order(**order, qty="0.001", orderLinkId="dup-1")
    assert code_of(s.place_order, **order, qty="0.001", orderLinkId="dup-1") == 110072
    assert code_of(s.cancel_order, category="linear", symbol="BTCUSDT", orderLinkId="nope") == 110001
    assert code_of(s.amend_order, category="linear", symbol="BTCUSDT", orderId="nope", qty="1") == 110001
    bad_key = client(sim, "WRONGKEY", SECRET)
    assert code_of(bad_key.get_wallet_balance, accountType="UNIFIED") == 10003
    bad_sig = client(sim, KEY, "not-the-secret")
    with pytest.raises(InvalidRequestError) as err:
        bad_sig.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 10004 and "error sign! origin_string[" in err.value.message


def test_exchange_timestamp_window_raw(sim: RunningSim) -> None:
    """10002 for a client clock 2 s ahead, and the signature covers the raw query string."""
    query = "accountType=UNIFIED"
    for skew, expected in ((2000, 10002), (0, 0)):
        ts = str(int(time.time() * 1000) + skew)
        headers = {
            "X-BAPI-API-KEY": KEY,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": "5000",
            "X-BAPI-SIGN": sign(SECRET, ts + KEY + "5000" + query),
        }
        body = requests.get(f"{sim.url}/v5/account/wallet-balance?{query}", headers=headers, timeout=5).json()
        assert body["retCode"] == expected


def test_exchange_pybit_categories_not_traded_are_empty(sim: RunningSim) -> None:
    s = client(sim)
    for cat in ("inverse", "option"):
        assert s.get_positions(category=cat, settleCoin="USDT")["result"]["list"] == []
        assert s.get_open_orders(category=cat, settleCoin="USDT")["result"]["list"] == []
        assert s.get_executions(category=cat)["result"]["list"] == []
        assert s.get_fee_rates(category=cat)["result"]["list"] == []
    assert s.get_risk_limit(category="inverse")["result"]["list"] == []


def test_exchange_pybit_account_and_reference_endpoints(sim: RunningSim) -> None:
    s = client(sim)
    fee = s.get_fee_rates(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert (fee["takerFeeRate"], fee["makerFeeRate"]) == ("0.00055", "0.0002")
    assert s.get_account_info()["result"]["unifiedMarginStatus"] == 6
    api = s.get_api_key_information()["result"]
    assert api["apiKey"] == KEY and api["readOnly"] == 0
    coins = {r["coin"] for r in s.get_coin_info()["result"]["rows"]}
    assert {"BTC", "USDT"} <= coins
    tiers = s.get_risk_limit(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert tiers[0]["riskLimitValue"] == "2000000" and tiers[0]["maintenanceMargin"] == "0.005"
    book = s.get_orderbook(category="linear", symbol="BTCUSDT", limit=5)["result"]
    assert len(book["a"]) == len(book["b"]) == 5 and D(book["a"][0][0]) > D(book["b"][0][0])


def test_exchange_pybit_spot_round_trip(sim: RunningSim) -> None:
    s = client(sim)
    s.place_order(
        category="spot", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01", marketUnit="baseCoin"
    )
    coins = {c["coin"]: c for c in wallet(s)["coin"]}
    assert D(coins["BTC"]["walletBalance"]) == D("0.01") * (1 - D("0.001"))
    s.place_order(
        category="spot", symbol="BTCUSDT", side="Sell", orderType="Limit", qty="0.005", price="200000"
    )
    coins = {c["coin"]: c for c in wallet(s)["coin"]}
    assert D(coins["BTC"]["locked"]) == D("0.005")
    assert s.cancel_all_orders(category="spot", symbol="BTCUSDT")["result"]["success"] == "1"
