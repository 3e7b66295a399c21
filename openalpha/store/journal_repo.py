"""The append-only journal: audit events and risk decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from openalpha.domain import Environment, Event, RiskDecision
from openalpha.store.convert import decision_row, env_name, event_row, row_to_decision, row_to_event
from openalpha.store.models import AuditEventRow, RiskDecisionRow

SYSTEM = None  # the ``env`` of system-wide audit events


class JournalRepository:
    """Appends and reads; there is deliberately no update or delete (the database refuses them too)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def audit(self, event: Event) -> None:
        """Append one audit event (``event.env`` None = system-wide)."""
        with self._sessions.begin() as session:
            session.add(event_row(event))

    def audit_many(self, events: list[Event]) -> None:
        with self._sessions.begin() as session:
            session.add_all([event_row(e) for e in events])

    def audit_events(
        self,
        env: Environment | str | None,
        *,
        kind: str | None = None,
        since: int | None = None,
        limit: int | None = None,
        newest: int | None = None,
    ) -> list[Event]:
        """Events of ``env`` (None: the system-wide ones), oldest first; ``kind`` matches exactly
        or, ending in ``.``, as a prefix (``"risk."``). ``limit`` keeps the oldest, ``newest``
        the newest N (read newest first by the database: a long log is not loaded to keep N)."""
        query = select(AuditEventRow)
        if env is None:
            query = query.where(AuditEventRow.env.is_(None))
        else:
            query = query.where(AuditEventRow.env == env_name(env))
        if kind is not None:
            if kind.endswith("."):
                query = query.where(AuditEventRow.kind.startswith(kind, autoescape=True))
            else:
                query = query.where(AuditEventRow.kind == kind)
        if since is not None:
            query = query.where(AuditEventRow.ts >= since)
        if newest is not None:
            query = query.order_by(AuditEventRow.ts.desc(), AuditEventRow.id.desc()).limit(newest)
            with self._sessions() as session:
                return [row_to_event(r) for r in session.scalars(query)][::-1]
        query = query.order_by(AuditEventRow.ts, AuditEventRow.id).limit(limit)
        with self._sessions() as session:
            return [row_to_event(r) for r in session.scalars(query)]

    def record_decision(self, env: Environment | str, decision: RiskDecision) -> None:
        with self._sessions.begin() as session:
            session.add(decision_row(env_name(env), decision))

    def decisions(
        self,
        env: Environment | str,
        *,
        strategy: str | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[RiskDecision]:
        query = select(RiskDecisionRow).where(RiskDecisionRow.env == env_name(env))
        if strategy is not None:
            query = query.where(RiskDecisionRow.strategy == strategy)
        if since is not None:
            query = query.where(RiskDecisionRow.ts >= since)
        query = query.order_by(RiskDecisionRow.ts, RiskDecisionRow.id).limit(limit)
        with self._sessions() as session:
            return [row_to_decision(r) for r in session.scalars(query)]
