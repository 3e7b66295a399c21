"""``StageSupervisor`` on an in-memory book: start rule, automatic promotion up to testnet,
approval for mainnet, demotion on degradation, human moves — every change with evidence."""

from __future__ import annotations

import msgspec
import pytest

from openalpha.domain import Environment, Stage
from openalpha.graduation import BacktestEvidence, GraduationCriteria, IllegalStageChange, LiveEvidence
from openalpha.graduation.memory_book import MemoryStageBook
from openalpha.graduation.supervisor import DAY_MS, StageSupervisor

A, B = "sma_cross.BTCUSDT", "mean_reversion.ETHUSDT"
PASSING_SWEEP = BacktestEvidence(
    run_id="20260101-sweep-sma", verdict_passed=True, pbo=0.2, dsr=0.97, oos_trades=40, max_drawdown=0.1,
    mc_return_p5=-0.08,
)  # fmt: skip
GOOD = LiveEvidence(
    days=20, trades=40, total_return=0.04, sharpe=1.4, max_drawdown=0.05, win_rate=0.5, profit_factor=1.5,
    tracking_error=0.01,
)  # fmt: skip


class Evidence:
    def __init__(self) -> None:
        self.bt: dict[str, BacktestEvidence] = {}
        self.lv: dict[str, LiveEvidence] = {}
        self.asked: list[tuple[str, int, int]] = []

    def backtest(self, strategy: str) -> BacktestEvidence | None:
        return self.bt.get(strategy)

    def live(self, strategy: str, since_ms: int, until_ms: int) -> LiveEvidence | None:
        self.asked.append((strategy, since_ms, until_ms))
        return self.lv.get(strategy)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000_000

    def __call__(self, env: Environment) -> int:
        return self.now


def make(
    envs: dict[str, Environment] | None = None,
) -> tuple[StageSupervisor, MemoryStageBook, Evidence, Clock]:
    book, ev, clock = MemoryStageBook(), Evidence(), Clock()
    sup = StageSupervisor(book, ev, GraduationCriteria(), envs or {A: Environment.PAPER}, clock)
    return sup, book, ev, clock


def test_start_rule_paper_only_when_configured_for_paper_and_recorded_once() -> None:
    sup, book, _, _ = make({A: Environment.PAPER, B: Environment.TESTNET})
    assert sup.load() == {A: Stage.PAPER, B: Stage.BACKTEST}
    assert [(r.from_stage, r.to_stage, r.kind) for r in book.records] == [
        (None, Stage.PAPER, "initial"),
        (None, Stage.BACKTEST, "initial"),
    ]
    assert sup.load() == {A: Stage.PAPER, B: Stage.BACKTEST} and len(book.records) == 2


def test_passing_sweep_promotes_backtest_to_paper_with_its_evidence() -> None:
    sup, book, ev, _ = make({B: Environment.TESTNET})
    sup.load()
    assert sup.step() == []  # no sweep recorded: stays in backtest
    assert sup.reviews[B].assessment.failures() == ["verdict", "pbo", "dsr", "oos_trades", "max_drawdown"]
    ev.bt[B] = PASSING_SWEEP
    (change,) = sup.step()
    assert (change.from_stage, change.to_stage, change.kind) == (Stage.BACKTEST, Stage.PAPER, "promoted")
    assert change.evidence["pbo"] == 0.2 and change.evidence["pbo.threshold"] == 0.5
    assert (
        change.evidence["backtest.run_id"] == PASSING_SWEEP.run_id and PASSING_SWEEP.run_id in change.reason
    )
    assert change.capital == GraduationCriteria().allocation.paper
    assert book.records[-1] == change and sup.stage(B) is Stage.PAPER


def test_failing_verdict_keeps_backtest() -> None:
    sup, _, ev, _ = make({B: Environment.TESTNET})
    sup.load()
    ev.bt[B] = BacktestEvidence(
        run_id="r", verdict_passed=False, pbo=0.2, dsr=0.97, oos_trades=40, max_drawdown=0.1
    )
    assert sup.step() == [] and sup.stage(B) is Stage.BACKTEST


def test_paper_to_testnet_on_live_evidence_measured_since_the_stage_began() -> None:
    sup, book, ev, clock = make()
    sup.load()
    entered = book.records[-1].ts
    ev.lv[A] = LiveEvidence(days=3, trades=5, total_return=0.01, sharpe=1.0, max_drawdown=0.02,
                            win_rate=0.6, profit_factor=1.4, tracking_error=0.01)  # fmt: skip
    clock.now += 3 * DAY_MS
    assert sup.step() == []
    assert set(sup.reviews[A].assessment.failures()) == {"days", "trades"}
    assert ev.asked[-1] == (A, entered, clock.now)
    ev.lv[A] = GOOD
    (change,) = sup.step()
    assert (change.to_stage, change.capital) == (Stage.TESTNET, GraduationCriteria().allocation.testnet)
    assert change.evidence["live.trades"] == 40 and change.evidence["tracking_error"] == 0.01


def test_tracking_error_blocks_promotion() -> None:
    sup, _, ev, _ = make()
    sup.load()
    ev.lv[A] = msgspec.structs.replace(GOOD, tracking_error=0.03)
    assert sup.step() == [] and sup.reviews[A].assessment.failures() == ["tracking_error"]


def test_mainnet_needs_a_request_then_a_human_with_capital() -> None:
    sup, book, ev, clock = make()
    sup.load()
    ev.lv[A] = GOOD
    sup.step()  # paper -> testnet
    with pytest.raises(IllegalStageChange, match="no pending approval"):
        sup.approve(A, user="alice", capital=100)
    clock.now += DAY_MS
    assert sup.step() == [] and sup.stage(A) is Stage.TESTNET  # never promoted to mainnet by itself
    assert len(book.requests) == 1 and sup.pending(A) is not None and sup.reviews[A].pending_approval
    sup.step()
    assert len(book.requests) == 1  # one request per stay at testnet
    with pytest.raises(IllegalStageChange, match="capital"):
        sup.approve(A, user="alice", capital=0)
    with pytest.raises(IllegalStageChange, match="mainnet_max"):
        sup.approve(A, user="alice", capital=1e9)
    change = sup.approve(A, user="alice", capital=250)
    assert (change.to_stage, change.actor, change.capital, change.kind) == (
        Stage.MAINNET,
        "alice",
        250,
        "approved",
    )
    assert change.evidence["approval_request_ts"] == book.requests[0].ts and "alice" in change.reason
    assert sup.capital(A) == 250
    clock.now += 14 * DAY_MS
    assert sup.capital(A) == 500  # grows by growth_step every growth_every_days


def test_approve_only_from_testnet_and_for_known_strategies() -> None:
    sup, _, _, _ = make()
    sup.load()
    with pytest.raises(IllegalStageChange, match="only a testnet strategy"):
        sup.approve(A, user="alice", capital=100)
    with pytest.raises(IllegalStageChange, match="unknown strategy"):
        sup.approve("nope", user="alice", capital=100)


@pytest.mark.parametrize(
    ("live", "mc_p5", "words"),
    [
        (LiveEvidence(days=2, trades=3, total_return=-0.12, max_drawdown=0.14), None, "drawdown"),
        (LiveEvidence(days=2, trades=3, total_return=-0.09, max_drawdown=0.05), -0.08, "Monte Carlo"),
        (
            LiveEvidence(days=2, trades=3, total_return=0.0, max_drawdown=0.01, tracking_error=0.09),
            None,
            "tracking",
        ),
        (
            LiveEvidence(days=2, trades=3, total_return=0.0, max_drawdown=0.01, risk_denials=12),
            None,
            "denials",
        ),
    ],
)
def test_degradation_demotes_testnet_to_paper_and_paper_to_halted(
    live: LiveEvidence, mc_p5: float | None, words: str
) -> None:
    sup, _, ev, clock = make()
    sup.load()
    ev.bt[A] = BacktestEvidence(run_id="r", verdict_passed=True, mc_return_p5=mc_p5)
    ev.lv[A] = GOOD
    sup.step()
    ev.lv[A] = live
    clock.now += DAY_MS
    (down,) = sup.step()
    assert (down.from_stage, down.to_stage, down.kind) == (Stage.TESTNET, Stage.PAPER, "demoted")
    assert words in down.reason and down.evidence["live.max_drawdown"] == live.max_drawdown
    clock.now += DAY_MS
    (halt,) = sup.step()
    assert (halt.from_stage, halt.to_stage) == (Stage.PAPER, Stage.HALTED)
    assert sup.step() == [] and sup.capital(A) == 0.0  # halted: nothing more happens by itself


def test_human_demotion_needs_a_reason_and_a_lower_stage() -> None:
    sup, _, _, _ = make({A: Environment.PAPER, B: Environment.TESTNET})
    sup.load()
    with pytest.raises(IllegalStageChange, match="reason"):
        sup.demote(A, to=Stage.HALTED, user="bob", reason="  ")
    with pytest.raises(IllegalStageChange, match="promotion"):
        sup.demote(B, to=Stage.PAPER, user="bob", reason="try it")
    with pytest.raises(IllegalStageChange, match="paper or halted"):
        sup.demote(A, to=Stage.MAINNET, user="bob", reason="x")
    change = sup.demote(A, to=Stage.HALTED, user="bob", reason="exchange incident")
    assert (change.actor, change.to_stage, change.reason) == ("bob", Stage.HALTED, "bob: exchange incident")
    with pytest.raises(IllegalStageChange, match="already"):
        sup.demote(A, to=Stage.HALTED, user="bob", reason="again")
    assert sup.demote(A, to=Stage.PAPER, user="bob", reason="resolved").to_stage is Stage.PAPER


def test_live_evidence_drawdown_is_a_positive_fraction_and_demotes() -> None:
    import numpy as np
    import pandas as pd

    from openalpha.graduation import assess_demotion, live_evidence

    index = pd.date_range("2026-06-01", periods=5, freq="5min", tz="UTC")
    ev = live_evidence(pd.Series([100.0, 110.0, 88.0, 90.0, 95.0], index=index), np.array([-5.0]), "5")
    assert ev.max_drawdown == pytest.approx(0.2)
    verdict = assess_demotion(Stage.TESTNET, GraduationCriteria(), ev)
    assert verdict is not None and verdict[0] is Stage.PAPER and "drawdown 20.0%" in verdict[1][0]
