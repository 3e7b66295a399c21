"""Orders and their status history, per environment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from openalpha.domain import Environment, IllegalTransition, Order, OrderStatus, can_transition
from openalpha.store.convert import (
    ORDER_REQUEST_FIELDS,
    env_name,
    order_values,
    row_to_order,
    same_decimal,
)
from openalpha.store.errors import ConflictingRecord, StoreError, UnknownOrder
from openalpha.store.models import OrderRow, OrderStatusRow
from openalpha.store.records import StatusChange

OPEN_STATUSES = tuple(s.value for s in OrderStatus if s.is_open)
_AMENDABLE = ("qty", "price")


def _same_request(row: OrderRow, order: Order) -> bool:
    stored = order_values(row_to_order(row))
    incoming = order_values(order)
    return all(stored[f] == incoming[f] for f in ORDER_REQUEST_FIELDS)


def _history(row: OrderRow, env: str, reason: str) -> OrderStatusRow:
    return OrderStatusRow(
        order_pk=row.id,
        env=env,
        status=row.status,
        filled_qty=row.filled_qty,
        reason=reason,
        ts=row.updated_ts,
    )


class OrderRepository:
    """Writes and reads orders. Every method takes the environment; none crosses environments."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record_order(self, env: Environment | str, order: Order, *, reason: str = "") -> bool:
        """Store a new order. Returns False when the same orderLinkId with the same request is
        already stored (a retry), and raises :class:`ConflictingRecord` when it differs."""
        name = env_name(env)
        try:
            with self._sessions.begin() as session:
                existing = self._row(session, name, order.order_link_id)
                if existing is not None:
                    if not _same_request(existing, order):
                        raise ConflictingRecord(
                            f"{name}: orderLinkId {order.order_link_id} already names a different order"
                        )
                    return False
                self._insert(session, name, order, reason)
                return True
        except IntegrityError:  # a concurrent writer inserted it first
            stored = self.get_order(name, order.order_link_id)
            if stored is not None and all(
                getattr(stored, f) == getattr(order, f) for f in ORDER_REQUEST_FIELDS
            ):
                return False
            raise ConflictingRecord(f"{name}: orderLinkId {order.order_link_id} already stored") from None

    def update_order(self, env: Environment | str, order: Order, *, reason: str = "") -> Order:
        """Store a new state of a recorded order (status, fills, order id, or an amend of qty or
        price) and append it to the history. Follows the domain state machine: an illegal move
        raises :class:`IllegalTransition`, a shrinking filled qty (a stale report) :class:`StoreError`."""
        name = env_name(env)
        with self._sessions.begin() as session:
            row = self._row(session, name, order.order_link_id, lock=True)
            if row is None:
                raise UnknownOrder(f"{name}: no order with orderLinkId {order.order_link_id}")
            return self._apply(session, name, row, order, reason)

    def save_order(self, env: Environment | str, order: Order, *, reason: str = "") -> bool:
        """Store ``order`` in ONE transaction: recorded when its orderLinkId is new (the
        write-ahead record; returns True), else its new state under the rules of
        :meth:`update_order` (a retried write-ahead of the same request changes nothing)."""
        name = env_name(env)
        try:
            with self._sessions.begin() as session:
                row = self._row(session, name, order.order_link_id, lock=True)
                if row is None:
                    self._insert(session, name, order, reason)
                    return True
                self._apply(session, name, row, order, reason)
                return False
        except IntegrityError:  # a concurrent writer inserted it first: this is an update
            self.update_order(name, order, reason=reason)
            return False

    @staticmethod
    def _insert(session: Session, env: str, order: Order, reason: str) -> None:
        row = OrderRow(env=env, **order_values(order))
        session.add(row)
        session.flush()
        session.add(_history(row, env, reason or "recorded"))

    def _apply(self, session: Session, env: str, row: OrderRow, order: Order, reason: str) -> Order:
        """Move ``row`` to ``order``'s state (checked), with a history entry if its state changed."""
        current = row_to_order(row)
        self._check_update(env, current, order)
        changed_state = current.status is not order.status or current.filled_qty != order.filled_qty
        new_values = order_values(order)
        for field in ("order_id", "status", "filled_qty", "avg_price", "fee", "reject_reason", *_AMENDABLE):
            setattr(row, field, new_values[field])
        row.updated_ts = max(row.updated_ts, order.updated_ts)
        if changed_state:
            session.flush()
            session.add(_history(row, env, reason or order.reject_reason))
        return row_to_order(row)

    @staticmethod
    def _check_update(env: str, current: Order, new: Order) -> None:
        for field in ORDER_REQUEST_FIELDS:
            if field in _AMENDABLE:
                continue
            if getattr(current, field) != getattr(new, field):
                raise ConflictingRecord(f"{env}: order {new.order_link_id}: {field} cannot change")
        if new.status is not current.status and not can_transition(current.status, new.status):
            raise IllegalTransition(
                f"order {new.order_link_id}: {current.status} -> {new.status} is not allowed"
            )
        if new.filled_qty < current.filled_qty:
            raise StoreError(
                f"{env}: order {new.order_link_id}: filled qty {new.filled_qty} is below the stored "
                f"{current.filled_qty} (stale update)"
            )
        if not current.is_open and (
            new.filled_qty != current.filled_qty or not same_decimal(new.price, current.price)
        ):
            raise StoreError(f"{env}: order {new.order_link_id} is {current.status} and cannot change")

    def get_order(self, env: Environment | str, order_link_id: str) -> Order | None:
        with self._sessions() as session:
            row = self._row(session, env_name(env), order_link_id)
            return None if row is None else row_to_order(row)

    def open_orders(
        self, env: Environment | str, *, symbol: str | None = None, strategy: str | None = None
    ) -> list[Order]:
        """Orders still Created, New or PartiallyFilled, oldest first."""
        query = select(OrderRow).where(OrderRow.env == env_name(env), OrderRow.status.in_(OPEN_STATUSES))
        if symbol is not None:
            query = query.where(OrderRow.symbol == symbol)
        if strategy is not None:
            query = query.where(OrderRow.strategy == strategy)
        with self._sessions() as session:
            return [
                row_to_order(r) for r in session.scalars(query.order_by(OrderRow.created_ts, OrderRow.id))
            ]

    def orders(
        self,
        env: Environment | str,
        *,
        strategy: str | None = None,
        symbol: str | None = None,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[Order]:
        """Orders created in ``[since, until)``, oldest first."""
        query = select(OrderRow).where(OrderRow.env == env_name(env))
        if strategy is not None:
            query = query.where(OrderRow.strategy == strategy)
        if symbol is not None:
            query = query.where(OrderRow.symbol == symbol)
        if since is not None:
            query = query.where(OrderRow.created_ts >= since)
        if until is not None:
            query = query.where(OrderRow.created_ts < until)
        query = query.order_by(OrderRow.created_ts, OrderRow.id).limit(limit)
        with self._sessions() as session:
            return [row_to_order(r) for r in session.scalars(query)]

    def status_history(self, env: Environment | str, order_link_id: str) -> list[StatusChange]:
        name = env_name(env)
        query = (
            select(OrderStatusRow)
            .join(OrderRow, OrderRow.id == OrderStatusRow.order_pk)
            .where(OrderRow.env == name, OrderRow.order_link_id == order_link_id)
            .order_by(OrderStatusRow.id)
        )
        with self._sessions() as session:
            return [
                StatusChange(status=OrderStatus(r.status), filled_qty=r.filled_qty, ts=r.ts, reason=r.reason)
                for r in session.scalars(query)
            ]

    @staticmethod
    def _row(session: Session, env: str, order_link_id: str, *, lock: bool = False) -> OrderRow | None:
        query = select(OrderRow).where(OrderRow.env == env, OrderRow.order_link_id == order_link_id)
        if lock:
            query = query.with_for_update()
        return session.scalars(query).one_or_none()


__all__ = ["OrderRepository"]
