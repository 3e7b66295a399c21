"""Orders: idempotent recording, state machine on update, status history, env separation."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from openalpha.domain import (
    Environment,
    Fill,
    IllegalTransition,
    Order,
    OrderStatus,
    Side,
)
from openalpha.store import ConflictingRecord, Ledger, StoreError, UnknownOrder
from tests.integration.store.order_builder import T0
from tests.integration.store.order_builder import new_order as _order


def _fill(order: Order, exec_id: str, qty: str, price: str, ts: int) -> Fill:
    return Fill(
        exec_id=exec_id,
        symbol=order.symbol,
        category=order.category,
        side=order.side,
        price=Decimal(price),
        qty=Decimal(qty),
        fee=Decimal(price) * Decimal(qty) * Decimal("0.0002"),
        ts=ts,
        order_link_id=order.order_link_id,
        order_id="abc-1",
    )


def test_store_order_round_trips_exactly(ledger: Ledger) -> None:
    order = _order(qty="0.000001", price="0.1")
    assert ledger.orders.record_order("paper", order) is True
    assert ledger.orders.get_order("paper", order.order_link_id) == order
    stored = ledger.orders.get_order(Environment.PAPER, order.order_link_id)
    assert stored is not None and str(stored.price) == "0.1" and str(stored.qty) == "0.000001"


def test_store_record_order_is_idempotent_and_refuses_conflicts(ledger: Ledger) -> None:
    order = _order()
    assert ledger.orders.record_order("demo", order) is True
    assert ledger.orders.record_order("demo", order) is False  # a retry: nothing new
    assert len(ledger.orders.orders("demo")) == 1
    with pytest.raises(ConflictingRecord, match="orderLinkId mr-BTCUSDT-1"):
        ledger.orders.record_order("demo", _order(qty="0.5"))


def test_store_same_link_id_is_independent_per_environment(ledger: Ledger) -> None:
    ledger.orders.record_order("paper", _order())
    ledger.orders.record_order("testnet", _order(qty="2"))
    paper, testnet = (ledger.orders.get_order(env, "mr-BTCUSDT-1") for env in ("paper", "testnet"))
    assert paper is not None and paper.qty == Decimal("0.123")
    assert testnet is not None and testnet.qty == Decimal("2")
    assert ledger.orders.get_order("mainnet", "mr-BTCUSDT-1") is None
    assert [o.qty for o in ledger.orders.open_orders("testnet")] == [Decimal("2")]


def test_store_update_follows_fills_and_keeps_history(ledger: Ledger) -> None:
    order = _order(qty="0.3")
    ledger.orders.record_order("paper", order)
    accepted = order.transition(OrderStatus.NEW, T0 + 5, order_id="abc-1")
    ledger.orders.update_order("paper", accepted)
    partial = accepted.apply_fill(_fill(order, "e1", "0.1", "67000", T0 + 10))
    ledger.orders.update_order("paper", partial)
    assert [o.order_link_id for o in ledger.orders.open_orders("paper")] == ["mr-BTCUSDT-1"]
    filled = partial.apply_fill(_fill(order, "e2", "0.2", "67003", T0 + 20))
    stored = ledger.orders.update_order("paper", filled)
    assert stored == filled
    assert stored.avg_price == (
        Decimal("67000") * Decimal("0.1") + Decimal("67003") * Decimal("0.2")
    ) / Decimal("0.3")
    assert ledger.orders.open_orders("paper") == []
    history = ledger.orders.status_history("paper", order.order_link_id)
    assert [(h.status, h.filled_qty, h.ts) for h in history] == [
        (OrderStatus.CREATED, Decimal(0), T0),
        (OrderStatus.NEW, Decimal(0), T0 + 5),
        (OrderStatus.PARTIALLY_FILLED, Decimal("0.1"), T0 + 10),
        (OrderStatus.FILLED, Decimal("0.3"), T0 + 20),
    ]
    assert ledger.orders.status_history("demo", order.order_link_id) == []


def test_store_update_refuses_illegal_stale_and_unknown(ledger: Ledger) -> None:
    order = _order(qty="0.3")
    ledger.orders.record_order("paper", order)
    partial = order.apply_fill(_fill(order, "e1", "0.2", "67000", T0 + 10))
    ledger.orders.update_order("paper", partial)
    with pytest.raises(StoreError, match="stale update"):
        ledger.orders.update_order("paper", order.apply_fill(_fill(order, "e0", "0.1", "67000", T0 + 11)))
    cancelled = partial.transition(OrderStatus.CANCELLED, T0 + 30, reason="stale limit")
    ledger.orders.update_order("paper", cancelled)
    with pytest.raises(IllegalTransition):
        ledger.orders.update_order("paper", partial.transition(OrderStatus.FILLED, T0 + 40))
    with pytest.raises(UnknownOrder):
        ledger.orders.update_order("demo", cancelled)
    with pytest.raises(ConflictingRecord, match="side cannot change"):
        ledger.orders.update_order("paper", msgspec.structs.replace(cancelled, side=Side.SELL))
    assert ledger.orders.get_order("paper", order.order_link_id) == cancelled
    assert ledger.orders.status_history("paper", order.order_link_id)[-1].reason == "stale limit"


def test_store_amend_changes_price_without_a_status_row(ledger: Ledger) -> None:
    order = _order().transition(OrderStatus.NEW, T0 + 1)
    ledger.orders.record_order("paper", order)
    amended = msgspec.structs.replace(order, price=Decimal("67100.5"), updated_ts=T0 + 9)
    assert ledger.orders.update_order("paper", amended).price == Decimal("67100.5")
    assert len(ledger.orders.status_history("paper", order.order_link_id)) == 1


def test_store_order_queries_filter(ledger: Ledger) -> None:
    for i in range(5):
        o = _order(link=f"s-{i}", created_ts=T0 + i, updated_ts=T0 + i, strategy="a" if i % 2 else "b")
        ledger.orders.record_order("paper", o)
    assert [o.order_link_id for o in ledger.orders.orders("paper", strategy="a")] == ["s-1", "s-3"]
    assert [o.order_link_id for o in ledger.orders.orders("paper", since=T0 + 2, until=T0 + 4)] == [
        "s-2",
        "s-3",
    ]
    assert [o.order_link_id for o in ledger.orders.open_orders("paper", strategy="b")] == [
        "s-0",
        "s-2",
        "s-4",
    ]
    assert ledger.orders.open_orders("paper", symbol="ETHUSDT") == []


def test_store_unknown_environment_is_a_one_line_error(ledger: Ledger) -> None:
    with pytest.raises(StoreError, match="unknown environment 'prod'; expected one of paper, demo"):
        ledger.orders.open_orders("prod")
