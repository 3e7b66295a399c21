"""A long session keeps the runtime's in-memory order and execution structures bounded, without
weakening "never twice": a forgotten order is answered from the journal."""

from __future__ import annotations

from decimal import Decimal

from openalpha.domain import Category, Environment, Fill, Order, OrderRequest, OrderStatus, OrderType, Side
from openalpha.live.book import StrategyBook
from openalpha.live.ids import order_link_id
from openalpha.live.journal import MemoryJournal
from openalpha.live.order_manager import OrderManager

from .scripted_exchange import ScriptedExchange

KEEP = 64
ORDERS = 20_000


def _request(seq: int, strategy: str = "mr") -> OrderRequest:
    return OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY if seq % 2 else Side.SELL,
        order_type=OrderType.MARKET,
        qty=Decimal("0.010"),
        order_link_id=order_link_id(strategy, "BTCUSDT", seq),
        strategy=strategy,
    )


class _Session:
    """An order manager and a book wired as the runtime wires them, over a memory journal."""

    def __init__(self, journal: MemoryJournal | None = None) -> None:
        self.exchange = ScriptedExchange()
        self.journal = journal or MemoryJournal()
        self.manager = OrderManager(
            Environment.PAPER, self.exchange, self.journal, lambda: 1_000, keep_closed=KEEP
        )  # type: ignore[arg-type]
        self.book = StrategyBook(["mr"], recent_execs=KEEP)
        self.manager.fill_listeners.append(lambda f: self.book.apply("BTCUSDT", f))

    def trade(self, seq: int, *, fill_before_status: bool) -> Fill:
        """One decision: submitted, filled (its execution and the Filled update, in either order)."""
        link = self.manager.submit(_request(seq)).order_link_id
        fill = self.exchange.fill(link, "0.010", "60000", f"e{seq}", ts=seq)
        filled = self.exchange.book[link].transition(OrderStatus.FILLED, seq + 1)
        self.exchange.book[link] = filled
        if fill_before_status:
            self.manager.on_fill(fill)
            self.manager.on_order(filled)
        else:
            self.manager.on_order(filled)
            self.manager.on_fill(fill)
        return fill


def test_twenty_thousand_orders_and_fills_keep_memory_bounded() -> None:
    s = _Session()
    largest = 0
    for seq in range(1, ORDERS + 1):
        s.trade(seq, fill_before_status=seq % 3 == 0)
        largest = max(largest, len(s.manager.orders), len(s.manager.fill_qty), len(s.book.seen))
    assert len(s.journal.orders) == ORDERS and len(s.journal.fills) == ORDERS  # the journal has all
    assert largest <= KEEP + 1  # memory: the newest KEEP closed orders (+ the one in flight)
    assert len(s.manager.orders) == KEEP and len(s.book.seen) == KEEP
    assert s.manager.open_orders() == [] and s.manager.unaccounted_orders() == []
    # the book still counted every fill exactly once: alternating buys and sells net to flat
    assert s.book.position("mr", "BTCUSDT") == 0 and s.book.fills["mr"] == ORDERS


def test_an_order_stays_in_memory_until_closed_and_fully_booked() -> None:
    s = _Session()
    first = s.manager.submit(_request(1)).order_link_id
    s.exchange.fill(first, "0.010", "60000", "late", ts=4)
    filled = s.exchange.book[first].transition(OrderStatus.FILLED, 5)
    s.manager.on_order(filled)  # the exchange says Filled; the execution has not arrived yet
    for seq in range(2, 3 * KEEP):
        s.trade(seq, fill_before_status=False)
    assert first in s.manager.orders and s.manager.unaccounted_orders() == [s.manager.orders[first]]
    s.manager.on_fill(s.exchange.executions[0])
    assert s.manager.unaccounted_orders() == []


def test_a_forgotten_order_is_never_sent_again_nor_its_fill_counted_twice() -> None:
    s = _Session()
    fills = [s.trade(seq, fill_before_status=True) for seq in range(1, 4 * KEEP)]
    first = _request(1).order_link_id
    assert first not in s.manager.orders and fills[0].exec_id not in s.book.seen
    placed = len(s.exchange.placed)
    # the same decision again (a re-delivered bar): answered from the journal, nothing sent
    again = s.manager.submit(_request(1))
    assert again.status is OrderStatus.FILLED and len(s.exchange.placed) == placed
    # a late duplicate execution: the journal's exec_id check stops it before the book
    assert s.manager.on_fill(fills[0]) is False
    assert s.book.fills["mr"] == len(fills) and s.book.position("mr", "BTCUSDT") == Decimal("0.010")
    # a stale update of the forgotten order: no regression, and it does not come back to memory
    stale = Order.from_request(_request(1), 1)
    assert s.manager.on_order(stale).status is OrderStatus.FILLED
    assert first not in s.manager.orders
    assert s.journal.orders[(Environment.PAPER, first)].status is OrderStatus.FILLED


def test_a_restart_keeps_only_the_newest_closed_orders() -> None:
    s = _Session()
    for seq in range(1, 3 * KEEP):
        s.trade(seq, fill_before_status=True)
    history = list(s.journal.fills.values())
    restarted = OrderManager(Environment.PAPER, s.exchange, s.journal, lambda: 2_000, keep_closed=KEEP)  # type: ignore[arg-type]
    assert len(restarted.orders) == 3 * KEEP - 1  # the journal hands back every recent order...
    restarted.note_recorded(history)
    assert len(restarted.orders) == KEEP  # ...and only the newest closed ones stay
    assert restarted.submit(_request(1)).status is OrderStatus.FILLED
    assert len(s.exchange.placed) == 3 * KEEP - 1
