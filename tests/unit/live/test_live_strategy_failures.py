"""A strategy whose ``targets()`` raises live: no signal for that bar, the runtime keeps going,
and the failure reaches the status snapshot and ``openalpha status`` (never a silent stop)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from openalpha.domain import Environment, MarketData, Stage
from openalpha.live.snapshot import StrategySnapshot, failure_text
from openalpha.live.strategy_runner import StrategyRunner
from openalpha.strategies.sma_cross import SmaCross
from tests.unit.live.test_live_strategy_runner import _bar, _real_bars


class ReadsMark(SmaCross):
    """Reads the mark price on the bars where ``broken`` says so (live has none: KeyError)."""

    broken: ClassVar[set[pd.Timestamp]] = set()

    def targets(self, data: MarketData) -> pd.DataFrame:
        if data.index[-1] in self.broken:
            _ = data.mark["BTCUSDT"]
        return super().targets(data)


def test_a_failing_decision_sends_nothing_and_is_reported(
    shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bars = _real_bars(shared_data, "BTC")
    strategy = ReadsMark(fast=5, slow=20)
    start = 40
    steps = bars.index[start : start + 4]
    strategy.broken = {steps[1], steps[2]}
    runner = StrategyRunner(
        "mark-1",
        strategy,
        ["BTCUSDT"],
        "240",
        history=MarketData(interval="240", bars={"BTCUSDT": bars.iloc[:start]}),
    )
    assert runner.error_state() == {}
    assert len(runner.on_bar("BTCUSDT", _bar("BTCUSDT", steps[0], bars.loc[steps[0]]))) == 1
    with caplog.at_level(logging.ERROR, logger="openalpha.live.strategy_runner"):
        assert runner.on_bar("BTCUSDT", _bar("BTCUSDT", steps[1], bars.loc[steps[1]])) == []
    assert "mark-1: targets() failed" in caplog.text and "KeyError" in caplog.text  # traceback logged
    assert runner.on_bar("BTCUSDT", _bar("BTCUSDT", steps[1], bars.loc[steps[1]])) == []  # not retried
    assert runner.on_bar("BTCUSDT", _bar("BTCUSDT", steps[2], bars.loc[steps[2]])) == []
    ts2 = int(steps[2].value // 1_000_000)
    assert runner.error_state() == {"error": "KeyError: 'BTCUSDT'", "error_ts": ts2, "errors": 2}
    # recovers on the next good bar: the error clears, the count stays
    assert len(runner.on_bar("BTCUSDT", _bar("BTCUSDT", steps[3], bars.loc[steps[3]]))) == 1
    assert runner.error_state() == {"error": "", "error_ts": 0, "errors": 2}


def test_failure_text_for_status_and_dashboard() -> None:
    base = {
        "strategy_id": "mark-1",
        "name": "x",
        "env": Environment.PAPER,
        "symbols": ["BTCUSDT"],
        "stage": Stage.PAPER,
    }
    failing = StrategySnapshot(**base, error="KeyError: 'BTCUSDT'", error_ts=1_717_200_000_000, errors=3)
    assert failure_text(failing) == (
        "DECISION FAILED at the bar of 2024-06-01 00:00 UTC, no signal (3 since start): KeyError: 'BTCUSDT'"
    )
    recovered = StrategySnapshot(**base, errors=3)
    assert failure_text(recovered) == "3 decisions failed since start; the last one succeeded"
    assert failure_text(StrategySnapshot(**base)) == ""
