"""``RiskGovernorActor``: one :class:`openalpha.risk.governor.RiskGovernor` per environment.

Every automatic change is handed to the ledger here; the decisions themselves are recorded by
the exchange actor that asked, once the order they allowed has left (a write submitted from here
would delay the answer and queue ahead of the order's write-ahead record in the ledger). The
kill switch is global: engaging it engages every environment's governor.
"""

from __future__ import annotations

import time
from typing import Any

import ray

from openalpha.config.schema import RiskConfig
from openalpha.domain import Environment, RiskDecision
from openalpha.risk.core import RiskRequest, RiskState
from openalpha.risk.governor import RiskGovernor


class _WallClock:
    def now_ms(self) -> int:
        return int(time.time() * 1000)


@ray.remote(max_restarts=-1, max_task_retries=3)
class RiskGovernorActor:
    def __init__(self, config: RiskConfig, envs: list[Environment], ledger: Any) -> None:
        self.ledger = ledger
        self.governors = {env: RiskGovernor(config, _WallClock(), env=env) for env in envs}
        for env, governor in self.governors.items():  # kill switch, latches, set_param changes
            governor.restore(ray.get(ledger.audit_events.remote(env, kind="risk.")))

    def evaluate(self, env: Environment, request: RiskRequest, state: RiskState) -> RiskDecision:
        governor = self.governors[env]
        decision = governor.evaluate(request, state)
        events = governor.drain_events()
        if events:
            self.ledger.audit_many.remote(events)
        return decision

    def engage_kill_switch(self, actor: str, reason: str) -> None:
        for governor in self.governors.values():
            governor.engage_kill_switch(actor=actor, reason=reason)
        self._flush()

    def release_kill_switch(self, actor: str, reason: str) -> None:
        for governor in self.governors.values():
            governor.release_kill_switch(actor=actor, reason=reason)
        self._flush()

    def halt(self, strategy: str, actor: str, reason: str) -> None:
        for governor in self.governors.values():
            governor.halt(strategy, actor=actor, reason=reason)
        self._flush()

    def resume(self, strategy: str, actor: str, reason: str) -> None:
        for governor in self.governors.values():
            governor.resume(strategy, actor=actor, reason=reason)
        self._flush()

    def set_param(self, name: str, value: float, actor: str, reason: str) -> None:
        """Change a risk parameter in every environment now (audited; refused changes raise
        :class:`openalpha.risk.params.RiskParamError`, e.g. raising the account drawdown limit)."""
        for governor in self.governors.values():
            governor.set_param(name, value, actor=actor, reason=reason)
        self._flush()

    def state(self) -> dict[str, Any]:
        first = next(iter(self.governors.values()))
        return {
            "kill_switch": first.kill_switch,
            "reduce_only": {str(e): g.account_locked for e, g in self.governors.items() if g.account_locked},
            "halted": {s: r for g in self.governors.values() for s, r in g.halted.items()},
            "config": first.config,
        }

    def ping(self) -> bool:
        return True

    def _flush(self) -> None:
        """A human's change is in the ledger before the call returns (a restart restores it)."""
        events = [e for g in self.governors.values() for e in g.drain_events()]
        if events:
            ray.get(self.ledger.audit_many.remote(events))
