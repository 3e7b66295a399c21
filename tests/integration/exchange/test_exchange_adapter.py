"""Contract: the BybitExchange adapter against the simulator (paper environment)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal as D

import pytest

from openalpha.domain import (
    Bar,
    Category,
    Fill,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from openalpha.exchange import Exchange, OrderNotFound, PrivateHandlers, RejectedError
from openalpha.exchange.bybit.adapter import BybitExchange

from .conftest import KEY, SECRET, RunningSim

HOUR = 3_600_000


def req(link: str, side: Side = Side.BUY, qty: str = "0.01", **kw: object) -> OrderRequest:
    return OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=side,
        order_type=kw.pop("order_type", OrderType.MARKET),  # type: ignore[arg-type]
        qty=D(qty),
        order_link_id=link,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def ex(sim: RunningSim) -> Iterator[BybitExchange]:
    adapter = BybitExchange("paper", KEY, SECRET, base_url=sim.url)
    try:
        yield adapter
    finally:
        adapter.close()


def wait_for(cond, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_exchange_adapter_is_an_exchange(ex: BybitExchange) -> None:
    assert isinstance(ex, Exchange)
    with pytest.raises(ValueError):
        BybitExchange("mainnet", "k", "s")  # no explicit opt-in


def test_exchange_adapter_orders_positions_wallet(ex: BybitExchange, sim: RunningSim) -> None:
    inst = ex.instrument("BTCUSDT")
    assert inst.tick_size == D("0.1") and inst.qty_step == D("0.001")
    placed = ex.place_order(req("a-1", qty="0.0129"))  # rounded DOWN to the step
    assert placed.qty == D("0.012") and placed.order_id
    fills = ex.executions_since(Category.LINEAR, 0)
    assert [(f.order_link_id, f.qty) for f in fills] == [("a-1", D("0.012"))]
    (pos,) = ex.positions()
    assert pos.size == D("0.012") and pos.liq_price is not None and pos.position_im > 0
    (usdt,) = [b for b in ex.wallet() if b.coin == "USDT"]
    assert usdt.wallet_balance == D(100000) - fills[0].fee
    # a limit buy rounds its price down to the tick (never pays more than asked)
    rest = ex.place_order(
        req("a-2", order_type=OrderType.LIMIT, price=D("80000.07"), time_in_force=TimeInForce.GTC)
    )
    (open_,) = ex.open_orders(Category.LINEAR, "BTCUSDT")
    assert (open_.order_link_id, open_.price, open_.status) == ("a-2", D("80000.0"), OrderStatus.NEW)
    amended = ex.amend_order("BTCUSDT", Category.LINEAR, "a-2", qty=D("0.02"), price=D("80100"))
    assert (amended.qty, amended.price) == (D("0.02"), D("80100"))
    ex.cancel_order("BTCUSDT", Category.LINEAR, "a-2")
    with pytest.raises(OrderNotFound):
        ex.cancel_order("BTCUSDT", Category.LINEAR, "a-2")
    closed = ex.order_by_link_id(Category.LINEAR, "BTCUSDT", "a-2")
    assert closed is not None and closed.status is OrderStatus.CANCELLED and closed.order_id == rest.order_id
    assert ex.order_by_link_id(Category.LINEAR, "BTCUSDT", "never") is None
    ex.set_leverage("BTCUSDT", D(25))
    ex.set_leverage("BTCUSDT", D(25))  # unchanged: not an error
    assert ex.positions(symbol="BTCUSDT")[0].leverage == D(25)
    ex.place_order(req("a-3", order_type=OrderType.LIMIT, price=D("70000")))
    ex.place_order(req("a-4", order_type=OrderType.LIMIT, price=D("70001")))
    assert sorted(ex.cancel_all(Category.LINEAR, "BTCUSDT")) == ["a-3", "a-4"]


def test_exchange_adapter_rejections(ex: BybitExchange) -> None:
    with pytest.raises(RejectedError) as err:
        ex.place_order(req("r-1", side=Side.SELL, reduce_only=True))
    assert err.value.code == 110017
    with pytest.raises(RejectedError) as err:
        ex.place_order(req("r-2", qty="50"))
    assert err.value.code == 110007
    with pytest.raises(RejectedError):
        ex.instrument("NOPEUSDT")


def test_exchange_adapter_resend_returns_the_same_order(ex: BybitExchange) -> None:
    first = ex.place_order(req("same-1"))
    again = ex.place_order(req("same-1"))  # duplicate orderLinkId: the existing order comes back
    assert again.order_id == first.order_id
    assert len(ex.executions_since(Category.LINEAR, 0)) == 1


def test_exchange_adapter_clock_skew_never_surfaces_10002(sim: RunningSim) -> None:
    skewed = BybitExchange(
        "paper", KEY, SECRET, base_url=sim.url, clock=lambda: int(time.time() * 1000) + 7000
    )
    try:
        assert skewed.wallet()  # first request hits 10002, resyncs from server_timestamp[...] and succeeds
        assert skewed.rest.time_resyncs == 1
        skewed.place_order(req("skew-1"))
        assert skewed.rest.time_resyncs == 1
    finally:
        skewed.close()


def test_exchange_adapter_streams(ex: BybitExchange, sim: RunningSim) -> None:
    orders: list[Order] = []
    fills: list[Fill] = []
    bars: list[Bar] = []
    lock = threading.Lock()
    ex.subscribe_private(PrivateHandlers(on_order=orders.append, on_fill=fills.append))
    ex.subscribe_bars("BTCUSDT", "5", lambda b: bars.append(b))
    time.sleep(0.3)
    ex.place_order(req("s-1", side=Side.SELL))
    sim.advance(8 * HOUR)
    wait_for(lambda: len(bars) >= 96 and any(f.exec_type.value == "Funding" for f in fills))
    with lock:
        assert [o.status for o in orders if o.order_link_id == "s-1"][-1] is OrderStatus.FILLED
        assert [b.ts for b in bars] == sorted({b.ts for b in bars})  # in order, no repeats
        assert bars[0].ts == 1_746_057_600_000
