"""A scripted stand-in for the exchange port, for the order manager's unit tests.

Only the pure logic is tested with it; the same flows run against the real simulator over
loopback in tests/integration. ``fail_next`` makes the next ``place_order`` raise *after* (or
before) the order reached the book, the way a timeout does.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain import Category, Fill, Order, OrderRequest, OrderStatus, Position
from openalpha.exchange.errors import ExchangeError, RejectedError, RetryableError


class ScriptedExchange:
    def __init__(self) -> None:
        self.book: dict[str, Order] = {}
        self.placed: list[str] = []  # every order that reached the book
        self.fail_next: list[tuple[str, bool]] = []  # (error kind, reached the book first?)
        self.executions: list[Fill] = []
        self.position_sizes: dict[str, Decimal] = {}
        self.broken_queries = False

    def place_order(self, request: OrderRequest) -> Order:
        if request.order_link_id in self.book:
            raise RejectedError("OrderLinkedID is duplicate", code=110072)
        kind, reached = self.fail_next.pop(0) if self.fail_next else ("", False)
        if kind == "reject":
            raise RejectedError("ab not enough for new order", code=110007)
        if kind and not reached:
            raise RetryableError("timeout before the book")
        order = Order.from_request(request, 1).transition(OrderStatus.NEW, 2, order_id=f"x{len(self.book)}")
        self.book[request.order_link_id] = order
        self.placed.append(request.order_link_id)
        if kind == "retryable":
            raise RetryableError("timeout after the book")
        return order

    def order_by_link_id(self, category: Category, symbol: str, order_link_id: str) -> Order | None:
        if self.broken_queries:
            raise RetryableError("query failed")
        return self.book.get(order_link_id)

    def open_orders(self, category: Category, symbol: str | None = None) -> list[Order]:
        if self.broken_queries:
            raise RetryableError("query failed")
        return [o for o in self.book.values() if o.is_open and (symbol is None or o.symbol == symbol)]

    def executions_since(self, category: Category, since_ms: int, symbol: str | None = None) -> list[Fill]:
        return [f for f in self.executions if f.ts >= since_ms]

    def positions(self, category: Category = Category.LINEAR, symbol: str | None = None) -> list[Position]:
        if self.broken_queries:
            raise ExchangeError("positions failed")
        return [
            Position(symbol=s, category=category, size=q)
            for s, q in self.position_sizes.items()
            if symbol is None or s == symbol
        ]

    def fill(self, link_id: str, qty: str, price: str, exec_id: str, ts: int) -> Fill:
        order = self.book[link_id]
        fill = Fill(
            exec_id=exec_id,
            symbol=order.symbol,
            category=order.category,
            side=order.side,
            price=Decimal(price),
            qty=Decimal(qty),
            fee=Decimal("0.01"),
            ts=ts,
            order_link_id=link_id,
            order_id=order.order_id,
        )
        self.book[link_id] = order.apply_fill(fill)
        self.executions.append(fill)
        return fill

    def cancel(self, link_id: str) -> None:
        self.book[link_id] = msgspec.structs.replace(self.book[link_id], status=OrderStatus.CANCELLED)
