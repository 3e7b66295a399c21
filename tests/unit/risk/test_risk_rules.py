"""One test group per rule: allow, resize, deny, and deny when state is unknown."""

from __future__ import annotations

import math

import msgspec
import pytest

from openalpha.config import RiskConfig
from openalpha.domain import RiskAction, RiskDecision
from openalpha.risk import (
    AccountDrawdownLimit,
    DailyLossLimit,
    MaxOrderNotional,
    MilestoneScaling,
    OrderRateLimit,
    RiskPerTrade,
    RiskRequest,
    RiskState,
    RuleContext,
    StrategyCapitalCap,
    StrategyDrawdownStop,
    VolatilityLeverage,
)

T0 = 1_717_200_000_000
STATE = RiskState(
    equity=20_000.0,
    peak_equity=20_000.0,
    day_start_equity=20_000.0,
    strategy_equity=6_000.0,
    strategy_peak_equity=6_000.0,
    strategy_other_notional=0.0,
)


def ctx(scale: float = 1.0, now: int = T0, **config: object) -> RuleContext:
    return RuleContext(config=RiskConfig(**config), risk_scale=scale, now_ms=now)  # type: ignore[arg-type]


def req(target: float, current: float | None = 0.0, **kw: object) -> RiskRequest:
    return RiskRequest(strategy="momo", symbol="BTCUSDT", ts=T0, target=target, current=current,
                       **kw)  # type: ignore[arg-type]  # fmt: skip


def state(**kw: object) -> RiskState:
    return msgspec.structs.replace(STATE, **kw)


def approx(decision: RiskDecision, action: RiskAction, approved: float) -> bool:
    return decision.action is action and math.isclose(
        decision.approved, approved, rel_tol=1e-9, abs_tol=1e-12
    )


# --- risk per trade -----------------------------------------------------------------------------


def test_risk_per_trade_sizes_by_stop_distance() -> None:
    rule = RiskPerTrade()
    # 1 % of 20,000 = 200 at risk; a 2 % stop allows 10,000 notional = 1.6667 x the strategy's 6,000.
    assert approx(rule.check(req(2.0, stop_distance=0.02), STATE, ctx()), RiskAction.RESIZE, 10_000 / 6_000)
    assert rule.check(req(1.0, stop_distance=0.02), STATE, ctx()).action is RiskAction.ALLOW
    short = rule.check(req(-3.0, current=0.5, stop_distance=0.02), STATE, ctx())
    assert approx(short, RiskAction.RESIZE, -10_000 / 6_000)
    assert "200.00" in short.reason


def test_risk_per_trade_uses_volatility_and_milestone_scale() -> None:
    rule = RiskPerTrade()
    stop = 0.73 * math.sqrt(1 / 365)  # one day of 73 % annual volatility
    expected = 20_000 * 0.01 * 0.8 / stop / 6_000
    assert approx(rule.check(req(5.0, volatility=0.73), STATE, ctx(scale=0.8)), RiskAction.RESIZE, expected)


def test_risk_per_trade_denies_without_a_stop_but_allows_reductions() -> None:
    rule = RiskPerTrade()
    assert rule.check(req(0.5), STATE, ctx()).action is RiskAction.DENY
    assert rule.check(req(0.2, current=0.5), STATE, ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.0, current=-0.5), STATE, ctx()).action is RiskAction.ALLOW


@pytest.mark.parametrize("field", ["equity", "strategy_equity"])
def test_risk_per_trade_denies_unknown_state(field: str) -> None:
    decision = RiskPerTrade().check(req(0.1, stop_distance=0.02), state(**{field: None}), ctx())
    assert decision.action is RiskAction.DENY and "unknown" in decision.reason
    assert (
        RiskPerTrade().check(req(0.1, stop_distance=0.02), state(**{field: math.nan}), ctx()).action
        is RiskAction.DENY
    )
    assert (
        RiskPerTrade().check(req(0.1, current=None, stop_distance=0.02), STATE, ctx()).action
        is RiskAction.DENY
    )


# --- strategy capital cap -----------------------------------------------------------------------


def test_strategy_capital_cap_counts_other_symbols_and_leverage() -> None:
    rule = StrategyCapitalCap()
    busy = state(strategy_other_notional=3_000.0)  # 30 % of 20,000 = 6,000 margin; 3,000 already used
    assert approx(rule.check(req(0.8), busy, ctx()), RiskAction.RESIZE, 0.5)
    assert rule.check(req(0.8, leverage=2.0), busy, ctx()).action is RiskAction.ALLOW  # 12,000 notional room
    assert approx(rule.check(req(-2.0, leverage=2.0), busy, ctx()), RiskAction.RESIZE, -1.5)


def test_strategy_capital_cap_denies_when_full_or_unknown() -> None:
    rule = StrategyCapitalCap()
    full = state(strategy_other_notional=7_000.0)
    assert rule.check(req(0.3), full, ctx()).action is RiskAction.DENY
    assert rule.check(req(0.1, current=0.4), full, ctx()).action is RiskAction.ALLOW  # reduction
    assert rule.check(req(0.1), state(strategy_other_notional=None), ctx()).action is RiskAction.DENY


# --- max order notional -------------------------------------------------------------------------


def test_max_order_notional_limits_the_move_both_ways() -> None:
    rule = MaxOrderNotional()
    c = ctx(max_order_notional=3_000.0)  # 0.5 of the strategy's 6,000 per order
    assert approx(rule.check(req(1.0, current=0.2), STATE, c), RiskAction.RESIZE, 0.7)
    assert approx(rule.check(req(0.0, current=1.0), STATE, c), RiskAction.RESIZE, 0.5)
    assert rule.check(req(0.6, current=0.2), STATE, c).action is RiskAction.ALLOW
    assert rule.check(req(0.6), state(strategy_equity=None), c).action is RiskAction.DENY


# --- volatility-capped leverage -----------------------------------------------------------------


def test_volatility_leverage_caps_by_target_over_realised() -> None:
    rule = VolatilityLeverage()
    hot = rule.check(req(1.0, volatility=1.2), STATE, ctx())  # 0.60 / 1.20 = 0.5x
    assert approx(hot, RiskAction.RESIZE, 0.5) and "0.50x" in hot.reason
    assert approx(rule.check(req(8.0, volatility=0.06), STATE, ctx()), RiskAction.RESIZE, 5.0)  # max_leverage
    assert rule.check(req(0.4, volatility=1.2), STATE, ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.4), STATE, ctx()).action is RiskAction.DENY  # volatility unknown
    assert rule.check(req(0.2, current=0.9), STATE, ctx()).action is RiskAction.ALLOW  # reduction


def test_volatility_leverage_denies_increase_when_already_above_cap() -> None:
    decision = VolatilityLeverage().check(req(1.2, current=1.0, volatility=1.2), STATE, ctx())
    assert decision.action is RiskAction.DENY and decision.approved == 1.0


# --- milestones ---------------------------------------------------------------------------------


def test_milestone_scaling_scales_new_exposure() -> None:
    rule = MilestoneScaling()
    assert approx(rule.check(req(1.0), state(equity=60_000.0), ctx(scale=0.6)), RiskAction.RESIZE, 0.6)
    assert rule.check(req(1.0), STATE, ctx(scale=1.0)).action is RiskAction.ALLOW
    assert rule.check(req(0.5, current=1.0), STATE, ctx(scale=0.6)).action is RiskAction.ALLOW
    assert rule.check(req(1.0), state(equity=None), ctx(scale=0.6)).action is RiskAction.DENY


# --- drawdowns and the daily loss limit ---------------------------------------------------------


def test_strategy_drawdown_stop_blocks_new_risk_only() -> None:
    rule = StrategyDrawdownStop()
    down = state(strategy_equity=5_300.0)  # -11.67 % from 6,000
    denied = rule.check(req(0.5), down, ctx())
    assert denied.action is RiskAction.DENY and "-11.67 %" in denied.reason
    assert rule.check(req(0.0, current=0.5), down, ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.5), state(strategy_equity=5_500.0), ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.5), state(strategy_peak_equity=None), ctx()).action is RiskAction.DENY


def test_account_drawdown_limit_is_reduce_only() -> None:
    rule = AccountDrawdownLimit()
    down = state(equity=16_900.0)  # -15.5 %
    assert rule.check(req(0.1), down, ctx()).action is RiskAction.DENY
    assert rule.check(req(-0.1, current=0.3), down, ctx()).action is RiskAction.DENY  # a flip adds risk
    assert rule.check(req(0.1, current=0.3), down, ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.1), state(equity=17_100.0), ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.1), state(peak_equity=None), ctx()).action is RiskAction.DENY


def test_daily_loss_limit() -> None:
    rule = DailyLossLimit()
    assert rule.check(req(0.2), state(equity=18_900.0), ctx()).action is RiskAction.DENY  # -5.5 %
    assert rule.check(req(0.2), state(equity=19_100.0), ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.0, current=0.2), state(equity=18_000.0), ctx()).action is RiskAction.ALLOW
    assert rule.check(req(0.2), state(day_start_equity=None), ctx()).action is RiskAction.DENY


# --- order rate ---------------------------------------------------------------------------------


def test_order_rate_limit_uses_a_trailing_minute() -> None:
    rule = OrderRateLimit()
    for offset in (0, 10_000, 20_000):
        rule.record(T0 + offset)
    assert (
        rule.check(req(0.1), STATE, ctx(now=T0 + 30_000, max_orders_per_minute=3)).action is RiskAction.DENY
    )
    assert (
        rule.check(req(0.1), STATE, ctx(now=T0 + 30_000, max_orders_per_minute=4)).action is RiskAction.ALLOW
    )
    assert (
        rule.check(req(0.1), STATE, ctx(now=T0 + 60_000, max_orders_per_minute=3)).action is RiskAction.ALLOW
    )
