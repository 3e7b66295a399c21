"""The stage machine and criteria: every move justified, mainnet only with a human approval."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pytest

from openalpha.config import ConfigError
from openalpha.domain import Environment, Stage
from openalpha.graduation.criteria import GraduationCriteria, load_criteria
from openalpha.graduation.evaluate import (
    BacktestEvidence,
    LiveEvidence,
    allocation,
    assess_demotion,
    assess_promotion,
    live_evidence,
    tracking_error,
)
from openalpha.graduation.stages import IllegalStageChange, may_trade, next_stage, transition

CRIT = GraduationCriteria()
GOOD_LIVE = LiveEvidence(
    days=20,
    trades=40,
    total_return=0.04,
    sharpe=1.4,
    max_drawdown=0.05,
    win_rate=0.5,
    profit_factor=1.5,
    tracking_error=0.01,
)


def test_promotion_path_and_environments() -> None:
    assert [next_stage(s) for s in (Stage.BACKTEST, Stage.PAPER, Stage.TESTNET, Stage.MAINNET)] == [
        Stage.PAPER,
        Stage.TESTNET,
        Stage.MAINNET,
        None,
    ]
    assert not may_trade(Stage.BACKTEST, Environment.PAPER)
    assert may_trade(Stage.PAPER, Environment.PAPER) and not may_trade(Stage.PAPER, Environment.TESTNET)
    assert may_trade(Stage.TESTNET, Environment.TESTNET) and not may_trade(Stage.TESTNET, Environment.MAINNET)
    assert may_trade(Stage.MAINNET, Environment.MAINNET)
    assert not any(may_trade(Stage.HALTED, e) for e in Environment)


def test_transitions_carry_evidence_and_refuse_shortcuts() -> None:
    move = transition(
        "mr",
        Stage.BACKTEST,
        Stage.PAPER,
        ts=1,
        actor="supervisor",
        reason="verdict pass",
        evidence={"pbo": 0.2},
    )
    assert move.is_promotion and move.evidence == {"pbo": 0.2}
    with pytest.raises(IllegalStageChange, match="not allowed"):
        transition("mr", Stage.BACKTEST, Stage.MAINNET, ts=1, actor="x", reason="")
    with pytest.raises(IllegalStageChange, match="not allowed"):
        transition("mr", Stage.RETIRED, Stage.PAPER, ts=1, actor="x", reason="")


def test_mainnet_needs_approval_and_capital() -> None:
    with pytest.raises(IllegalStageChange, match="human approval"):
        transition("mr", Stage.TESTNET, Stage.MAINNET, ts=1, actor="supervisor", reason="criteria met")
    with pytest.raises(IllegalStageChange, match="capital"):
        transition("mr", Stage.TESTNET, Stage.MAINNET, ts=1, actor="x", reason="", approved_by="admin")
    move = transition(
        "mr", Stage.TESTNET, Stage.MAINNET, ts=1, actor="x", reason="ok", approved_by="admin", capital=100.0
    )
    assert move.actor == "admin" and move.capital == 100.0


def test_backtest_gate() -> None:
    passing = BacktestEvidence(
        run_id="r1", verdict_passed=True, pbo=0.2, dsr=0.97, oos_trades=60, max_drawdown=0.2
    )
    assert assess_promotion("mr", Stage.BACKTEST, CRIT, backtest=passing).ready
    overfit = BacktestEvidence(
        run_id="r2", verdict_passed=True, pbo=0.7, dsr=0.97, oos_trades=60, max_drawdown=0.2
    )
    out = assess_promotion("mr", Stage.BACKTEST, CRIT, backtest=overfit)
    assert not out.ready and out.failures() == ["pbo"]
    missing = assess_promotion("mr", Stage.BACKTEST, CRIT, backtest=None)
    assert not missing.ready and "verdict" in missing.failures()


def test_live_gate_and_mainnet_needs_approval() -> None:
    out = assess_promotion("mr", Stage.TESTNET, CRIT, live=GOOD_LIVE)
    assert out.ready and out.needs_approval and out.target is Stage.MAINNET
    young = assess_promotion(
        "mr",
        Stage.PAPER,
        CRIT,
        live=LiveEvidence(
            days=3,
            trades=40,
            total_return=0.1,
            sharpe=2,
            max_drawdown=0.01,
            win_rate=0.6,
            profit_factor=2,
            tracking_error=0.0,
        ),
    )
    assert young.failures() == ["days"]
    untracked = assess_promotion(
        "mr", Stage.PAPER, CRIT, live=msgspec.structs.replace(GOOD_LIVE, tracking_error=0.2)
    )
    assert untracked.failures() == ["tracking_error"]
    assert {c.name: round(c.progress, 2) for c in young.checks}["days"] == round(3 / 14, 2)


def test_demotion_rules() -> None:
    assert assess_demotion(Stage.TESTNET, CRIT, GOOD_LIVE) is None
    bad = LiveEvidence(days=20, trades=40, total_return=-0.2, max_drawdown=0.25, risk_denials=12)
    target, reasons = assess_demotion(Stage.MAINNET, CRIT, bad, mc_return_p5=-0.1)  # type: ignore[misc]
    assert target is Stage.PAPER and len(reasons) == 3
    assert assess_demotion(Stage.PAPER, CRIT, bad)[0] is Stage.HALTED  # type: ignore[index]
    assert assess_demotion(Stage.HALTED, CRIT, bad) is None


def test_tracking_error_on_real_prices(shared_data: Path) -> None:
    raw = pd.read_feather(shared_data / "Dkotl_trade_bot/bybit/futures/BTC_USDT_USDT-4h-futures.feather")
    close = pd.Series(raw["close"].to_numpy(), index=pd.DatetimeIndex(raw["date"]))
    backtest = 10_000 * close / close.iloc[0]
    assert tracking_error(backtest.iloc[100:], backtest) == pytest.approx(0.0, abs=1e-12)
    drag = backtest * np.power(1 - 0.0005, np.arange(len(backtest)))  # live paid more costs
    err = tracking_error(drag, backtest)
    assert err is not None and 0.01 < err < 1
    ev = live_evidence(drag.iloc[:200], np.array([10.0, -5.0, 7.0]), "240", backtest_equity=backtest)
    assert ev.trades == 3 and ev.win_rate == pytest.approx(2 / 3) and ev.days == pytest.approx(199 * 4 / 24)
    assert ev.tracking_error is not None and ev.tracking_error > 0


def test_allocation_grows_with_evidence_and_is_capped() -> None:
    assert allocation(Stage.TESTNET, CRIT, 100) == 1_000.0
    assert allocation(Stage.MAINNET, CRIT, 0) == 100.0
    assert allocation(Stage.MAINNET, CRIT, 28) == 400.0
    assert allocation(Stage.MAINNET, CRIT, 10_000) == 3_000.0
    assert allocation(Stage.HALTED, CRIT, 10) == 0.0


def test_criteria_file_errors_are_one_line(tmp_path: Path) -> None:
    good = tmp_path / "g.toml"
    good.write_text("[paper]\nmin_days = 7\n")
    assert load_criteria(good).paper.min_days == 7
    bad = tmp_path / "b.toml"
    bad.write_text('[backtest]\nmax_pbo = "low"\n')
    with pytest.raises(ConfigError, match=r'backtest\.max_pbo: expected float in \(0, 1\], got "low"'):
        load_criteria(bad)


def test_shipped_criteria_file_matches_the_defaults() -> None:
    shipped = Path(__file__).resolve().parents[3] / "configs" / "graduation.toml"
    assert load_criteria(shipped) == GraduationCriteria()
