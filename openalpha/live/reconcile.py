"""Reconciliation with the exchange, at start and periodically. The exchange wins, and every
correction becomes an audit event. A query that fails makes its symbol *unknown* (trading
pauses for it) — never "flat" or "no orders" (PEERS.md §4, nautilus #4729).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import msgspec

from openalpha.domain import Category, Event, OrderStatus, Position
from openalpha.exchange.errors import ExchangeError
from openalpha.live.ids import is_ours
from openalpha.live.order_manager import OrderManager

LOOKBACK_MS = 60_000  # re-read executions this far before the last one we have (de-duplicated)


class ReconcileReport(msgspec.Struct, kw_only=True):
    corrected_orders: list[str] = []
    adopted_orders: list[str] = []
    foreign_orders: list[str] = []
    new_fills: int = 0
    new_funding: int = 0
    positions: dict[str, Position] = {}
    position_corrections: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []

    @property
    def clean(self) -> bool:
        return not (self.corrected_orders or self.adopted_orders or self.position_corrections or self.unknown)


def reconcile(
    manager: OrderManager,
    markets: list[tuple[Category, str]],
    *,
    expected_positions: Mapping[str, Decimal] | None = None,
    floor_ms: int = 0,
) -> ReconcileReport:
    """Bring ``manager`` in line with the exchange for every ``(category, symbol)`` in ``markets``."""
    report = ReconcileReport()
    since = max(manager.journal.last_exec_ts(manager.env) - LOOKBACK_MS, floor_ms, 0)
    # An execution delivered late or lost with a dropped socket can be older than the newest one
    # recorded: reach back to the oldest order the exchange reports fuller than its recorded fills.
    gaps = [o.updated_ts for o in manager.unaccounted_orders() if o.updated_ts > 0]
    if gaps:
        since = max(min(since, min(gaps) - LOOKBACK_MS), floor_ms, 0)
    for category, symbol in markets:
        try:
            _orders(manager, category, symbol, report)
            _executions(manager, category, symbol, since, report)
            _positions(manager, category, symbol, expected_positions or {}, report)
        except ExchangeError as err:
            report.unknown.append(symbol)
            _audit(manager, "reconcile_unknown", f"{symbol}: state unknown, trading paused: {err}")
    return report


def _orders(manager: OrderManager, category: Category, symbol: str, report: ReconcileReport) -> None:
    remote = manager.exchange.open_orders(category, symbol)
    remote_ids = {o.order_link_id for o in remote}
    for order in remote:
        link = order.order_link_id
        before = manager.known(link)
        if before is not None:
            after = manager.on_order(order)
            if after != before:
                report.corrected_orders.append(link)
        elif is_ours(link):
            manager.on_order(order)
            report.adopted_orders.append(link)
            _audit(manager, "order_adopted", f"{link}: open on the exchange, missing locally; adopted")
        else:
            report.foreign_orders.append(link or order.order_id)
    for local in [o for o in manager.open_orders() if o.symbol == symbol and o.category is category]:
        if local.order_link_id in remote_ids:
            continue
        found = manager.exchange.order_by_link_id(category, symbol, local.order_link_id)
        if found is not None:
            manager.on_order(found)
        else:
            status = OrderStatus.REJECTED if local.status is OrderStatus.CREATED else OrderStatus.CANCELLED
            manager.force_status(local.order_link_id, status, "not found on the exchange")
            _audit(manager, "order_corrected", f"{local.order_link_id}: not on the exchange; marked {status}")
        report.corrected_orders.append(local.order_link_id)


def _executions(
    manager: OrderManager, category: Category, symbol: str, since: int, report: ReconcileReport
) -> None:
    for fill in manager.exchange.executions_since(category, since, symbol):
        if manager.on_fill(fill):
            if fill.is_trade:
                report.new_fills += 1
            else:
                report.new_funding += 1


def _positions(
    manager: OrderManager,
    category: Category,
    symbol: str,
    expected: Mapping[str, Decimal],
    report: ReconcileReport,
) -> None:
    if category is not Category.LINEAR:
        return
    rows = manager.exchange.positions(category, symbol)
    position = next((p for p in rows if p.symbol == symbol), Position(symbol=symbol, category=category))
    report.positions[symbol] = position
    if symbol in expected and expected[symbol] != position.size:
        report.position_corrections[symbol] = (str(expected[symbol]), str(position.size))
        _audit(
            manager,
            "position_corrected",
            f"{symbol}: ledger had {expected[symbol]}, exchange has {position.size}; exchange wins",
        )


def _audit(manager: OrderManager, kind: str, message: str) -> None:
    manager.journal.audit(
        Event(ts=manager.clock(), kind=kind, source="reconcile", message=message, env=manager.env)
    )
