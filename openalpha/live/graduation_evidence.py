"""``LedgerEvidence``: the numbers graduation judges a strategy on (an
:class:`~openalpha.graduation.ports.EvidenceSource`).

* **Backtest** — the strategy's newest walk-forward sweep: a run directory under ``runs/``
  whose ``run.json`` (schema: :mod:`openalpha.research.runs`) names the same strategy and
  symbols, found through the ledger's runs index or by scanning ``runs/``. Verdict, PBO, DSR,
  out-of-sample trades, drawdown and Sharpe, and the 5th percentile of the block-bootstrapped
  out-of-sample return.
* **Live** — from the ledger: the strategy's own fills (attributed by orderLinkId) marked to
  the bar closes give its equity since it entered its stage, the round trips closed since then
  give the trade PnL, and the governor's denials in the demotion window count. The **backtest
  of the same period on the same bars** (the same strategy and parameters, starting with the
  strategy's equity at the stage start, warm-up bars before it) gives the tracking error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from openalpha.domain import Environment, MarketData, RiskAction, interval_ms
from openalpha.graduation.criteria import GraduationCriteria
from openalpha.graduation.evaluate import BacktestEvidence, LiveEvidence, live_evidence
from openalpha.graduation.fills import closed_trade_pnl, equity_curve
from openalpha.graduation.gate import RULE
from openalpha.live.env_runtime import StrategyPlan
from openalpha.live.ids import is_ours
from openalpha.store import Ledger
from openalpha.strategies.registry import get_strategy_class

DAY_MS = 86_400_000
# (keys, interval, first bar open ms, end ms) -> the closed bars in [first, end)
MarketSource = Callable[[list[str], str, int, int], MarketData]


class StrategySpec(msgspec.Struct, frozen=True, kw_only=True):
    plan: StrategyPlan
    params: dict[str, Any] = {}
    env: Environment
    fee_tier: str = "VIP0"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def sweep_evidence(header: dict[str, Any]) -> BacktestEvidence:
    """A sweep's ``run.json`` as graduation evidence (missing numbers stay None = not passed)."""
    summary = header.get("summary") or {}
    oos = summary.get("oos_metrics") or {}
    boot = next((m for m in summary.get("montecarlo") or [] if m.get("method") == "block_bootstrap"), None)
    dd = _num(oos.get("max_drawdown"))
    trades = _num(oos.get("n_trades"))
    return BacktestEvidence(
        run_id=str(header.get("id", "")),
        verdict_passed=header.get("verdict") == "pass",
        pbo=_num(summary.get("pbo")),
        dsr=_num((summary.get("dsr") or {}).get("dsr")),
        oos_trades=int(trades) if trades is not None else None,
        max_drawdown=abs(dd) if dd is not None else None,
        oos_sharpe=_num(oos.get("sharpe")),
        mc_return_p5=_num(((boot or {}).get("total_return") or {}).get("percentiles", {}).get("p5")),
    )


def _read_header(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("kind") == "sweep" else None


class LedgerEvidence:
    def __init__(
        self,
        ledger: Ledger,
        runs_dir: Path,
        specs: dict[str, StrategySpec],
        market: MarketSource,
        capital: Callable[[str], float | None],
        criteria: GraduationCriteria,
    ) -> None:
        self.ledger = ledger
        self.runs_dir = runs_dir
        self.specs = specs
        self.market = market
        self.capital = capital
        self.criteria = criteria

    # -- backtest -------------------------------------------------------------------------------
    def backtest(self, strategy: str) -> BacktestEvidence | None:
        spec = self.specs[strategy]
        dirs = [
            self.runs_dir / r.path for r in self.ledger.registry.runs(kind="sweep", strategy=spec.plan.name)
        ]
        if self.runs_dir.is_dir():
            dirs += [p for p in self.runs_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
        found: dict[str, dict[str, Any]] = {}
        for path in dirs:
            header = _read_header(path)
            if header is None or header.get("strategy") != spec.plan.name:
                continue
            if sorted(header.get("symbols") or []) != sorted(spec.plan.symbols):
                continue
            if spec.plan.interval and header.get("interval") not in (None, spec.plan.interval):
                continue
            found[str(header.get("id", path.name))] = header
        if not found:
            return None
        newest = max(found.values(), key=lambda h: (str(h.get("created", "")), str(h.get("id", ""))))
        return sweep_evidence(newest)

    # -- live -----------------------------------------------------------------------------------
    def live(self, strategy: str, since_ms: int, until_ms: int) -> LiveEvidence | None:
        spec = self.specs[strategy]
        plan = spec.plan
        base = self.capital(strategy)
        if base is None or base <= 0:  # no capital in force (no runtime, or the stage grants none)
            return None
        step = interval_ms(plan.interval)
        start = since_ms - since_ms % step
        if until_ms - start < 2 * step:
            return None
        instance = get_strategy_class(plan.name)(**spec.params)
        first = start - (instance.warmup() + 2) * step
        data = self.market(list(plan.symbols), plan.interval, first, until_ms)
        closes = data.close()
        fills = [
            f
            for f in self.ledger.executions.fills(spec.env, until=until_ms)
            if is_ours(f.order_link_id, strategy)
        ]
        equity = equity_curve(fills, closes, base, step)
        window = pd.Timestamp(start, unit="ms", tz="UTC")
        live_eq = equity[equity.index >= window].dropna()
        if len(live_eq) < 2:
            return None
        bt_eq = self._same_period(instance, data, float(live_eq.iloc[0]), spec, window)
        return live_evidence(
            live_eq,
            closed_trade_pnl(fills, since_ms=since_ms),
            plan.interval,
            backtest_equity=bt_eq,
            risk_denials=self._denials(spec.env, strategy, since_ms, until_ms),
        )

    def _same_period(
        self, instance: Any, data: MarketData, capital: float, spec: StrategySpec, window: pd.Timestamp
    ) -> pd.Series | None:
        from openalpha.backtest.config import BacktestConfig  # numba: imported where a backtest runs
        from openalpha.backtest.engine import run_backtest

        config = BacktestConfig(
            capital=capital, leverage=max(1.0, spec.plan.leverage), fee_tier=spec.fee_tier
        )
        try:
            equity = run_backtest(instance, data, config).equity
        except ValueError:  # not enough bars for the backtest: tracking unknown, never a pass
            return None
        return equity[equity.index >= window]

    def _denials(self, env: Environment, strategy: str, since_ms: int, until_ms: int) -> int:
        window = max(since_ms, until_ms - self.criteria.demotion.denial_window_days * DAY_MS)
        return sum(
            1
            for d in self.ledger.journal.decisions(env, strategy=strategy, since=window)
            if d.action is RiskAction.DENY and d.rule != RULE and d.ts <= until_ms
        )


__all__ = ["LedgerEvidence", "MarketSource", "StrategySpec", "sweep_evidence"]
