"""Executions: order fills and funding payments, kept apart (a funding settlement is never a fill)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from openalpha.domain import Environment, ExecType, Fill
from openalpha.store.convert import env_name, fill_row, funding_row, row_to_fill, row_to_funding
from openalpha.store.errors import ConflictingRecord, StoreError
from openalpha.store.models import FillRow, FundingPaymentRow

_Row = TypeVar("_Row", FillRow, FundingPaymentRow)


class ExecutionRepository:
    """Idempotent on ``exec_id`` within an environment: a re-delivered execution is a no-op."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record_execution(self, env: Environment | str, execution: Fill) -> bool:
        """Route an execution from the exchange: funding to :meth:`record_funding`, trades to
        :meth:`record_fill`. True when it was new."""
        if execution.exec_type is ExecType.FUNDING:
            return self.record_funding(env, execution)
        return self.record_fill(env, execution)

    def record_fill(self, env: Environment | str, fill: Fill) -> bool:
        """Store a trade execution; False when ``exec_id`` is already stored with the same facts."""
        if not fill.is_trade:
            raise StoreError(
                f"execution {fill.exec_id} is a funding settlement, not a fill; use record_funding"
            )
        name = env_name(env)
        return self._insert_once(name, fill, fill_row(name, fill), row_to_fill, self._get_fill)

    def record_funding(self, env: Environment | str, payment: Fill) -> bool:
        """Store a funding settlement (an execution of type Funding); idempotent on ``exec_id``."""
        if payment.exec_type is not ExecType.FUNDING:
            raise StoreError(
                f"execution {payment.exec_id} is a {payment.exec_type}, not a funding settlement"
            )
        name = env_name(env)
        return self._insert_once(name, payment, funding_row(name, payment), row_to_funding, self._get_funding)

    def _insert_once(
        self,
        env: str,
        fill: Fill,
        row: _Row,
        to_domain: Callable[[_Row], Fill],
        get: Callable[[str, str], Fill | None],
    ) -> bool:
        expected = to_domain(row)  # what a stored copy reads back as (funding keeps fewer fields)
        existing = get(env, fill.exec_id)
        if existing is None:
            try:
                with self._sessions.begin() as session:
                    session.add(row)
                return True
            except IntegrityError:  # a concurrent writer stored it between our read and write
                existing = get(env, fill.exec_id)
        if existing != expected:
            raise ConflictingRecord(f"{env}: execution {fill.exec_id} is already stored with different facts")
        return False

    def _get_fill(self, env: str, exec_id: str) -> Fill | None:
        with self._sessions() as session:
            row = session.scalars(
                select(FillRow).where(FillRow.env == env, FillRow.exec_id == exec_id)
            ).first()
            return None if row is None else row_to_fill(row)

    def _get_funding(self, env: str, exec_id: str) -> Fill | None:
        query = select(FundingPaymentRow).where(
            FundingPaymentRow.env == env, FundingPaymentRow.exec_id == exec_id
        )
        with self._sessions() as session:
            row = session.scalars(query).first()
            return None if row is None else row_to_funding(row)

    def fills(
        self,
        env: Environment | str,
        *,
        symbol: str | None = None,
        order_link_id: str | None = None,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        """Trade executions in ``[since, until)``, oldest first."""
        query = select(FillRow).where(FillRow.env == env_name(env))
        if symbol is not None:
            query = query.where(FillRow.symbol == symbol)
        if order_link_id is not None:
            query = query.where(FillRow.order_link_id == order_link_id)
        if since is not None:
            query = query.where(FillRow.ts >= since)
        if until is not None:
            query = query.where(FillRow.ts < until)
        with self._sessions() as session:
            rows = session.scalars(query.order_by(FillRow.ts, FillRow.id).limit(limit))
            return [row_to_fill(r) for r in rows]

    def funding_payments(
        self, env: Environment | str, *, symbol: str | None = None, since: int | None = None
    ) -> list[Fill]:
        """Funding settlements (as executions of type Funding), oldest first."""
        query = select(FundingPaymentRow).where(FundingPaymentRow.env == env_name(env))
        if symbol is not None:
            query = query.where(FundingPaymentRow.symbol == symbol)
        if since is not None:
            query = query.where(FundingPaymentRow.ts >= since)
        with self._sessions() as session:
            rows = session.scalars(query.order_by(FundingPaymentRow.ts, FundingPaymentRow.id))
            return [row_to_funding(r) for r in rows]

    def last_execution_ts(self, env: Environment | str) -> int | None:
        """Time of the newest stored execution (fill or funding): where reconciliation resumes."""
        name = env_name(env)
        with self._sessions() as session:
            fill_ts = session.scalar(select(func.max(FillRow.ts)).where(FillRow.env == name))
            funding_ts = session.scalar(
                select(func.max(FundingPaymentRow.ts)).where(FundingPaymentRow.env == name)
            )
        known = [ts for ts in (fill_ts, funding_ts) if ts is not None]
        return max(known) if known else None
