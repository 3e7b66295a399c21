"""``LedgerActor``: the single writer of durable state (ARCHITECTURE §4).

A thin shell over :class:`openalpha.store.ledger.Ledger`; every method is one repository call.
"""

from __future__ import annotations

from typing import Any

import ray

from openalpha.domain import Balance, Environment, Event, Fill, Order, Position, RiskDecision
from openalpha.store.ledger import Ledger


@ray.remote(max_restarts=-1, max_task_retries=3)
class LedgerActor:
    def __init__(self, url: str | None = None) -> None:
        self.ledger = Ledger.open(url)

    # -- the Journal port -----------------------------------------------------------------------
    def load_orders(self, env: Environment) -> list[Order]:
        from openalpha.live.ledger_journal import LedgerJournal

        return LedgerJournal(self.ledger).load_orders(env)

    def save_order(self, env: Environment, order: Order) -> None:
        from openalpha.live.ledger_journal import LedgerJournal

        LedgerJournal(self.ledger).save_order(env, order)

    def get_order(self, env: Environment, order_link_id: str) -> Order | None:
        return self.ledger.orders.get_order(env, order_link_id)

    def save_fill(self, env: Environment, fill: Fill) -> bool:
        return self.ledger.executions.record_fill(env, fill)

    def save_funding(self, env: Environment, fill: Fill) -> bool:
        return self.ledger.executions.record_funding(env, fill)

    def last_exec_ts(self, env: Environment) -> int:
        return self.ledger.executions.last_execution_ts(env) or 0

    def audit(self, event: Event) -> None:
        self.ledger.journal.audit(event)

    def audit_many(self, events: list[Event]) -> None:
        if events:
            self.ledger.journal.audit_many(events)

    def record_decision(self, env: Environment, decision: RiskDecision) -> None:
        self.ledger.journal.record_decision(env, decision)

    def record_positions(self, env: Environment, positions: list[Position]) -> None:
        if positions:
            self.ledger.account.record_positions(env, positions)

    def record_balances(self, balances: list[Balance]) -> None:
        for balance in balances:
            self.ledger.account.record_balance(balance)

    # -- reads ----------------------------------------------------------------------------------
    def fills(self, env: Environment) -> list[Fill]:
        return self.ledger.executions.fills(env)

    def recent_audit(self, envs: list[Environment | None], since_ms: int, limit: int = 100) -> list[Event]:
        """The newest ``limit`` events of ``envs`` (None = system-wide) since ``since_ms``, newest last."""
        events: list[Event] = []
        for env in envs:
            events += self.ledger.journal.audit_events(env, since=since_ms, newest=limit)
        return sorted(events, key=lambda e: e.ts)[-limit:]

    def audit_events(self, env: Environment | None, kind: str | None = None) -> list[Event]:
        """``env``'s audit events (of ``kind``, a prefix when it ends in ``.``), oldest first."""
        return self.ledger.journal.audit_events(env, kind=kind)

    def orders(self, env: Environment, **filters: Any) -> list[Order]:
        return self.ledger.orders.orders(env, **filters)

    def wipe_paper(self) -> dict[str, int]:
        from openalpha.store.wipe import wipe_paper

        return wipe_paper(self.ledger)

    def ping(self) -> bool:
        return True
