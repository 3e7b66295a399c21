"""The stage gate inside ``EnvRuntime.apply_signal``: no order reaches an environment above the
strategy's stage, whatever the governor would say; stage allocations cap the sizing capital."""

from __future__ import annotations

from decimal import Decimal

from openalpha.domain import (
    Category,
    Environment,
    Instrument,
    RiskAction,
    RiskDecision,
    Signal,
    Stage,
)
from openalpha.live.env_runtime import EnvRuntime, StrategyPlan
from openalpha.live.journal import MemoryJournal
from openalpha.risk.core import RiskRequest, RiskState, allow
from tests.unit.live.scripted_exchange import ScriptedExchange

SID = "sma_cross.BTCUSDT"
BTC = Instrument(
    symbol="BTCUSDT",
    category=Category.LINEAR,
    base_coin="BTC",
    quote_coin="USDT",
    tick_size=Decimal("0.1"),
    qty_step=Decimal("0.001"),
    min_qty=Decimal("0.001"),
    max_qty=Decimal("100"),
    min_notional=Decimal("5"),
    max_leverage=Decimal("100"),
)


class Governor:
    """Allows everything and counts calls: the gate must act before it is even asked."""

    def __init__(self) -> None:
        self.calls: list[RiskRequest] = []

    def __call__(self, request: RiskRequest, state: RiskState) -> RiskDecision:
        self.calls.append(request)
        return allow("test", request)


def runtime(
    env: Environment, stages: dict[str, Stage] | None
) -> tuple[EnvRuntime, Governor, ScriptedExchange]:
    exchange = ScriptedExchange()
    governor = Governor()
    plan = StrategyPlan(
        strategy_id=SID, name="sma_cross", symbols=["BTCUSDT"], interval="5", capital_fraction=0.3
    )
    rt = EnvRuntime(env, exchange, MemoryJournal(), governor, [plan], clock=lambda: 1_000, stages=stages)  # type: ignore[arg-type]
    rt.instruments["BTCUSDT"] = BTC
    rt.base_equity = 10_000.0
    rt.prices["BTCUSDT"] = 50_000.0
    return rt, governor, exchange


def signal(target: float, ts: int = 300_000) -> Signal:
    return Signal(strategy=SID, symbol="BTCUSDT", ts=ts, target=target)


def test_backtest_stage_is_denied_with_rule_graduation_and_no_order() -> None:
    rt, governor, exchange = runtime(Environment.PAPER, {SID: Stage.BACKTEST})
    decision, outcome = rt.apply_signal(signal(0.5))
    assert decision.action is RiskAction.DENY and decision.rule == "graduation"
    assert "backtest" in decision.reason and "paper" in decision.reason
    assert outcome is None and exchange.placed == [] and governor.calls == []
    assert rt.decisions[-1] == decision


def test_denials_are_audited_when_the_request_changes_not_every_bar() -> None:
    rt, _, _ = runtime(Environment.PAPER, {SID: Stage.HALTED})
    journal = rt.journal
    assert isinstance(journal, MemoryJournal)
    for ts in (300_000, 600_000, 900_000):
        rt.apply_signal(signal(0.5, ts))
    rt.apply_signal(signal(-0.5, 1_200_000))
    events = [e for e in journal.events if e.kind == "graduation.order_denied"]
    assert [e.data["requested"] for e in events] == [0.5, -0.5]
    assert events[0].data["strategy"] == SID and events[0].env is Environment.PAPER


def test_paper_stage_trades_paper_and_the_order_reaches_the_exchange() -> None:
    rt, governor, exchange = runtime(Environment.PAPER, {SID: Stage.PAPER})
    decision, outcome = rt.apply_signal(signal(0.5))
    assert decision.allowed and len(governor.calls) == 1
    assert outcome is not None and outcome.order is not None and len(exchange.placed) == 1


def test_stage_below_the_environment_is_denied_and_promotion_opens_it() -> None:
    rt, governor, exchange = runtime(Environment.TESTNET, {SID: Stage.PAPER})
    assert rt.apply_signal(signal(0.5))[0].rule == "graduation"
    rt.set_stage(SID, Stage.TESTNET, 1_000.0)
    decision, outcome = rt.apply_signal(signal(0.5, 600_000))
    assert decision.allowed and outcome is not None and outcome.order is not None
    rt.set_stage(SID, Stage.PAPER, 10_000.0)  # demoted: testnet closed again
    assert rt.apply_signal(signal(0.2, 900_000))[0].rule == "graduation"
    assert len(exchange.placed) == 1 and len(governor.calls) == 1


def test_mainnet_needs_the_mainnet_stage() -> None:
    rt, _, exchange = runtime(Environment.MAINNET, {SID: Stage.TESTNET})
    assert rt.apply_signal(signal(0.5))[0].rule == "graduation" and exchange.placed == []


def test_unknown_stage_is_denied_and_no_book_means_paper_only() -> None:
    rt, _, _ = runtime(Environment.PAPER, {})
    assert "unknown" in rt.apply_signal(signal(0.5))[0].reason
    rt, _, _ = runtime(Environment.TESTNET, None)
    assert rt.apply_signal(signal(0.5))[0].rule == "graduation"
    rt, governor, _ = runtime(Environment.PAPER, None)
    assert rt.apply_signal(signal(0.5))[0].allowed and governor.calls


def test_stage_allocation_caps_the_sizing_capital() -> None:
    rt, _, _ = runtime(Environment.PAPER, {SID: Stage.PAPER})
    assert rt.strategy_capital(SID) == 3_000.0  # 30 % of 10 000, no allocation
    assert rt.set_stage(SID, Stage.TESTNET, 1_000.0) == 1_000.0
    assert rt.set_stage(SID, Stage.TESTNET, 50_000.0) == 3_000.0  # never above the account share
    rt.set_stage(SID, Stage.TESTNET, 1_000.0)
    _, outcome = rt.apply_signal(signal(1.0))
    assert outcome is not None and outcome.order is not None
    assert outcome.order.qty == Decimal("0.02")  # 1 000 USDT at 50 000 = 0.02 BTC, not 0.06
    assert rt.set_stage("other", Stage.MAINNET, 1.0) is None


def test_a_smaller_allocation_is_not_a_drawdown() -> None:
    rt, _, _ = runtime(Environment.PAPER, {SID: Stage.PAPER})
    rt.apply_signal(signal(0.0))  # the governor's state records the strategy's peak (3 000)
    assert rt.tracker.strategy_peak[SID] == 3_000.0
    rt.set_stage(SID, Stage.TESTNET, 1_000.0)
    assert SID not in rt.tracker.strategy_peak  # next peak starts from the new base
    rt.apply_signal(signal(0.0, 600_000))
    assert rt.tracker.strategy_peak[SID] == 1_000.0
