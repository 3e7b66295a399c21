"""Rules that size a trade: risk per trade, capital per strategy, order size, leverage, milestones.

Each is a small object with ``check(request, state, ctx) -> RiskDecision``; reductions are
never cut back (they cannot add risk) and missing state denies.
"""

from __future__ import annotations

import math

from openalpha.domain import RiskDecision
from openalpha.risk.core import (
    RiskRequest,
    RiskState,
    RuleContext,
    allow,
    cap_exposure,
    deny,
    is_reducing,
    known,
    pct,
    require,
    resize,
    unknown,
)

DAYS_PER_YEAR = 365


class RiskPerTrade:
    """At most ``risk_per_trade`` × milestone scale of account equity lost if the stop is hit.

    The stop distance is the request's, or else ``vol_stop_days`` of volatility
    (``volatility × sqrt(days / 365)``).
    """

    name = "risk_per_trade"

    def __init__(self, vol_stop_days: float = 1.0) -> None:
        self.vol_stop_days = vol_stop_days

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current, state.equity, state.strategy_equity)
        if got is None:
            return unknown(self.name, request, "position, account equity or strategy equity")
        current, equity, strategy_equity = got
        if is_reducing(current, request.target):
            return allow(self.name, request, "reduces exposure")
        stop = self._stop_distance(request)
        if stop is None:
            return deny(self.name, request, "no stop distance or volatility to size the trade by")
        if strategy_equity <= 0:
            return deny(self.name, request, "strategy equity is not positive")
        budget = equity * ctx.config.risk_per_trade * ctx.risk_scale
        limit = budget / stop / strategy_equity
        reason = (
            f"risk {pct(ctx.config.risk_per_trade * ctx.risk_scale)} of equity {equity:,.2f} "
            f"= {budget:,.2f} at a {pct(stop)} stop allows exposure {limit:.4f}"
        )
        return cap_exposure(self.name, request, limit, reason)

    def _stop_distance(self, request: RiskRequest) -> float | None:
        stop, vol = request.stop_distance, request.volatility
        if stop is not None and known(stop) and stop > 0:
            return stop
        if vol is not None and known(vol) and vol > 0:
            return vol * math.sqrt(self.vol_stop_days / DAYS_PER_YEAR)
        return None


class StrategyCapitalCap:
    """A strategy's margin (gross notional / its leverage) stays within ``max_strategy_capital``
    of account equity."""

    name = "strategy_capital_cap"

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current, state.equity, state.strategy_equity, state.strategy_other_notional)
        if got is None:
            return unknown(self.name, request, "position, equity or the strategy's other exposure")
        _current, equity, strategy_equity, other_notional = got
        if strategy_equity <= 0:
            return deny(self.name, request, "strategy equity is not positive")
        leverage = max(1.0, request.leverage)
        cap_notional = ctx.config.max_strategy_capital * equity * leverage
        limit = (cap_notional - other_notional) / strategy_equity
        reason = (
            f"strategy capital capped at {pct(ctx.config.max_strategy_capital)} of equity "
            f"({cap_notional / leverage:,.2f} margin at {leverage:g}x)"
        )
        return cap_exposure(self.name, request, limit, reason)


class MaxOrderNotional:
    """One order moves at most ``max_order_notional`` (quote) of exposure."""

    name = "max_order_notional"

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current, state.strategy_equity)
        if got is None:
            return unknown(self.name, request, "position or strategy equity")
        current, strategy_equity = got
        if strategy_equity <= 0:
            return deny(self.name, request, "strategy equity is not positive")
        delta = request.target - current
        notional = abs(delta) * strategy_equity
        limit = ctx.config.max_order_notional
        if notional <= limit:
            return allow(self.name, request)
        approved = current + math.copysign(limit / strategy_equity, delta)
        return resize(self.name, request, approved, f"order notional {notional:,.2f} > max {limit:,.2f}")


class VolatilityLeverage:
    """Exposure ≤ min(max_leverage, target_volatility / realised volatility)."""

    name = "volatility_leverage"

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current)
        if got is None:
            return unknown(self.name, request, "position")
        if is_reducing(got[0], request.target):
            return allow(self.name, request, "reduces exposure")
        vol = request.volatility
        if vol is None or not known(vol) or vol <= 0:
            return deny(self.name, request, "realised volatility unknown")
        cap = min(ctx.config.max_leverage, ctx.config.target_volatility / vol)
        reason = (
            f"leverage capped at {cap:.2f}x (max {ctx.config.max_leverage:g}x, target vol "
            f"{pct(ctx.config.target_volatility)} / realised {pct(vol)})"
        )
        return cap_exposure(self.name, request, cap, reason)


class MilestoneScaling:
    """New exposure is scaled by the milestone's ``risk_scale`` once equity has passed it."""

    name = "milestone_scaling"

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision:
        got = require(request.current, state.equity)
        if got is None:
            return unknown(self.name, request, "position or account equity")
        current, equity = got
        if ctx.risk_scale >= 1.0 or is_reducing(current, request.target):
            return allow(self.name, request)
        limit = abs(request.target) * ctx.risk_scale
        reason = f"equity {equity:,.2f} past a milestone: new exposure scaled by {ctx.risk_scale:g}"
        return cap_exposure(self.name, request, limit, reason)
