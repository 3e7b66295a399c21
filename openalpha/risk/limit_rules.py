"""Rules that stop new risk: drawdowns, the daily loss limit and the order rate.

While a limit is breached, reductions still pass (so positions can be closed); anything
that adds exposure is denied. Missing state denies everything.
"""

from __future__ import annotations

from collections import deque

from openalpha.domain import RiskDecision
from openalpha.risk.core import (
    RiskRequest,
    RiskState,
    RuleContext,
    allow,
    deny,
    drawdown,
    is_reducing,
    pct,
    require,
    unknown,
)

MINUTE_MS = 60_000


def _gate(name: str, request: RiskRequest, current: float, breached: bool, reason: str) -> RiskDecision:
    if not breached:
        return allow(name, request)
    if is_reducing(current, request.target):
        return allow(name, request, f"reduce-only ({reason}): reduction allowed")
    return deny(name, request, reason)


class _DrawdownRule:
    """Reduce-only once the equity field is the limit below the peak field (both of
    :class:`RiskState`; the limit a field of the risk config), as the subclass names them."""

    name = ""
    what = ""  # "strategy" or "account", for reasons
    kind = ""  # "stop" or "limit", for reasons
    fields = ("", "")  # (equity, peak) in RiskState
    limit_field = ""  # in the risk config

    def _pair(self, state: RiskState) -> tuple[float | None, float | None]:
        equity, peak = self.fields
        return getattr(state, equity), getattr(state, peak)

    def _limit(self, ctx: RuleContext) -> float:
        return float(getattr(ctx.config, self.limit_field))

    def breached(self, state: RiskState, ctx: RuleContext) -> float | None:
        """The drawdown when it breaches the limit, else None (also when unknown)."""
        got = require(*self._pair(state))
        if got is None:
            return None
        dd = drawdown(*got)
        return dd if dd <= -self._limit(ctx) else None

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current, *self._pair(state))
        if got is None:
            return unknown(self.name, request, f"position or {self.what} equity/peak")
        current, equity, peak = got
        dd = drawdown(equity, peak)
        limit = self._limit(ctx)
        reason = f"{self.what} drawdown {pct(dd)} breaches the {pct(limit)} {self.kind}"
        return _gate(self.name, request, current, dd <= -limit, reason)


class StrategyDrawdownStop(_DrawdownRule):
    """A strategy ``strategy_drawdown_stop`` below its peak equity is halted (reduce-only)."""

    name, what, kind = "strategy_drawdown", "strategy", "stop"
    fields, limit_field = ("strategy_equity", "strategy_peak_equity"), "strategy_drawdown_stop"


class AccountDrawdownLimit(_DrawdownRule):
    """The account ``account_drawdown_limit`` below its peak: everything reduce-only."""

    name, what, kind = "account_drawdown", "account", "limit"
    fields, limit_field = ("equity", "peak_equity"), "account_drawdown_limit"


class DailyLossLimit:
    """Losing ``daily_loss_limit`` of the UTC day's starting equity: reduce-only until tomorrow."""

    name = "daily_loss"

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current, state.equity, state.day_start_equity)
        if got is None:
            return unknown(self.name, request, "position or the day's starting equity")
        current, equity, day_start = got
        change = equity / day_start - 1.0 if day_start > 0 else -1.0
        reason = f"daily loss {pct(change)} breaches the {pct(ctx.config.daily_loss_limit)} limit"
        return _gate(self.name, request, current, change <= -ctx.config.daily_loss_limit, reason)


class OrderRateLimit:
    """At most ``max_orders_per_minute`` orders in any trailing 60 s of the injected clock.

    The governor calls :meth:`record` with its clock's time for every decision that leads to
    an order, and passes the same clock's time in ``ctx.now_ms``.
    """

    name = "order_rate"

    def __init__(self) -> None:
        self._sent: deque[int] = deque()

    def _prune(self, now: int) -> None:
        while self._sent and self._sent[0] <= now - MINUTE_MS:
            self._sent.popleft()

    def record(self, now_ms: int) -> None:
        self._prune(now_ms)
        self._sent.append(now_ms)

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        self._prune(ctx.now_ms)
        limit = ctx.config.max_orders_per_minute
        if len(self._sent) >= limit:
            return deny(self.name, request, f"{len(self._sent)} orders in the last minute (max {limit})")
        return allow(self.name, request)
