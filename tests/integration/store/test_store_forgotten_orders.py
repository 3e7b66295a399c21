"""Orders the order manager no longer keeps in memory are answered by the real ledger: a late
duplicate fill is refused by the ledger's unique exec_id, a re-sent decision is found, not sent.
The dashboard's newest-audit read returns the newest events without loading the whole log."""

from __future__ import annotations

from decimal import Decimal

from openalpha.domain import Category, Environment, Event, OrderRequest, OrderStatus, OrderType, Side
from openalpha.live.book import StrategyBook
from openalpha.live.ids import order_link_id
from openalpha.live.ledger_journal import LedgerJournal
from openalpha.live.order_manager import OrderManager
from openalpha.store import Ledger
from tests.unit.live.scripted_exchange import ScriptedExchange

KEEP = 4
ENV = Environment.PAPER


def _request(seq: int) -> OrderRequest:
    return OrderRequest(symbol="BTCUSDT", category=Category.LINEAR, side=Side.BUY, order_type=OrderType.MARKET,
                        qty=Decimal("0.010"), order_link_id=order_link_id("mr", "BTCUSDT", seq), strategy="mr")  # fmt: skip


def test_store_forgotten_orders_are_answered_by_the_ledger(ledger: Ledger) -> None:
    exchange = ScriptedExchange()
    manager = OrderManager(ENV, exchange, LedgerJournal(ledger), lambda: 1_000, keep_closed=KEEP)  # type: ignore[arg-type]
    book = StrategyBook(["mr"], recent_execs=KEEP)
    manager.fill_listeners.append(lambda f: book.apply("BTCUSDT", f))
    fills = []
    for seq in range(1, 5 * KEEP):
        link = manager.submit(_request(seq)).order_link_id
        fills.append(exchange.fill(link, "0.010", "60000", f"e{seq}", ts=seq))
        manager.on_fill(fills[-1])
        manager.on_order(exchange.book[link].transition(OrderStatus.FILLED, seq + 1))
    first = _request(1).order_link_id
    assert len(manager.orders) == KEEP and first not in manager.orders
    assert len(ledger.orders.orders(ENV)) == 5 * KEEP - 1

    assert manager.on_fill(fills[0]) is False  # the ledger's unique exec_id: not counted twice
    assert book.position("mr", "BTCUSDT") == Decimal("0.010") * len(fills)
    assert manager.submit(_request(1)).status is OrderStatus.FILLED  # found in the ledger
    assert len(exchange.placed) == len(fills)
    assert first not in manager.orders


def test_store_newest_audit_events_are_read_newest_first(ledger: Ledger) -> None:
    ledger.journal.audit_many(
        [Event(ts=t, kind="order_skipped", source="executor", message=f"m{t}", env=ENV) for t in range(1, 51)]
    )
    newest = ledger.journal.audit_events(ENV, since=10, newest=5)
    assert [e.ts for e in newest] == [46, 47, 48, 49, 50]
    assert [e.ts for e in ledger.journal.audit_events(ENV, since=48, newest=5)] == [48, 49, 50]
    assert [e.ts for e in ledger.journal.audit_events(ENV, limit=2)] == [1, 2]
