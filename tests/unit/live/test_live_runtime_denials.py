"""The runtime's own denials (state unknown, strategy paused, stage gate) reach the risk-decision
record like the governor's, so the dashboard's and graduation's denial views see them."""

from __future__ import annotations

from openalpha.domain import Environment, RiskAction, RiskDecision, Signal, Stage
from openalpha.live.env_runtime import EnvRuntime
from openalpha.live.journal import MemoryJournal
from openalpha.risk.core import RiskRequest, RiskState
from tests.unit.live.one_strategy_runtime import one_strategy_runtime


def _runtime(journal: MemoryJournal, governed: list[RiskRequest], stage: Stage = Stage.PAPER) -> EnvRuntime:
    def evaluate(request: RiskRequest, _state: RiskState) -> RiskDecision:
        governed.append(request)
        return RiskDecision(action=RiskAction.DENY, rule="max_order_notional", reason="too big",
                            strategy=request.strategy, symbol=request.symbol, ts=request.ts,
                            requested=request.target, approved=0.0)  # fmt: skip

    rt = one_strategy_runtime(journal, evaluate, stage)
    rt.prices["BTCUSDT"] = 60_000.0
    return rt


def _signal(ts: int) -> Signal:
    return Signal(strategy="s1", symbol="BTCUSDT", ts=ts, target=0.5)


def test_runtime_denials_are_recorded_as_risk_decisions() -> None:
    journal, governed = MemoryJournal(), []
    rt = _runtime(journal, governed)
    rt.unknown.add("BTCUSDT")
    rt.apply_signal(_signal(1))
    rt.unknown.clear()
    rt.paused.add("s1")
    rt.apply_signal(_signal(2))
    rt.paused.clear()
    rt.apply_signal(_signal(3))  # the governor's decision: it records that one itself
    assert governed and [d.ts for d in governed] == [3]
    recorded = [(env, d.ts, d.rule, d.action, d.reason) for env, d in journal.decisions]
    assert recorded == [
        (Environment.PAPER, 1, "runtime", RiskAction.DENY, "state unknown: paused until reconciled"),
        (Environment.PAPER, 2, "runtime", RiskAction.DENY, "strategy paused"),
    ]


def test_stage_gate_denials_are_recorded_every_time() -> None:
    journal, governed = MemoryJournal(), []
    rt = _runtime(journal, governed, stage=Stage.BACKTEST)
    rt.apply_signal(_signal(1))
    rt.apply_signal(_signal(2))
    assert not governed
    assert [(d.ts, d.rule) for _, d in journal.decisions] == [(1, "graduation"), (2, "graduation")]
    assert len([e for e in journal.events if e.kind == "graduation.order_denied"]) == 1  # audit: once
