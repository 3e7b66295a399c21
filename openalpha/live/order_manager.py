"""The order lifecycle of one environment: idempotent submission, fills, and recovery.

* **Write-ahead:** an order is journaled as ``Created`` before it is sent, so a crash between
  sending and hearing back leaves a record that reconciliation resolves.
* **Never twice:** a decision's ``orderLinkId`` is deterministic (:mod:`openalpha.live.ids`).
  A known id is never re-sent; after a timeout the manager first asks the exchange whether the
  order exists, and a 110072 duplicate answer is resolved the same way.
* **Fills once:** executions are de-duplicated by ``exec_id``; funding executions are recorded
  as funding payments, never as fills (PEERS.md §4: a peer parsed them as fills).
* **No regressions:** a stale or out-of-order order update never moves an order backwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import msgspec

from openalpha.domain import Environment, Event, ExecType, Fill, Order, OrderRequest, OrderStatus, OrderType
from openalpha.domain.orders import can_transition
from openalpha.exchange.errors import ExchangeError, RejectedError, RetryableError, UnknownStateError
from openalpha.exchange.protocol import Exchange
from openalpha.live.journal import Journal

DUPLICATE_LINK_ID = 110072


class OrderManager:
    def __init__(
        self,
        env: Environment,
        exchange: Exchange,
        journal: Journal,
        clock: Callable[[], int],
        *,
        max_attempts: int = 3,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.env = env
        self.exchange = exchange
        self.journal = journal
        self.clock = clock
        self.max_attempts = max_attempts
        self.sleep = sleep or (lambda _s: None)
        self.orders: dict[str, Order] = {o.order_link_id: o for o in self.journal.load_orders(env)}
        self.fill_listeners: list[Callable[[Fill], None]] = []  # told of every newly recorded execution
        self.fill_qty: dict[str, Decimal] = defaultdict(Decimal)  # recorded trade qty per orderLinkId

    # -- submission -----------------------------------------------------------------------
    def submit(self, request: OrderRequest) -> Order:
        """Send ``request`` at most once; returns what we know of the order afterwards."""
        known = self.orders.get(request.order_link_id)
        if known is not None:
            return known
        order = Order.from_request(request, self.clock())
        self._store(order)
        for attempt in range(1, self.max_attempts + 1):
            try:
                ack = self.exchange.place_order(request)
                return self._merge(ack)
            except RejectedError as err:
                if err.code == DUPLICATE_LINK_ID:
                    found = self._lookup(request)
                    if found is not None:
                        return self._merge(found)
                return self._reject(order, err)
            except (RetryableError, UnknownStateError) as err:
                found = self._lookup(request)
                if found is not None:
                    return self._merge(found)
                self._audit("order_retry", f"{request.order_link_id}: attempt {attempt} failed: {err}")
                self.sleep(min(0.2 * 2**attempt, 2.0))
        self._audit(
            "order_unknown", f"{request.order_link_id}: state unknown after {self.max_attempts} attempts"
        )
        return self.orders[request.order_link_id]

    def _lookup(self, request: OrderRequest) -> Order | None:
        try:
            return self.exchange.order_by_link_id(request.category, request.symbol, request.order_link_id)
        except ExchangeError:
            return None

    def _reject(self, order: Order, err: ExchangeError) -> Order:
        rejected = order.transition(OrderStatus.REJECTED, self.clock(), reason=f"{err.code}: {err}")
        self._store(rejected)
        self._audit("order_rejected", f"{order.order_link_id}: {err}", code=err.code)
        return rejected

    # -- updates from the exchange ------------------------------------------------------------
    def on_order(self, update: Order) -> Order:
        """Apply an order snapshot from the stream or a query; the exchange wins, never backwards."""
        return self._merge(update)

    def on_fill(self, fill: Fill) -> bool:
        """Record one execution; returns False for a duplicate."""
        if fill.exec_type is ExecType.FUNDING:
            new = self.journal.save_funding(self.env, fill)
            if new:
                self._tell(fill)
            return new
        if not self.journal.save_fill(self.env, fill):
            return False
        self.fill_qty[fill.order_link_id] += fill.qty
        self._tell(fill)
        order = self.orders.get(fill.order_link_id)
        if order is None:
            self._audit("fill_unknown_order", f"fill {fill.exec_id} for unknown order {fill.order_link_id}")
            return True
        if order.filled_qty + fill.qty <= order.qty and order.status not in (
            OrderStatus.FILLED,
            OrderStatus.CANCELLED,
            OrderStatus.REJECTED,
        ):
            self._store(order.apply_fill(fill))
        return True

    def _tell(self, fill: Fill) -> None:
        for listener in self.fill_listeners:
            listener(fill)

    def _merge(self, remote: Order) -> Order:
        local = self.orders.get(remote.order_link_id)
        if local is None:
            merged = remote
        elif remote.filled_qty < local.filled_qty or (
            remote.status is not local.status
            and not can_transition(local.status, remote.status)
            and remote.filled_qty == local.filled_qty
        ):
            return local  # stale or out-of-order update
        else:
            # The exchange wins on state; what we asked for stays ours (Bybit reports a market
            # order as IOC with a protection price, which must not rewrite the journaled request).
            merged = msgspec.structs.replace(
                remote,
                symbol=local.symbol,
                category=local.category,
                side=local.side,
                order_type=local.order_type,
                time_in_force=local.time_in_force,
                reduce_only=local.reduce_only,
                price=local.price if local.order_type is OrderType.MARKET else remote.price,
                strategy=local.strategy or remote.strategy,
                created_ts=local.created_ts,
            )
        self._store(merged)
        return merged

    def force_status(self, link_id: str, status: OrderStatus, reason: str) -> Order:
        """Reconciliation's correction: the exchange has no such order, so it is closed locally."""
        order = self.orders[link_id].transition(status, self.clock(), reason=reason)
        self._store(order)
        return order

    def note_recorded(self, fills: list[Fill]) -> None:
        """Fills the journal already holds (after a restart): what each order is accounted for."""
        for fill in fills:
            if fill.is_trade:
                self.fill_qty[fill.order_link_id] += fill.qty

    def unaccounted_orders(self) -> list[Order]:
        """Orders the exchange reports more filled than the fills recorded for them (an
        execution still to fetch)."""
        return [o for o in self.orders.values() if o.filled_qty > self.fill_qty.get(o.order_link_id, 0)]

    # -- views --------------------------------------------------------------------------------
    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if o.is_open]

    def _store(self, order: Order) -> None:
        self.orders[order.order_link_id] = order
        self.journal.save_order(self.env, order)

    def _audit(self, kind: str, message: str, **data: str | int | float | bool | None) -> None:
        self.journal.audit(
            Event(
                ts=self.clock(),
                kind=kind,
                source="order_manager",
                message=message,
                env=self.env,
                data=dict(data),
            )
        )
