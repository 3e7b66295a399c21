"""The order lifecycle of one environment: idempotent submission, fills, and recovery.

* **Write-ahead:** an order is journaled as ``Created`` before it is sent, so a crash between
  sending and hearing back leaves a record that reconciliation resolves.
* **Never twice:** a decision's ``orderLinkId`` is deterministic (:mod:`openalpha.live.ids`).
  A known id is never re-sent; after a timeout the manager first asks the exchange whether the
  order exists, and a 110072 duplicate answer is resolved the same way.
* **Fills once:** executions are de-duplicated by ``exec_id``; funding executions are recorded
  as funding payments, never as fills (PEERS.md §4: a peer parsed them as fills).
* **No regressions:** a stale or out-of-order order update never moves an order backwards.
* **Bounded memory:** an order that is closed and fully booked (its fills recorded) leaves
  memory once :data:`KEEP_CLOSED` newer ones are closed; the journal keeps it. A later update,
  fill or re-submission naming a forgotten order is answered from the journal (decision ids are
  ordered by bar, so "forgotten" is one comparison with the highest forgotten sequence).
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable
from decimal import Decimal

import msgspec

from openalpha.domain import Environment, Event, ExecType, Fill, Order, OrderRequest, OrderStatus, OrderType
from openalpha.domain.orders import can_transition
from openalpha.exchange.errors import ExchangeError, RejectedError, RetryableError, UnknownStateError
from openalpha.exchange.protocol import Exchange
from openalpha.live.ids import parse_order_link_id
from openalpha.live.journal import Journal

DUPLICATE_LINK_ID = 110072
KEEP_CLOSED = 512  # closed, fully booked orders kept in memory (newest); the journal has them all


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
        keep_closed: int = KEEP_CLOSED,
    ) -> None:
        self.env = env
        self.exchange = exchange
        self.journal = journal
        self.clock = clock
        self.max_attempts = max_attempts
        self.sleep = sleep or (lambda _s: None)
        self.keep_closed = keep_closed
        # open, closed but not yet fully booked, and the newest ``keep_closed`` closed orders
        self.orders: dict[str, Order] = {o.order_link_id: o for o in self.journal.load_orders(env)}
        self.fill_listeners: list[Callable[[Fill], None]] = []  # told of every newly recorded execution
        self.fill_qty: dict[str, Decimal] = defaultdict(Decimal)  # recorded trade qty per orderLinkId
        self._closed: OrderedDict[str, None] = OrderedDict()  # closed + booked, oldest first
        self._forgotten: dict[tuple[str, str], int] = {}  # (strategy tag, symbol) -> highest seq
        self._forgot_foreign = False  # a foreign (not ours) order left memory

    # -- submission -----------------------------------------------------------------------
    def submit(self, request: OrderRequest) -> Order:
        """Send ``request`` at most once; returns what we know of the order afterwards."""
        known = self.known(request.order_link_id)
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
        link = fill.order_link_id
        order = self.known(link)
        if order is not None and link not in self.orders:  # a new fill of a forgotten order
            self.orders[link] = order
            self.fill_qty[link] = order.filled_qty  # it was fully booked when it left memory
        self.fill_qty[link] += fill.qty
        self._tell(fill)
        if order is None:
            self._audit("fill_unknown_order", f"fill {fill.exec_id} for unknown order {link}")
            return True
        if order.filled_qty + fill.qty <= order.qty and order.status not in (
            OrderStatus.FILLED,
            OrderStatus.CANCELLED,
            OrderStatus.REJECTED,
        ):
            self._store(order.apply_fill(fill))
        else:
            self._settle(order)
        return True

    def _tell(self, fill: Fill) -> None:
        for listener in self.fill_listeners:
            listener(fill)

    def _merge(self, remote: Order) -> Order:
        link = remote.order_link_id
        forgotten = link not in self.orders
        local = self.known(link)
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
            if forgotten:  # a closed order the journal answered for
                if merged == local:
                    return local
                self.fill_qty[link] = local.filled_qty  # it was fully booked when it left memory
        self._store(merged)
        return merged

    def force_status(self, link_id: str, status: OrderStatus, reason: str) -> Order:
        """Reconciliation's correction: the exchange has no such order, so it is closed locally."""
        known = self.known(link_id)
        if known is None:
            raise KeyError(link_id)
        order = known.transition(status, self.clock(), reason=reason)
        self._store(order)
        return order

    def note_recorded(self, fills: list[Fill]) -> None:
        """Fills the journal already holds (after a restart): what each order is accounted for."""
        for fill in fills:
            if not fill.is_trade:
                continue
            if fill.order_link_id in self.orders:
                self.fill_qty[fill.order_link_id] += fill.qty
            else:  # an order older than the journal loaded: it is answered from the journal
                self._note_forgotten(fill.order_link_id)
        for order in sorted(self.orders.values(), key=lambda o: (o.updated_ts, o.created_ts)):
            self._settle(order)

    def unaccounted_orders(self) -> list[Order]:
        """Orders the exchange reports more filled than the fills recorded for them (an
        execution still to fetch)."""
        return [o for o in self.orders.values() if o.filled_qty > self.fill_qty.get(o.order_link_id, 0)]

    # -- views --------------------------------------------------------------------------------
    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if o.is_open]

    def known(self, link_id: str) -> Order | None:
        """The order named ``link_id``: from memory, or from the journal if it was forgotten."""
        order = self.orders.get(link_id)
        if order is not None or not self._maybe_forgotten(link_id):
            return order
        return self.journal.get_order(self.env, link_id)

    def forget_all(self) -> None:
        """Drop every order from memory (the ledger was wiped: nothing is known any more)."""
        self.orders.clear()
        self.fill_qty.clear()
        self._closed.clear()
        self._forgotten.clear()
        self._forgot_foreign = False

    def _maybe_forgotten(self, link_id: str) -> bool:
        parsed = parse_order_link_id(link_id)
        if parsed is None:
            return self._forgot_foreign
        return parsed[2] <= self._forgotten.get((parsed[0], parsed[1]), -1)

    def _store(self, order: Order) -> None:
        self.orders[order.order_link_id] = order
        self.journal.save_order(self.env, order)
        self._settle(order)

    def _settle(self, order: Order) -> None:
        """A closed order whose fills are all recorded joins the closed queue; the oldest beyond
        ``keep_closed`` leave memory."""
        link = order.order_link_id
        if order.is_open or order.filled_qty > self.fill_qty.get(link, 0) or link in self._closed:
            return
        self._closed[link] = None
        while len(self._closed) > self.keep_closed:
            self._forget(self._closed.popitem(last=False)[0])

    def _forget(self, link_id: str) -> None:
        self.orders.pop(link_id, None)
        self.fill_qty.pop(link_id, None)
        self._note_forgotten(link_id)

    def _note_forgotten(self, link_id: str) -> None:
        parsed = parse_order_link_id(link_id)
        if parsed is None:
            self._forgot_foreign = True
            return
        key = (parsed[0], parsed[1])
        self._forgotten[key] = max(self._forgotten.get(key, -1), parsed[2])

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
