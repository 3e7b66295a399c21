"""Bybit V5 JSON ⇄ domain objects, pure functions (BYBIT_V5.md §4–5).

Outgoing amounts are rounded with :mod:`openalpha.venue` and sent as pre-formatted strings
(pybit turns integral floats into ints and prints other floats with ``str()``, §8).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from openalpha.domain import (
    Balance,
    Bar,
    Category,
    Environment,
    ExecType,
    Fill,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
)
from openalpha.exchange.errors import RejectedError
from openalpha.venue import round_price, round_qty

_STATUS = {
    "New": OrderStatus.NEW,
    "PartiallyFilled": OrderStatus.PARTIALLY_FILLED,
    "Untriggered": OrderStatus.NEW,
    "Filled": OrderStatus.FILLED,
    "Cancelled": OrderStatus.CANCELLED,
    "PartiallyFilledCanceled": OrderStatus.CANCELLED,
    "Deactivated": OrderStatus.CANCELLED,
    "Triggered": OrderStatus.NEW,
    "Rejected": OrderStatus.REJECTED,
}
_EXEC = {
    "Trade": ExecType.TRADE,
    "Funding": ExecType.FUNDING,
    "BustTrade": ExecType.BUST_TRADE,
    "AdlTrade": ExecType.ADL_TRADE,
}


def text(value: Decimal) -> str:
    """A Decimal as Bybit wants it: plain notation, no exponent."""
    out = format(value.normalize(), "f")
    return "0" if out in ("-0", "") else out


def dec(raw: Any, default: str = "0") -> Decimal:
    if raw is None or raw == "":
        return Decimal(default)
    return Decimal(str(raw))


def order_params(req: OrderRequest, inst: Instrument) -> dict[str, Any]:
    """``/v5/order/create`` parameters, qty/price/TP/SL rounded to the instrument's filters."""
    qty = round_qty(req.qty, inst)
    if qty <= 0:
        raise RejectedError(f"qty {req.qty} rounds to 0 at step {inst.qty_step}", 10001)
    params: dict[str, Any] = {
        "category": inst.category.value,
        "symbol": inst.symbol,
        "side": req.side.value,
        "orderType": req.order_type.value,
        "qty": text(qty),
        "orderLinkId": req.order_link_id,
    }
    if req.order_type is OrderType.LIMIT and req.price is not None:
        params["price"] = text(round_price(req.price, inst, req.side))
        params["timeInForce"] = req.time_in_force.value
    if inst.category is Category.SPOT and req.order_type is OrderType.MARKET:
        params["marketUnit"] = "baseCoin"  # sizes are always base-coin quantities in Open Alpha
    if req.reduce_only:
        params["reduceOnly"] = True
    exit_side = req.side.opposite()  # TP/SL close the position: round so they never cross further
    if req.take_profit is not None:
        params["takeProfit"] = text(round_price(req.take_profit, inst, exit_side))
    if req.stop_loss is not None:
        params["stopLoss"] = text(round_price(req.stop_loss, inst, exit_side))
    if inst.category is Category.LINEAR:
        params["positionIdx"] = 0
    return params


def parse_order(item: dict[str, Any], category: Category) -> Order:
    status = _STATUS.get(item.get("orderStatus", ""), OrderStatus.NEW)
    order_type = (
        OrderType(item.get("orderType", "Limit"))
        if item.get("orderType") in ("Market", "Limit")
        else OrderType.MARKET
    )
    tif_raw = item.get("timeInForce", "GTC")
    tif = TimeInForce(tif_raw) if tif_raw in {t.value for t in TimeInForce} else TimeInForce.GTC
    price = dec(item.get("price"))
    filled = dec(item.get("cumExecQty"))
    value = dec(item.get("cumExecValue"))
    created = int(item.get("createdTime") or 0)
    return Order(
        order_link_id=item.get("orderLinkId", "") or item.get("orderId", ""),
        symbol=item["symbol"],
        category=category,
        side=Side(item["side"]),
        order_type=order_type,
        qty=dec(item.get("qty")),
        created_ts=created,
        price=price if price > 0 else None,
        time_in_force=tif,
        reduce_only=bool(item.get("reduceOnly", False)),
        order_id=item.get("orderId", ""),
        status=status,
        filled_qty=filled,
        avg_price=value / filled if filled else Decimal(0),
        fee=dec(item.get("cumExecFee")),
        updated_ts=int(item.get("updatedTime") or created),
        reject_reason=""
        if item.get("rejectReason") in (None, "", "EC_NoError")
        else str(item["rejectReason"]),
    )


def parse_execution(item: dict[str, Any], category: Category) -> Fill:
    return Fill(
        exec_id=item["execId"],
        symbol=item["symbol"],
        category=category,
        side=Side(item["side"]),
        price=dec(item.get("execPrice")),
        qty=dec(item.get("execQty")),
        fee=dec(item.get("execFee")),
        ts=int(item.get("execTime") or 0),
        order_id=item.get("orderId", ""),
        order_link_id=item.get("orderLinkId", ""),
        fee_rate=dec(item.get("feeRate")),
        is_maker=bool(item.get("isMaker", False)),
        exec_type=_EXEC.get(item.get("execType", "Trade"), ExecType.TRADE),
    )


def parse_position(item: dict[str, Any]) -> Position:
    size = dec(item.get("size"))
    if item.get("side") == "Sell":
        size = -size
    liq = dec(item.get("liqPrice"))
    return Position(
        symbol=item["symbol"],
        category=Category.LINEAR,
        size=size,
        entry_price=dec(item.get("avgPrice") or item.get("entryPrice")),
        leverage=dec(item.get("leverage"), "1"),
        mark_price=dec(item.get("markPrice")),
        liq_price=liq if liq > 0 else None,
        position_im=dec(item.get("positionIM")),
        position_mm=dec(item.get("positionMM")),
        unrealised_pnl=dec(item.get("unrealisedPnl")),
        realised_pnl=dec(item.get("cumRealisedPnl")),
        ts=int(item.get("updatedTime") or 0),
    )


def parse_wallet(account: dict[str, Any], env: Environment, ts: int) -> list[Balance]:
    out = []
    for coin in account.get("coin", []):
        wallet = dec(coin.get("walletBalance"))
        equity = dec(coin.get("equity"), str(wallet))
        if coin.get("coin") == "USDT" and account.get("totalAvailableBalance") not in (None, ""):
            available = dec(account.get("totalAvailableBalance"))
        else:
            available = wallet - dec(coin.get("locked"))
        out.append(
            Balance(
                env=env, coin=coin["coin"], wallet_balance=wallet, equity=equity, available=available, ts=ts
            )
        )
    return out


def parse_instrument(item: dict[str, Any], category: Category) -> Instrument:
    from openalpha.exchange.bybit.market_client import _instrument, _InstrumentItem

    return _instrument(msgspec.convert(item, _InstrumentItem), category.value)


def parse_ws_kline(item: dict[str, Any], symbol: str) -> Bar:
    return Bar(
        symbol=symbol,
        interval=str(item["interval"]),
        ts=int(item["start"]),
        open=float(item["open"]),
        high=float(item["high"]),
        low=float(item["low"]),
        close=float(item["close"]),
        volume=float(item.get("volume", 0) or 0),
        turnover=float(item.get("turnover", 0) or 0),
    )


def parse_rest_kline(row: list[str], symbol: str, interval: str) -> Bar:
    return Bar(
        symbol=symbol,
        interval=interval,
        ts=int(row[0]),
        open=float(row[1]),
        high=float(row[2]),
        low=float(row[3]),
        close=float(row[4]),
        volume=float(row[5]) if len(row) > 5 else 0.0,
        turnover=float(row[6]) if len(row) > 6 else 0.0,
    )
