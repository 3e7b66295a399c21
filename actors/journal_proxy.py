"""The :class:`~openalpha.live.journal.Journal` port, answered by the ``LedgerActor``.

The exchange actor's order manager writes through this proxy, so the ledger actor stays the
single writer. Calls are synchronous: an order is journaled before it is sent.
"""

from __future__ import annotations

from typing import Any

import ray

from openalpha.domain import Balance, Environment, Event, Fill, Order, Position, RiskDecision
from openalpha.live import hop_trace


class ActorJournal:
    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger

    def load_orders(self, env: Environment) -> list[Order]:
        return list(ray.get(self.ledger.load_orders.remote(env)))

    def save_order(self, env: Environment, order: Order) -> None:
        hop_trace.mark_link("journal_call", order.order_link_id)
        ray.get(self.ledger.save_order.remote(env, order))
        hop_trace.mark_link("journal_saved", order.order_link_id)

    def get_order(self, env: Environment, order_link_id: str) -> Order | None:
        return ray.get(self.ledger.get_order.remote(env, order_link_id))  # type: ignore[no-any-return]

    def save_fill(self, env: Environment, fill: Fill) -> bool:
        return bool(ray.get(self.ledger.save_fill.remote(env, fill)))

    def save_funding(self, env: Environment, fill: Fill) -> bool:
        return bool(ray.get(self.ledger.save_funding.remote(env, fill)))

    def last_exec_ts(self, env: Environment) -> int:
        return int(ray.get(self.ledger.last_exec_ts.remote(env)))

    def audit(self, event: Event) -> None:
        ray.get(self.ledger.audit.remote(event))

    def record_decision(self, env: Environment, decision: RiskDecision) -> None:
        ray.get(self.ledger.record_decision.remote(env, decision))

    def record_positions(self, env: Environment, positions: list[Position]) -> None:
        ray.get(self.ledger.record_positions.remote(env, positions))

    def record_balances(self, balances: list[Balance]) -> None:
        ray.get(self.ledger.record_balances.remote(balances))
