"""The :class:`~openalpha.live.journal.Journal` port over the SQL ledger (``openalpha.store``)."""

from __future__ import annotations

import time

from openalpha.domain import Balance, Environment, Event, Fill, Order, Position, RiskDecision
from openalpha.store.ledger import Ledger

RECENT_MS = 7 * 24 * 3_600_000  # closed orders older than this are not kept in memory


class LedgerJournal:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def load_orders(self, env: Environment) -> list[Order]:
        recent = self.ledger.orders.orders(env, since=int(time.time() * 1000) - RECENT_MS)
        open_ = self.ledger.orders.open_orders(env)
        return list({o.order_link_id: o for o in [*recent, *open_]}.values())

    def save_order(self, env: Environment, order: Order) -> None:
        self.ledger.orders.save_order(env, order)  # one transaction: recorded if new, else updated

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

    def record_decision(self, env: Environment, decision: RiskDecision) -> None:
        self.ledger.journal.record_decision(env, decision)

    def record_positions(self, env: Environment, positions: list[Position]) -> None:
        self.ledger.account.record_positions(env, positions)

    def record_balances(self, balances: list[Balance]) -> None:
        for balance in balances:
            self.ledger.account.record_balance(balance)
