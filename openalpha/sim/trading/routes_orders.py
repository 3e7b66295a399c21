"""``/v5/order/*`` and ``/v5/execution/list`` (BYBIT_V5.md §4)."""

from __future__ import annotations

import re
from typing import Any

from openalpha.sim.state import SimState
from openalpha.sim.trading import placing
from openalpha.sim.trading.account import Account
from openalpha.sim.trading.engine import Engine
from openalpha.sim.trading.http import Params, category, decimal, flag, integer, page, perr, text

TRADED = ("linear", "spot")
LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
OPEN_STATUSES = ("New", "PartiallyFilled", "Untriggered")


def _ids(order: Any) -> dict[str, str]:
    return {"orderId": order.order_id, "orderLinkId": order.order_link_id}


def _traded(params: Params) -> str:
    cat = category(params)
    if cat not in TRADED:
        raise perr(f"params error: category {cat!r} is not traded by the simulator")
    return cat


def create(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, str]:
    cat = _traded(params)
    link = text(params, "orderLinkId")
    if link and not LINK_ID.match(link):
        raise perr("params error: orderLinkId must be 1-36 characters of [A-Za-z0-9_-]")
    idx = integer(params, "positionIdx", 0)
    if idx not in (0, None):
        raise perr("position idx not match position mode")
    req = placing.NewOrder(
        category=cat,
        symbol=text(params, "symbol", required=True),
        side=text(params, "side", required=True),
        order_type=text(params, "orderType", required=True),
        qty=decimal(params, "qty", required=True),  # type: ignore[arg-type]
        price=decimal(params, "price"),
        time_in_force=text(params, "timeInForce", default="GTC"),
        order_link_id=link,
        reduce_only=flag(params, "reduceOnly"),
        close_on_trigger=flag(params, "closeOnTrigger"),
        take_profit=decimal(params, "takeProfit") or None,
        stop_loss=decimal(params, "stopLoss") or None,
        tp_trigger_by=text(params, "tpTriggerBy", default="LastPrice"),
        sl_trigger_by=text(params, "slTriggerBy", default="LastPrice"),
        market_unit=text(params, "marketUnit"),
    )
    if req.order_type == "Limit" and req.price is None:
        raise perr("params error: price is required for a Limit order")
    for by in (req.tp_trigger_by, req.sl_trigger_by):
        if by not in ("LastPrice", "MarkPrice", "IndexPrice"):
            raise perr(f"params error: trigger type invalid: {by!r}")
    if req.qty == 0:
        raise perr("params error: qty must be greater than 0")
    return _ids(placing.create(engine, acct, req))


def amend(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, str]:
    cat = _traded(params)
    order = placing.amend(
        engine,
        acct,
        cat,
        text(params, "symbol", required=True),
        text(params, "orderId"),
        text(params, "orderLinkId"),
        decimal(params, "qty"),
        decimal(params, "price"),
    )
    return _ids(order)


def cancel(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, str]:
    cat = _traded(params)
    order = placing.cancel(
        engine,
        acct,
        cat,
        text(params, "symbol", required=True),
        text(params, "orderId"),
        text(params, "orderLinkId"),
    )
    return _ids(order)


def cancel_all(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params)
    if cat not in TRADED:
        return {"list": [], "success": "1"}
    symbol = text(params, "symbol") or None
    if cat == "linear" and symbol is None and not (text(params, "settleCoin") or text(params, "baseCoin")):
        raise perr("params error: symbol, baseCoin or settleCoin is required")
    done = placing.cancel_all(engine, acct, cat, symbol)
    return {"list": [_ids(o) for o in done], "success": "1"}


def _filtered_orders(engine: Engine, acct: Account, cat: str, params: Params, *, history: bool) -> list[Any]:
    symbol = text(params, "symbol")
    order_id = text(params, "orderId")
    link = text(params, "orderLinkId")
    status = text(params, "orderStatus")
    open_only = integer(params, "openOnly", 0)
    start = integer(params, "startTime")
    end = integer(params, "endTime")
    out = []
    for o in reversed(list(acct.orders.values())):
        if o.category != cat or (symbol and o.symbol != symbol):
            continue
        if order_id and o.order_id != order_id:
            continue
        if link and o.order_link_id != link:
            continue
        if history:
            if status and o.status != status:
                continue
            if start is not None and o.created_ms < start:
                continue
            if end is not None and o.created_ms > end:
                continue
        elif not (order_id or link):
            is_open = o.status in OPEN_STATUSES
            if (open_only == 0 and not is_open) or (open_only == 1 and is_open):
                continue
        out.append(o)
    out.sort(key=lambda o: o.created_ms, reverse=True)
    return out


def realtime(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params)
    if cat not in TRADED:
        return {"list": [], "nextPageCursor": "", "category": cat}
    if cat == "linear" and not (
        text(params, "symbol") or text(params, "baseCoin") or text(params, "settleCoin")
    ):
        raise perr("params error: symbol, baseCoin or settleCoin is required")
    engine.sync()
    orders = _filtered_orders(engine, acct, cat, params, history=False)
    chunk, nxt = page(orders, params, 20, 50)
    return {"list": [o.to_bybit() for o in chunk], "nextPageCursor": nxt, "category": cat}


def history(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params)
    if cat not in TRADED:
        return {"list": [], "nextPageCursor": "", "category": cat}
    engine.sync()
    orders = [o for o in _filtered_orders(engine, acct, cat, params, history=True)]
    chunk, nxt = page(orders, params, 20, 50)
    return {"list": [o.to_bybit() for o in chunk], "nextPageCursor": nxt, "category": cat}


def executions(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params)
    if cat not in TRADED:
        return {"list": [], "nextPageCursor": "", "category": cat}
    engine.sync()
    symbol = text(params, "symbol")
    order_id = text(params, "orderId")
    link = text(params, "orderLinkId")
    exec_type = text(params, "execType")
    start = integer(params, "startTime")
    end = integer(params, "endTime")
    rows = []
    for ex in reversed(acct.executions):
        if ex.category != cat or (symbol and ex.symbol != symbol):
            continue
        if exec_type and ex.exec_type != exec_type:
            continue
        if order_id and (ex.order is None or ex.order.order_id != order_id):
            continue
        if link and (ex.order is None or ex.order.order_link_id != link):
            continue
        if start is not None and ex.exec_time < start:
            continue
        if end is not None and ex.exec_time > end:
            continue
        rows.append(ex)
    rows.sort(key=lambda e: (e.exec_time, e.seq), reverse=True)
    chunk, nxt = page(rows, params, 50, 100)
    return {"list": [e.to_bybit() for e in chunk], "nextPageCursor": nxt, "category": cat}
