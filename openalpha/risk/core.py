"""What the risk rules see and return.

Exposures are signed fractions of the *strategy's* equity, as in ``Strategy.targets`` (``0.5`` =
long half of its equity). Money amounts are quote currency (USDT) floats: sizing is
internal math; exact rounding happens later, in :mod:`openalpha.venue`, on the order itself.

``None`` (or NaN) anywhere in the state means *unknown*, and a rule that needs it denies.
"""

from __future__ import annotations

import math
from typing import Protocol

import msgspec

from openalpha.config.schema import RiskConfig
from openalpha.domain import RiskAction, RiskDecision

_EPS = 1e-12


class RiskRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A strategy asking to move ``symbol`` from ``current`` to ``target`` exposure."""

    strategy: str
    symbol: str
    ts: int
    target: float
    current: float | None
    leverage: float = 1.0  # the strategy's configured leverage: margin = notional / leverage
    stop_distance: float | None = None  # distance to the stop as a fraction of price (0.02 = 2 %)
    volatility: float | None = None  # annualised realised volatility of the symbol


class RiskState(msgspec.Struct, frozen=True, kw_only=True):
    """The account and the strategy as last known. Every field is required; None = unknown."""

    equity: float | None
    peak_equity: float | None
    day_start_equity: float | None
    strategy_equity: float | None
    strategy_peak_equity: float | None
    strategy_other_notional: float | None  # gross notional the strategy holds in other symbols


class RuleContext(msgspec.Struct, frozen=True, kw_only=True):
    config: RiskConfig
    risk_scale: float  # milestone scale in force (1.0 below the first milestone)
    now_ms: int


class Rule(Protocol):
    name: str

    def check(self, request: RiskRequest, state: RiskState, ctx: RuleContext) -> RiskDecision: ...


def known(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def require(*values: float | None) -> tuple[float, ...] | None:
    """The values when every one is known (not None, finite), else None."""
    return tuple(float(v) for v in values if v is not None) if known(*values) else None


def is_reducing(current: float, target: float) -> bool:
    """True when moving to ``target`` only shrinks the position (no increase, no flip)."""
    if abs(target) <= _EPS:
        return True
    return abs(target) <= abs(current) + _EPS and math.copysign(1, target) == math.copysign(1, current)


def drawdown(equity: float, peak: float) -> float:
    """Fractional drawdown from the peak (``-0.12`` = 12 % below); 0 when at or above it."""
    return min(0.0, equity / peak - 1.0) if peak > 0 else -1.0


def pct(x: float) -> str:
    return f"{x * 100:.2f} %"


# --- decisions -------------------------------------------------------------------------------


def allow(rule: str, request: RiskRequest, reason: str = "within limits") -> RiskDecision:
    return _decision(RiskAction.ALLOW, rule, request, request.target, reason)


def resize(rule: str, request: RiskRequest, approved: float, reason: str) -> RiskDecision:
    return _decision(RiskAction.RESIZE, rule, request, approved, reason)


def deny(rule: str, request: RiskRequest, reason: str) -> RiskDecision:
    """No order: ``approved`` is the current exposure (0 when even that is unknown)."""
    current = request.current if known(request.current) else 0.0
    return _decision(RiskAction.DENY, rule, request, float(current or 0.0), reason)


def unknown(rule: str, request: RiskRequest, *what: str) -> RiskDecision:
    return deny(rule, request, f"{' and '.join(what)} unknown")


def _decision(action: RiskAction, rule: str, req: RiskRequest, approved: float, reason: str) -> RiskDecision:
    return RiskDecision(
        action=action,
        rule=rule,
        reason=reason,
        strategy=req.strategy,
        symbol=req.symbol,
        ts=req.ts,
        requested=req.target,
        approved=approved,
    )


def cap_exposure(rule: str, request: RiskRequest, limit: float, reason: str) -> RiskDecision:
    """Keep ``|approved| <= limit`` on the way from current to target.

    A reduction is always allowed (it cannot add risk); an increase is cut back to the limit,
    and denied when the position is already at or beyond it.
    """
    current, target = float(request.current or 0.0), request.target
    limit = max(0.0, limit)
    if abs(target) <= limit + _EPS:
        return allow(rule, request)
    low, high = sorted((current, target))
    approved = min(max(math.copysign(limit, target), low), high)
    if abs(approved - target) <= _EPS:
        return allow(rule, request, "reduces exposure")
    if abs(approved - current) <= _EPS:
        return deny(rule, request, reason)
    return resize(rule, request, approved, reason)
