"""The order manager never sends a decision twice, records each fill once, never regresses."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain import (
    Category,
    Environment,
    ExecType,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
)
from openalpha.live.ids import order_link_id
from openalpha.live.journal import MemoryJournal
from openalpha.live.order_manager import OrderManager
from openalpha.live.reconcile import reconcile

from .scripted_exchange import ScriptedExchange


def _request(seq: int = 1) -> OrderRequest:
    return OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        qty=Decimal("0.010"),
        order_link_id=order_link_id("mr", "BTCUSDT", seq),
        strategy="mr",
    )


def _manager(exchange: ScriptedExchange, journal: MemoryJournal | None = None) -> OrderManager:
    return OrderManager(Environment.PAPER, exchange, journal or MemoryJournal(), clock=lambda: 1_000)  # type: ignore[arg-type]


def test_timeout_after_the_book_adopts_instead_of_resending() -> None:
    ex = ScriptedExchange()
    ex.fail_next = [("retryable", True)]
    order = _manager(ex).submit(_request())
    assert ex.placed == [_request().order_link_id]
    assert order.status is OrderStatus.NEW and order.order_id


def test_timeout_before_the_book_retries_with_the_same_id() -> None:
    ex = ScriptedExchange()
    ex.fail_next = [("retryable", False), ("retryable", False)]
    order = _manager(ex).submit(_request())
    assert ex.placed == [_request().order_link_id]
    assert order.status is OrderStatus.NEW


def test_resubmitting_a_known_decision_sends_nothing() -> None:
    ex = ScriptedExchange()
    journal = MemoryJournal()
    _manager(ex, journal).submit(_request())
    # a restarted manager rebuilt from the journal gets the same decision again
    again = _manager(ex, journal).submit(_request())
    assert ex.placed == [_request().order_link_id]
    assert again.order_link_id == _request().order_link_id


def test_duplicate_answer_is_resolved_by_lookup() -> None:
    ex = ScriptedExchange()
    _manager(ex).submit(_request())
    order = _manager(ex).submit(_request())  # fresh memory, exchange already has it → 110072
    assert order.status is OrderStatus.NEW and len(ex.placed) == 1


def test_business_rejection_is_final_and_audited() -> None:
    ex = ScriptedExchange()
    ex.fail_next = [("reject", False)]
    journal = MemoryJournal()
    order = _manager(ex, journal).submit(_request())
    assert order.status is OrderStatus.REJECTED and "110007" in order.reject_reason
    assert any(e.kind == "order_rejected" for e in journal.events)


def test_fills_are_recorded_once_and_funding_is_not_a_fill() -> None:
    ex = ScriptedExchange()
    journal = MemoryJournal()
    manager = _manager(ex, journal)
    link = manager.submit(_request()).order_link_id
    fill = ex.fill(link, "0.004", "60000", "e1", 2_000)
    assert manager.on_fill(fill) and not manager.on_fill(fill)
    assert manager.orders[link].status is OrderStatus.PARTIALLY_FILLED
    funding = msgspec.structs.replace(fill, exec_id="f1", exec_type=ExecType.FUNDING, order_link_id="")
    assert manager.on_fill(funding)
    assert len(journal.fills) == 1 and len(journal.funding) == 1
    assert manager.orders[link].filled_qty == Decimal("0.004")


def test_out_of_order_updates_never_regress() -> None:
    ex = ScriptedExchange()
    manager = _manager(ex)
    link = manager.submit(_request()).order_link_id
    stale = ex.book[link]
    manager.on_fill(ex.fill(link, "0.010", "60000", "e1", 2_000))
    assert manager.orders[link].status is OrderStatus.FILLED
    assert manager.on_order(stale).status is OrderStatus.FILLED


def test_reconcile_recovers_missed_fills_adopts_and_closes() -> None:
    ex = ScriptedExchange()
    journal = MemoryJournal()
    manager = _manager(ex, journal)
    a = manager.submit(_request(1)).order_link_id
    # while "down": a fills, an order of ours we never journaled appears, a local one vanished
    ex.fill(a, "0.010", "60000", "e1", 5_000)
    ex.book[order_link_id("mr", "BTCUSDT", 2)] = msgspec.structs.replace(
        ex.book[a],
        order_link_id=order_link_id("mr", "BTCUSDT", 2),
        status=OrderStatus.NEW,
        filled_qty=Decimal(0),
    )
    ghost = msgspec.structs.replace(_request(3), order_link_id=order_link_id("mr", "BTCUSDT", 3))
    manager.orders[ghost.order_link_id] = Order.from_request(ghost, 1)
    ex.position_sizes["BTCUSDT"] = Decimal("0.010")
    report = reconcile(manager, [(Category.LINEAR, "BTCUSDT")], expected_positions={"BTCUSDT": Decimal(0)})
    assert report.new_fills == 1
    assert manager.orders[a].status is OrderStatus.FILLED
    assert order_link_id("mr", "BTCUSDT", 2) in report.adopted_orders
    assert manager.orders[ghost.order_link_id].status is OrderStatus.REJECTED
    assert report.position_corrections == {"BTCUSDT": ("0", "0.010")}
    assert {"order_adopted", "order_corrected", "position_corrected"} <= {e.kind for e in journal.events}
    # a second pass finds nothing new
    again = reconcile(manager, [(Category.LINEAR, "BTCUSDT")])
    assert again.new_fills == 0 and not again.adopted_orders


def test_failed_queries_mean_unknown_never_flat() -> None:
    ex = ScriptedExchange()
    manager = _manager(ex)
    ex.broken_queries = True
    report = reconcile(manager, [(Category.LINEAR, "BTCUSDT")])
    assert report.unknown == ["BTCUSDT"] and "BTCUSDT" not in report.positions
