"""``RiskGovernor``: every strategy target passes through it before becoming an order.

A plain object (no I/O) with an injected clock, so the backtester and the live runtime use
the same instance type. Order of judgement:

1. kill switch engaged → deny everything;
2. latches: a strategy past its drawdown stop is halted, an account past its drawdown limit
   is locked reduce-only (both sticky until a human clears them, audited);
3. every rule in order: the first DENY wins; RESIZEs compose to the smallest move.

Every latch, kill-switch change and parameter change is an audit :class:`Event`; collect them
with :meth:`drain_events` and hand them to the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openalpha.config.schema import RiskConfig
from openalpha.domain import Environment, Event, RiskAction, RiskDecision
from openalpha.domain.events import AuditValue
from openalpha.risk.clock import Clock
from openalpha.risk.core import (
    RiskRequest,
    RiskState,
    Rule,
    RuleContext,
    allow,
    deny,
    is_reducing,
    known,
    pct,
)
from openalpha.risk.equity import milestone_scale
from openalpha.risk.limit_rules import (
    AccountDrawdownLimit,
    DailyLossLimit,
    OrderRateLimit,
    StrategyDrawdownStop,
)
from openalpha.risk.params import RISK_SCALE, ParamBook, ParamChange, Value
from openalpha.risk.sizing_rules import (
    MaxOrderNotional,
    MilestoneScaling,
    RiskPerTrade,
    StrategyCapitalCap,
    VolatilityLeverage,
)

SOURCE = "risk_governor"
MOVE_EPS = 1e-12


def default_rules(rate: OrderRateLimit) -> list[Rule]:
    """Stops first (they deny), then sizing (they resize), then the order rate."""
    return [
        AccountDrawdownLimit(),
        DailyLossLimit(),
        StrategyDrawdownStop(),
        RiskPerTrade(),
        StrategyCapitalCap(),
        VolatilityLeverage(),
        MilestoneScaling(),
        MaxOrderNotional(),
        rate,
    ]


class RiskGovernor:
    def __init__(
        self,
        config: RiskConfig,
        clock: Clock,
        *,
        env: Environment | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        self.clock = clock
        self.env = env
        self.params = ParamBook(config)
        self.rate = OrderRateLimit()
        self._account_dd = AccountDrawdownLimit()
        self._strategy_dd = StrategyDrawdownStop()
        self.rules: list[Rule] = list(rules) if rules is not None else default_rules(self.rate)
        self.kill_switch = False
        self.account_locked: str | None = None  # the reason, while everything is reduce-only
        self.halted: dict[str, str] = {}  # strategy -> reason
        self._scale: float | None = None  # milestone scale last applied (for automatic-change audit)
        self._events: list[Event] = []

    @property
    def config(self) -> RiskConfig:
        return self.params.config

    # --- judgement ----------------------------------------------------------------------------

    def evaluate(self, request: RiskRequest, state: RiskState) -> RiskDecision:
        """Allow, resize or deny ``request`` given ``state``; never raises on missing state."""
        ctx = RuleContext(config=self.config, risk_scale=self._risk_scale(state), now_ms=self.clock.now_ms())
        if self.kill_switch:
            return deny("kill_switch", request, "kill switch engaged")
        if request.current is None or not known(request.current):
            return deny("governor", request, "position unknown")
        current = request.current
        gate = self._gates(request, state, ctx, reducing=is_reducing(current, request.target))
        if gate is not None:
            return gate
        chosen: RiskDecision | None = None
        for rule in self.rules:
            decision = rule.check(request, state, ctx)
            if decision.action is RiskAction.DENY:
                return decision
            if decision.action is RiskAction.RESIZE and (
                chosen is None or abs(decision.approved - current) < abs(chosen.approved - current)
            ):
                chosen = decision
        final = chosen or allow("governor", request, "all rules passed")
        if abs(final.approved - current) > MOVE_EPS:
            self.rate.record(ctx.now_ms)
        return final

    def _gates(
        self, request: RiskRequest, state: RiskState, ctx: RuleContext, *, reducing: bool
    ) -> RiskDecision | None:
        self._latch(request.strategy, state, ctx)
        if self.account_locked and not reducing:
            return deny("account_reduce_only", request, self.account_locked)
        if request.strategy in self.halted and not reducing:
            return deny("strategy_halted", request, f"strategy halted: {self.halted[request.strategy]}")
        return None

    def _latch(self, strategy: str, state: RiskState, ctx: RuleContext) -> None:
        account_dd = self._account_dd.breached(state, ctx)
        if account_dd is not None and not self.account_locked:
            self.account_locked = f"account drawdown {pct(account_dd)} hit the limit: reduce-only"
            self._emit("risk.account_locked", self.account_locked, data={"drawdown": account_dd})
        strategy_dd = self._strategy_dd.breached(state, ctx)
        if strategy_dd is not None and strategy not in self.halted:
            reason = f"drawdown {pct(strategy_dd)} hit the stop"
            self.halted[strategy] = reason
            data: dict[str, AuditValue] = {"strategy": strategy, "drawdown": strategy_dd, "reason": reason}
            self._emit("risk.strategy_halted", f"{strategy} halted: {reason}", data=data)

    def _risk_scale(self, state: RiskState) -> float:
        if self.params.pinned_scale is not None:
            return self.params.pinned_scale
        if state.equity is None or not known(state.equity):
            return self._scale if self._scale is not None else 1.0
        scale = milestone_scale(state.equity, self.config.milestones)
        if self._scale is not None and scale != self._scale:
            change = self.params.note_automatic(
                RISK_SCALE, self._scale, scale, ts=self.clock.now_ms(),
                reason=f"equity {state.equity:,.2f} moved the milestone scale {self._scale:g} -> {scale:g}",
            )  # fmt: skip
            self._emit_change(change)
        self._scale = scale
        return scale

    # --- human (and dashboard) controls -------------------------------------------------------

    def engage_kill_switch(self, *, actor: str, reason: str) -> None:
        if not self.kill_switch:
            self.kill_switch = True
            self._emit("risk.kill_switch", f"kill switch engaged: {reason}", actor=actor)

    def release_kill_switch(self, *, actor: str, reason: str) -> None:
        if self.kill_switch:
            self.kill_switch = False
            self._emit("risk.kill_switch_released", f"kill switch released: {reason}", actor=actor)

    def halt(self, strategy: str, *, actor: str, reason: str) -> None:
        if strategy not in self.halted:
            self.halted[strategy] = reason
            self._emit("risk.strategy_halted", f"{strategy} halted: {reason}", actor=actor,
                       data={"strategy": strategy, "reason": reason})  # fmt: skip

    def resume(self, strategy: str, *, actor: str, reason: str) -> None:
        if self.halted.pop(strategy, None) is not None:
            self._emit("risk.strategy_resumed", f"{strategy} resumed: {reason}", actor=actor,
                       data={"strategy": strategy})  # fmt: skip

    def clear_account_lock(self, *, actor: str, reason: str) -> None:
        """A human lifts the reduce-only lock (it re-engages at once if the breach persists)."""
        if self.account_locked:
            self.account_locked = None
            self._emit("risk.account_unlocked", f"account reduce-only lifted: {reason}", actor=actor)

    def set_param(self, name: str, value: Value, *, actor: str, reason: str) -> ParamChange:
        """Change a risk parameter now (``risk_scale`` pins the milestone scale)."""
        change = self.params.set(name, value, ts=self.clock.now_ms(), actor=actor, reason=reason)
        self._emit_change(change)
        return change

    def revert(self, change_id: int, *, actor: str, reason: str = "") -> ParamChange:
        change = self.params.revert(change_id, ts=self.clock.now_ms(), actor=actor, reason=reason)
        self._emit_change(change)
        return change

    @property
    def changes(self) -> list[ParamChange]:
        return list(self.params.changes)

    # --- audit --------------------------------------------------------------------------------

    def restore(self, events: Iterable[Event]) -> None:
        """Rebuild the kill switch, latches and parameter changes from this governor's audit
        events (oldest first, e.g. ``ledger.journal.audit_events(env, kind="risk.")``) after a
        restart. Emits nothing."""
        for event in events:
            if event.source == SOURCE:
                self._replay(event)

    def _replay(self, event: Event) -> None:
        data = event.data
        strategy = str(data.get("strategy", ""))
        match event.kind:
            case "risk.kill_switch" | "risk.kill_switch_released":
                self.kill_switch = event.kind == "risk.kill_switch"
            case "risk.strategy_halted":
                self.halted[strategy] = str(data.get("reason", event.message))
            case "risk.strategy_resumed":
                self.halted.pop(strategy, None)
            case "risk.account_locked":
                self.account_locked = event.message
            case "risk.account_unlocked":
                self.account_locked = None
            case "risk.param_change":
                change = _change_from(event)
                self.params.replay(change)
                if change.name == RISK_SCALE and change.automatic and isinstance(change.new, float | int):
                    self._scale = float(change.new)

    def drain_events(self) -> list[Event]:
        """Audit events since the last call (oldest first)."""
        events, self._events = self._events, []
        return events

    def _emit_change(self, c: ParamChange) -> None:
        self._emit(
            "risk.param_change",
            f"{c.name}: {c.old} -> {c.new} ({c.reason})",
            actor=c.actor,
            data={"change_id": c.id, "name": c.name, "old": c.old, "new": c.new, "automatic": c.automatic,
                  "reverts": c.reverts, "reason": c.reason},
        )  # fmt: skip

    def _emit(
        self, kind: str, message: str, *, actor: str = SOURCE, data: dict[str, AuditValue] | None = None
    ) -> None:
        self._events.append(
            Event(ts=self.clock.now_ms(), kind=kind, source=SOURCE, message=message, env=self.env,
                  actor=actor, data=data or {})
        )  # fmt: skip


def _change_from(event: Event) -> ParamChange:
    d = event.data

    def value(key: str) -> Value | None:
        v = d.get(key)
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None

    reverts = d.get("reverts")
    return ParamChange(
        id=int(d.get("change_id") or 0),
        ts=event.ts,
        name=str(d.get("name", "")),
        old=value("old"),
        new=value("new"),
        actor=event.actor,
        reason=str(d.get("reason", "")),
        automatic=bool(d.get("automatic", False)),
        reverts=reverts if isinstance(reverts, int) else None,
    )
