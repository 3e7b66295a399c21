"""Judging a strategy against its stage's criteria — every check with value and threshold.

Unknown evidence never passes: a check whose number is missing fails with "not measured".
"""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain import Stage
from openalpha.graduation.criteria import GraduationCriteria, LiveGate
from openalpha.graduation.stages import next_stage
from openalpha.metrics.drawdown import max_drawdown
from openalpha.metrics.returns import bar_returns, periods_per_year, sharpe
from openalpha.metrics.trades import profit_factor, win_rate


class BacktestEvidence(msgspec.Struct, frozen=True, kw_only=True):
    """The walk-forward sweep result that lets a strategy leave ``backtest``."""

    run_id: str
    verdict_passed: bool
    pbo: float | None = None
    dsr: float | None = None
    oos_trades: int | None = None
    max_drawdown: float | None = None
    oos_sharpe: float | None = None
    mc_return_p5: float | None = None


class LiveEvidence(msgspec.Struct, frozen=True, kw_only=True):
    """What the strategy actually did at its current stage."""

    days: float
    trades: int
    total_return: float
    sharpe: float | None = None
    max_drawdown: float | None = None
    win_rate: float | None = None
    profit_factor: float | None = None
    tracking_error: float | None = None
    risk_denials: int = 0


class CriterionCheck(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    value: float | None
    threshold: float
    op: str  # ">=", "<=" or "=="
    passed: bool

    @property
    def progress(self) -> float:
        """0..1 towards passing (for progress bars); 1 when passed."""
        if self.passed:
            return 1.0
        if self.value is None or self.op == "==":
            return 0.0
        if self.op == ">=":
            return max(0.0, min(1.0, self.value / self.threshold)) if self.threshold > 0 else 0.0
        return max(0.0, min(1.0, self.threshold / self.value)) if self.value > 0 else 0.0


class Assessment(msgspec.Struct, frozen=True, kw_only=True):
    strategy: str
    stage: Stage
    target: Stage | None
    checks: list[CriterionCheck]
    ready: bool
    needs_approval: bool = False

    def evidence(self) -> dict[str, float | None]:
        return {c.name: c.value for c in self.checks}

    def failures(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed]


def _check(name: str, value: float | None, threshold: float, op: str) -> CriterionCheck:
    ok = value is not None and not math.isnan(value)
    if ok:
        assert value is not None
        ok = value >= threshold if op == ">=" else value <= threshold if op == "<=" else value == threshold
    return CriterionCheck(name=name, value=value, threshold=threshold, op=op, passed=ok)


def _live_checks(gate: LiveGate, live: LiveEvidence | None) -> list[CriterionCheck]:
    ev = live or LiveEvidence(days=0, trades=0, total_return=0.0)
    return [
        _check("days", ev.days, gate.min_days, ">="),
        _check("trades", float(ev.trades), gate.min_trades, ">="),
        _check("sharpe", ev.sharpe, gate.min_sharpe, ">="),
        _check("max_drawdown", ev.max_drawdown, gate.max_drawdown, "<="),
        _check("win_rate", ev.win_rate, gate.min_win_rate, ">="),
        _check("profit_factor", ev.profit_factor, gate.min_profit_factor, ">="),
        _check("tracking_error", ev.tracking_error, gate.max_tracking_error, "<="),
    ]


def assess_promotion(
    strategy: str,
    stage: Stage,
    criteria: GraduationCriteria,
    *,
    backtest: BacktestEvidence | None = None,
    live: LiveEvidence | None = None,
) -> Assessment:
    """How ``strategy`` stands against the gate out of ``stage``."""
    target = next_stage(stage)
    if stage is Stage.BACKTEST:
        gate = criteria.backtest
        bt = backtest
        checks = [
            _check("verdict", 1.0 if bt and bt.verdict_passed else 0.0, 1.0, "=="),
            _check("pbo", bt.pbo if bt else None, gate.max_pbo, "<="),
            _check("dsr", bt.dsr if bt else None, gate.min_dsr, ">="),
            _check(
                "oos_trades",
                float(bt.oos_trades) if bt and bt.oos_trades is not None else None,
                gate.min_trades,
                ">=",
            ),
            _check("max_drawdown", bt.max_drawdown if bt else None, gate.max_drawdown, "<="),
        ]
    elif stage is Stage.PAPER:
        checks = _live_checks(criteria.paper, live)
    elif stage is Stage.TESTNET:
        checks = _live_checks(criteria.testnet, live)
    else:
        checks = []
    ready = target is not None and bool(checks) and all(c.passed for c in checks)
    return Assessment(
        strategy=strategy,
        stage=stage,
        target=target,
        checks=checks,
        ready=ready,
        needs_approval=target is Stage.MAINNET,
    )


def assess_demotion(
    stage: Stage,
    criteria: GraduationCriteria,
    live: LiveEvidence,
    *,
    mc_return_p5: float | None = None,
) -> tuple[Stage, list[str]] | None:
    """``(target stage, reasons)`` when a live strategy must step down, else None."""
    if stage not in (Stage.PAPER, Stage.TESTNET, Stage.MAINNET):
        return None
    rules = criteria.demotion
    reasons: list[str] = []
    if live.max_drawdown is not None and live.max_drawdown > rules.max_drawdown:
        reasons.append(f"drawdown {live.max_drawdown:.1%} beyond {rules.max_drawdown:.1%}")
    if rules.below_mc_p5 and mc_return_p5 is not None and live.total_return < mc_return_p5:
        reasons.append(
            f"return {live.total_return:.2%} below the Monte Carlo 5th percentile {mc_return_p5:.2%}"
        )
    if live.tracking_error is not None and live.tracking_error > rules.max_tracking_error:
        reasons.append(f"tracking error {live.tracking_error:.2%} above {rules.max_tracking_error:.2%}")
    if live.risk_denials >= rules.max_risk_denials:
        reasons.append(f"{live.risk_denials} risk denials in {rules.denial_window_days} days")
    if not reasons:
        return None
    return (Stage.HALTED if stage is Stage.PAPER else Stage.PAPER), reasons


def tracking_error(live_equity: pd.Series, backtest_equity: pd.Series) -> float | None:
    """Largest gap between the two curves, each normalised to 1 at the first common time.

    Both series are indexed by time; the backtest is aligned to the live timestamps (last value
    at or before each). None when they do not overlap.
    """
    live = live_equity.dropna().sort_index()
    back = backtest_equity.dropna().sort_index()
    if live.empty or back.empty:
        return None
    start = max(live.index[0], back.index[0])
    live = live[live.index >= start]
    aligned = back.reindex(back.index.union(live.index)).ffill().reindex(live.index)
    if live.empty or aligned.isna().all() or aligned.iloc[0] == 0 or live.iloc[0] == 0:
        return None
    gap = (live / live.iloc[0]) - (aligned / aligned.iloc[0])
    return float(np.nanmax(np.abs(gap.to_numpy())))


def live_evidence(
    equity: pd.Series,
    trade_pnl: np.ndarray,
    interval: str,
    *,
    backtest_equity: pd.Series | None = None,
    risk_denials: int = 0,
) -> LiveEvidence:
    """Evidence from a live equity curve (indexed by time) and the PnL of closed trades."""
    values = equity.dropna().to_numpy(dtype=np.float64)
    if len(values) < 2:
        return LiveEvidence(days=0.0, trades=len(trade_pnl), total_return=0.0, risk_denials=risk_denials)
    days = (equity.index[-1] - equity.index[0]).total_seconds() / 86_400
    rets = bar_returns(values, values[0])
    pnl = np.asarray(trade_pnl, dtype=np.float64)
    return LiveEvidence(
        days=days,
        trades=len(pnl),
        total_return=float(values[-1] / values[0] - 1),
        sharpe=float(sharpe(rets, periods_per_year(interval))) if len(rets) > 2 else None,
        max_drawdown=abs(float(max_drawdown(values, values[0]))),  # metrics' drawdown is negative
        win_rate=float(win_rate(pnl)) if len(pnl) else None,
        profit_factor=float(profit_factor(pnl)) if len(pnl) else None,
        tracking_error=tracking_error(equity, backtest_equity) if backtest_equity is not None else None,
        risk_denials=risk_denials,
    )


def allocation(
    stage: Stage, criteria: GraduationCriteria, days_at_stage: float, approved: float | None = None
) -> float:
    """Capital for a strategy at ``stage``: fixed on paper/testnet, growing with evidence on mainnet."""
    alloc = criteria.allocation
    if stage is Stage.PAPER:
        return alloc.paper
    if stage is Stage.TESTNET:
        return alloc.testnet
    if stage is Stage.MAINNET:
        base = approved if approved is not None else alloc.mainnet_initial
        steps = int(days_at_stage // alloc.growth_every_days)
        return float(min(base * alloc.growth_step**steps, alloc.mainnet_max))
    return 0.0
