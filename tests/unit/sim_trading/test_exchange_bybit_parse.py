"""The adapter's pure translation layer: outgoing parameters and incoming Bybit JSON."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from openalpha.domain import Category, Environment, ExecType, OrderRequest, OrderStatus, OrderType, Side
from openalpha.exchange.bybit import parse
from openalpha.exchange.errors import (
    AuthError,
    OrderNotFound,
    RejectedError,
    RetryableError,
    error_for_code,
    error_for_http_status,
)
from openalpha.venue import default_instrument

BTC = default_instrument("BTCUSDT")


def test_exchange_order_params_are_rounded_strings() -> None:
    buy = OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=D("0.0129"),
        price=D("60000.19"),
        order_link_id="x",
        take_profit=D("61000.01"),
        stop_loss=D("59000.09"),
    )
    p = parse.order_params(buy, BTC)
    assert p["qty"] == "0.012" and p["price"] == "60000.1"  # qty down to step, buy price down to tick
    assert p["takeProfit"] == "61000.1" and p["stopLoss"] == "59000.1"  # exits round against the exit side
    assert all(isinstance(p[k], str) for k in ("qty", "price", "takeProfit", "stopLoss"))
    sell = OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.SELL,
        order_type=OrderType.LIMIT,
        qty=D("1"),
        price=D("60000.11"),
        order_link_id="y",
    )
    assert parse.order_params(sell, BTC)["price"] == "60000.2" and parse.order_params(sell, BTC)["qty"] == "1"
    tiny = OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        qty=D("0.0004"),
        order_link_id="z",
    )
    with pytest.raises(RejectedError):
        parse.order_params(tiny, BTC)
    spot = OrderRequest(
        symbol="BTCUSDT",
        category=Category.SPOT,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        qty=D("0.01"),
        order_link_id="s",
    )
    assert parse.order_params(spot, default_instrument("BTCUSDT", Category.SPOT))["marketUnit"] == "baseCoin"


def test_exchange_parse_order_execution_position_wallet() -> None:
    order = parse.parse_order(
        {
            "orderId": "1",
            "orderLinkId": "L",
            "symbol": "BTCUSDT",
            "side": "Sell",
            "orderType": "Limit",
            "price": "60000",
            "qty": "0.02",
            "orderStatus": "PartiallyFilled",
            "cumExecQty": "0.01",
            "cumExecValue": "600",
            "cumExecFee": "0.12",
            "timeInForce": "PostOnly",
            "createdTime": "5",
            "updatedTime": "7",
            "rejectReason": "EC_NoError",
        },
        Category.LINEAR,
    )
    assert (order.status, order.filled_qty, order.avg_price, order.updated_ts) == (
        OrderStatus.PARTIALLY_FILLED,
        D("0.01"),
        D("60000"),
        7,
    )
    assert order.reject_reason == ""
    fill = parse.parse_execution(
        {
            "execId": "e",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "execPrice": "60000",
            "execQty": "0.01",
            "execFee": "-0.3",
            "execTime": "9",
            "execType": "Funding",
            "feeRate": "0.0001",
        },
        Category.LINEAR,
    )
    assert fill.exec_type is ExecType.FUNDING and not fill.is_trade and fill.fee == D("-0.3")
    pos = parse.parse_position(
        {
            "symbol": "BTCUSDT",
            "side": "Sell",
            "size": "0.5",
            "avgPrice": "60000",
            "leverage": "10",
            "liqPrice": "",
            "positionIM": "3000",
            "positionMM": "150",
        }
    )
    assert pos.size == D("-0.5") and pos.liq_price is None
    (usdt,) = parse.parse_wallet(
        {
            "totalAvailableBalance": "90",
            "coin": [{"coin": "USDT", "walletBalance": "100", "equity": "101", "locked": "0"}],
        },
        Environment.PAPER,
        1,
    )
    assert (usdt.wallet_balance, usdt.equity, usdt.available) == (D("100"), D("101"), D("90"))


def test_exchange_error_tree() -> None:
    assert isinstance(error_for_code(10006, "Too many visits!"), RetryableError)
    assert isinstance(error_for_code(10016, "x"), RetryableError)
    assert isinstance(error_for_code(10004, "x"), AuthError)
    assert isinstance(error_for_code(110001, "x"), OrderNotFound)
    rejected = error_for_code(110007, "ab not enough for new order")
    assert type(rejected) is RejectedError and rejected.code == 110007
    assert isinstance(error_for_http_status(503, "x"), RetryableError)
    assert error_for_http_status(403, "x").retry_after_ms == 600_000  # type: ignore[attr-defined]
    assert isinstance(error_for_http_status(401, "x"), AuthError)
