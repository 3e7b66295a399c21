"""Order entry on the simulated exchange: create, amend, cancel, cancel-all, set-leverage.

Each function validates like Bybit (retCodes in BYBIT_V5.md §2), books the change through the
:class:`Engine` and publishes order/execution/position/wallet events. Creation is answered
before asynchronous outcomes (a PostOnly that would cross is accepted, then Cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from openalpha.domain import Category, Instrument, Side
from openalpha.sim.trading.account import Account
from openalpha.sim.trading.engine import Engine, dec
from openalpha.sim.trading.errors import SimError
from openalpha.sim.trading.records import ZERO, SimOrder
from openalpha.venue import check_order, fee_rates, round_qty

TIFS = ("GTC", "IOC", "FOK", "PostOnly")


@dataclass
class NewOrder:
    category: str
    symbol: str
    side: str
    order_type: str
    qty: Decimal
    price: Decimal | None = None
    time_in_force: str = "GTC"
    order_link_id: str = ""
    reduce_only: bool = False
    close_on_trigger: bool = False
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    tp_trigger_by: str = "LastPrice"
    sl_trigger_by: str = "LastPrice"
    market_unit: str = ""


def _duplicate(category: str) -> SimError:
    if category == "spot":
        return SimError(170141, "Duplicate clientOrderId")
    return SimError(110072, "OrderLinkedID is duplicate")


def _validate_tpsl(req: NewOrder, ref: Decimal) -> None:
    if req.take_profit is None and req.stop_loss is None:
        return
    if req.category == "spot":
        raise SimError(10001, "params error: takeProfit/stopLoss are not supported for spot in the simulator")
    if req.reduce_only:
        raise SimError(10001, "params error: TP/SL cannot be set on a reduce-only order")
    base = req.price if req.price is not None else ref
    buy = req.side == "Buy"
    if req.take_profit is not None and (req.take_profit <= base if buy else req.take_profit >= base):
        word = "greater" if buy else "less"
        raise SimError(
            10001,
            f"TakeProfit:{req.take_profit} set for {req.side} position should be {word} than base_price:{base}",
        )
    if req.stop_loss is not None and (req.stop_loss >= base if buy else req.stop_loss <= base):
        word = "less" if buy else "greater"
        raise SimError(
            10001,
            f"StopLoss:{req.stop_loss} set for {req.side} position should be {word} than base_price:{base}",
        )


def _check_funds(
    engine: Engine, acct: Account, inst: Instrument, req: NewOrder, qty: Decimal, px: Decimal
) -> None:
    if inst.category is Category.SPOT:
        if req.side == "Buy":
            need = qty * px
            avail = engine.available_usdt(acct)
        else:
            need = qty
            avail = acct.coins.get(inst.base_coin, ZERO) - acct.locked_coin(
                inst.base_coin, engine.inst_lookup
            )
        if need > avail:
            raise SimError(170131, "Insufficient balance.")
        return
    pos = acct.position(inst.symbol, inst)
    opening = qty
    if pos.size != 0 and (pos.size > 0) != (req.side == "Buy"):
        opening = max(ZERO, qty - abs(pos.size))
    if opening == 0:
        return
    tiers = inst.risk_tiers
    if tiers and (abs(pos.size) + opening) * px > tiers[-1].limit:
        raise SimError(
            110090, f"Order would exceed the largest risk limit {tiers[-1].limit} of {inst.symbol}"
        )
    taker = fee_rates(engine.params.fee_tier, inst.category).taker
    need = opening * px / pos.leverage + opening * px * taker
    if need > engine.available_usdt(acct):
        raise SimError(110007, "ab not enough for new order")


def create(engine: Engine, acct: Account, req: NewOrder) -> SimOrder:
    """Validate and accept an order, then match what is marketable."""
    inst = engine.instrument(req.category, req.symbol)
    if req.side not in ("Buy", "Sell"):
        raise SimError(10001, f"params error: side invalid: {req.side!r}")
    if req.order_type not in ("Market", "Limit"):
        raise SimError(10001, f"params error: orderType invalid: {req.order_type!r}")
    tif = "IOC" if req.order_type == "Market" else req.time_in_force
    if tif not in TIFS:
        raise SimError(10001, f"params error: timeInForce invalid: {req.time_in_force!r}")
    now = engine.now()
    engine.sync(now)
    index = engine.last_index(inst, now)
    if req.order_link_id and (req.category, req.order_link_id) in acct.links:
        raise _duplicate(req.category)
    market = req.order_type == "Market"
    book = engine.book(inst, index)
    ref = book.best_ask if req.side == "Buy" else book.best_bid
    qty = req.qty
    if inst.category is Category.SPOT and market and req.side == "Buy" and req.market_unit != "baseCoin":
        qty = round_qty(req.qty / ref, inst)  # spot market buys are sized in quote coin by default
    violation = check_order(inst, qty, None if market else req.price, ref_price=ref, market=market)
    if violation is not None:
        raise SimError(violation.code, violation.message)
    _validate_tpsl(req, dec(engine.series(inst).close[index]))
    if req.reduce_only and inst.category is Category.LINEAR:
        pos = acct.position(inst.symbol, inst)
        if pos.size == 0 or (pos.size > 0) == (req.side == "Buy"):
            raise SimError(110017, "Reduce-only rule not satisfied")
        qty = min(qty, abs(pos.size))
    if not req.reduce_only:
        _check_funds(engine, acct, inst, req, qty, ref if market else req.price or ref)
    order = SimOrder(
        order_id=engine.new_id(),
        order_link_id=req.order_link_id,
        category=inst.category.value,
        symbol=inst.symbol,
        side=req.side,
        order_type=req.order_type,
        qty=qty,
        price=None if market else req.price,
        time_in_force=tif,
        created_ms=now,
        updated_ms=now,
        reduce_only=req.reduce_only,
        close_on_trigger=req.close_on_trigger,
        take_profit=req.take_profit,
        stop_loss=req.stop_loss,
        tp_trigger_by=req.tp_trigger_by,
        sl_trigger_by=req.sl_trigger_by,
        last_price_on_created=dec(engine.series(inst).close[index]),
        market_unit=req.market_unit,
    )
    acct.orders[order.order_id] = order
    acct.open[order.order_id] = order
    if req.order_link_id:
        acct.links[(req.category, req.order_link_id)] = order.order_id
    match_incoming(engine, acct, order, inst, index, now)
    return order


def match_incoming(
    engine: Engine, acct: Account, order: SimOrder, inst: Instrument, index: int, now: int
) -> None:
    """Take liquidity for a new (or amended) order; rest, cancel or reject what is left."""
    key = (inst.category, inst.symbol)
    book = engine.book(inst, index)
    side = Side(order.side)
    taken_buy, taken_sell = engine.taken(key, index)
    taken = taken_buy if side is Side.BUY else taken_sell
    limit = order.price
    crosses = limit is None or (limit >= book.best_ask if side is Side.BUY else limit <= book.best_bid)
    if order.time_in_force == "PostOnly" and crosses:
        engine.close_order(acct, order, "Cancelled", now, "EC_PostOnlyWillTakeLiquidity")
        engine.finish_after_fills(acct, order, inst, now)
        return
    want = engine.reducible(acct, order, inst)
    if order.time_in_force == "FOK" and book.available(side, limit, taken) < want:
        engine.close_order(acct, order, "Cancelled", now, "EC_FOKNotFilled")
        engine.finish_after_fills(acct, order, inst, now)
        return
    if crosses and want > 0:
        for price, q in book.take(side, want, limit, taken):
            engine.fill(acct, order, inst, price, q, maker=False, ts=now)
            engine.add_taken(key, index, side, q)
    if order.cum_qty >= order.qty:
        engine.close_order(acct, order, "Filled", now)
    elif order.time_in_force in ("IOC", "FOK") or engine.reducible(acct, order, inst) == 0:
        status = (
            "PartiallyFilledCanceled" if (order.cum_qty > 0 and order.category == "spot") else "Cancelled"
        )
        reason = "EC_NoImmediateQtyToFill" if order.order_type == "Limit" else "EC_CancelForNoFullFill"
        engine.close_order(acct, order, status, now, reason if order.cum_qty == 0 else "")
    else:
        resting = engine.resting.setdefault(key, [])
        if not any(o is order for _, o in resting):
            resting.append((acct, order))
    engine.finish_after_fills(acct, order, inst, now)


def find_order(acct: Account, category: str, order_id: str, link_id: str) -> SimOrder:
    """The order named by orderId (wins) or orderLinkId; 110001 when unknown."""
    if not order_id and not link_id:
        raise SimError(10001, "params error: orderId or orderLinkId is required")
    oid = order_id or acct.links.get((category, link_id), "")
    order = acct.orders.get(oid)
    if order is None or order.category != category:
        raise SimError(110001 if category != "spot" else 170213, "Order does not exist.")
    return order


def cancel(
    engine: Engine, acct: Account, category: str, symbol: str, order_id: str, link_id: str
) -> SimOrder:
    engine.instrument(category, symbol)
    engine.sync()
    order = find_order(acct, category, order_id, link_id)
    if order.symbol != symbol or not order.is_open:
        raise SimError(110001 if category != "spot" else 170213, "Order does not exist.")
    now = engine.now()
    engine.close_order(acct, order, "Cancelled", now)
    order.cancel_type = "CancelByUser"
    engine.finish_after_fills(acct, order, engine.inst_lookup(category, symbol), now)
    return order


def cancel_all(engine: Engine, acct: Account, category: str, symbol: str | None) -> list[SimOrder]:
    if symbol:
        engine.instrument(category, symbol)
    engine.sync()
    now = engine.now()
    done = []
    for order in acct.open_orders():
        if order.category == category and (not symbol or order.symbol == symbol):
            engine.close_order(acct, order, "Cancelled", now)
            order.cancel_type = "CancelByUser"
            engine.finish_after_fills(acct, order, engine.inst_lookup(category, order.symbol), now)
            done.append(order)
    return done


def amend(
    engine: Engine,
    acct: Account,
    category: str,
    symbol: str,
    order_id: str,
    link_id: str,
    qty: Decimal | None,
    price: Decimal | None,
) -> SimOrder:
    inst = engine.instrument(category, symbol)
    now = engine.now()
    engine.sync(now)
    order = find_order(acct, category, order_id, link_id)
    if order.symbol != symbol or not order.is_open:
        raise SimError(110001, "Order does not exist.")
    if order.order_type != "Limit":
        raise SimError(10001, "params error: only open Limit orders can be amended")
    if qty is None and price is None:
        raise SimError(10001, "params error: nothing to amend")
    new_qty = order.qty if qty is None else qty
    new_price = order.price if price is None else price
    violation = check_order(inst, new_qty, new_price)
    if violation is not None:
        raise SimError(violation.code, violation.message)
    if new_qty <= order.cum_qty:
        raise SimError(110009, "The number of orders exceeds the upper limit: qty is below the filled qty")
    if new_qty == order.qty and new_price == order.price:
        raise SimError(10001, "params error: the order was not modified")
    order.qty, order.price, order.updated_ms = new_qty, new_price, now
    match_incoming(engine, acct, order, inst, engine.last_index(inst, now), now)
    return order


def set_leverage(engine: Engine, acct: Account, category: str, symbol: str, buy: str, sell: str) -> None:
    if category != "linear":
        raise SimError(10001, f"params error: set-leverage is not supported for category {category!r}")
    inst = engine.instrument(category, symbol)
    try:
        lev, lev_sell = Decimal(buy), Decimal(sell)
    except ArithmeticError:
        raise SimError(10001, "params error: buyLeverage/sellLeverage must be numbers") from None
    if lev != lev_sell:
        raise SimError(10001, "params error: buyLeverage must equal sellLeverage in one-way mode")
    if not Decimal(1) <= lev <= inst.max_leverage or lev != lev.quantize(Decimal("0.01")):
        raise SimError(10001, f"params error: leverage {buy} is outside [1, {inst.max_leverage}]")
    engine.sync()
    pos = acct.position(symbol, inst)
    if pos.leverage == lev:
        raise SimError(110043, "Set leverage not modified")
    pos.leverage = lev
    acct.leverage[symbol] = lev
    engine.emit_position(acct, inst)
