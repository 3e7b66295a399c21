"""What the order manager needs from durable storage: the ``Journal`` port.

The ledger (``openalpha.store``) implements it for real runs; :class:`MemoryJournal` keeps the
same contract in memory for paper replays and unit tests. Every write is idempotent: saving the
same fill twice (same ``exec_id``) is a no-op that returns ``False``.
"""

from __future__ import annotations

from typing import Protocol

from openalpha.domain import Balance, Environment, Event, Fill, Order, Position, RiskDecision


class Journal(Protocol):
    def load_orders(self, env: Environment) -> list[Order]: ...

    def save_order(self, env: Environment, order: Order) -> None: ...

    def get_order(self, env: Environment, order_link_id: str) -> Order | None:
        """One stored order (the order manager asks for orders it no longer keeps in memory)."""
        ...

    def save_fill(self, env: Environment, fill: Fill) -> bool: ...

    def save_funding(self, env: Environment, fill: Fill) -> bool: ...

    def last_exec_ts(self, env: Environment) -> int: ...

    def audit(self, event: Event) -> None: ...

    def record_decision(self, env: Environment, decision: RiskDecision) -> None:
        """A risk decision taken outside the governor (the runtime's own denials), appended."""
        ...

    def record_positions(self, env: Environment, positions: list[Position]) -> None:
        """Snapshots of the exchange's positions (reconciliation), appended."""
        ...

    def record_balances(self, balances: list[Balance]) -> None:
        """Wallet observations (each names its environment), appended."""
        ...


class MemoryJournal:
    """An in-memory :class:`Journal` (paper replays, tests)."""

    def __init__(self) -> None:
        self.orders: dict[tuple[Environment, str], Order] = {}
        self.fills: dict[tuple[Environment, str], Fill] = {}
        self.funding: dict[tuple[Environment, str], Fill] = {}
        self.events: list[Event] = []
        self.decisions: list[tuple[Environment, RiskDecision]] = []
        self.positions: list[tuple[Environment, Position]] = []
        self.balances: list[Balance] = []

    def load_orders(self, env: Environment) -> list[Order]:
        return [o for (e, _), o in self.orders.items() if e is env]

    def save_order(self, env: Environment, order: Order) -> None:
        self.orders[(env, order.order_link_id)] = order

    def get_order(self, env: Environment, order_link_id: str) -> Order | None:
        return self.orders.get((env, order_link_id))

    def save_fill(self, env: Environment, fill: Fill) -> bool:
        return self._once(self.fills, env, fill)

    def save_funding(self, env: Environment, fill: Fill) -> bool:
        return self._once(self.funding, env, fill)

    def last_exec_ts(self, env: Environment) -> int:
        stamps = [f.ts for (e, _), f in (*self.fills.items(), *self.funding.items()) if e is env]
        return max(stamps, default=0)

    def audit(self, event: Event) -> None:
        self.events.append(event)

    def record_decision(self, env: Environment, decision: RiskDecision) -> None:
        self.decisions.append((env, decision))

    def record_positions(self, env: Environment, positions: list[Position]) -> None:
        self.positions += [(env, p) for p in positions]

    def record_balances(self, balances: list[Balance]) -> None:
        self.balances += balances

    @staticmethod
    def _once(table: dict[tuple[Environment, str], Fill], env: Environment, fill: Fill) -> bool:
        key = (env, fill.exec_id)
        if key in table:
            return False
        table[key] = fill
        return True
