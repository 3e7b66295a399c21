"""The honesty report: verdicts both ways, the out-of-sample cut, one-line errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from openalpha.domain.market_data import MarketData
from openalpha.ml.errors import MLError
from openalpha.ml.report import honesty_report, verdict
from tests.unit.backtest.realdata import perp_1h


@dataclass
class _Result:
    metrics: dict[str, Any]
    benchmark: dict[str, Any] = field(default_factory=lambda: {"sharpe": 0.2, "total_return": 0.01})


class _Const:
    def __init__(self, value: float, warm: int = 100) -> None:
        self.value, self.warm = value, warm

    def warmup(self) -> int:
        return self.warm

    def targets(self, data: MarketData) -> pd.DataFrame:
        return pd.DataFrame({k: self.value for k in data.symbols}, index=data.index)


def _runner(seen: list[tuple[pd.DataFrame, MarketData]]):  # type: ignore[no-untyped-def]
    def run(targets: pd.DataFrame, data: MarketData) -> _Result:
        seen.append((targets, data))
        sharpe = float(targets.iloc[0, 0])  # the fake "backtest" scores a strategy by its target
        return _Result(metrics={"sharpe": sharpe, "total_return": sharpe / 10, "trades": 3.0, "ok": True})

    return run


def test_report_cuts_out_of_sample_and_says_when_the_model_loses(shared_data: Path) -> None:
    data = perp_1h(shared_data, start="2024-01-01", end="2024-01-20")
    seen: list[tuple[pd.DataFrame, MarketData]] = []
    report = honesty_report(_Const(0.1), _Const(0.5), data, _runner(seen), name="demo")
    assert all(t.index[0] == data.index[100] and d.index[0] == data.index[100] for t, d in seen)
    assert report.bars == len(data.index) - 100
    assert not report.beats_baseline and not report.beats_buy_and_hold
    assert report.verdict.startswith("demo: the model does NOT beat its baseline")
    assert "switch it off" in report.verdict and report.verdict in report.text()
    assert "ok" not in report.model_metrics  # booleans are not metrics


def test_report_credits_a_model_that_wins(shared_data: Path) -> None:
    data = perp_1h(shared_data, start="2024-01-01", end="2024-01-20")
    start = data.index[50]
    report = honesty_report(_Const(0.9), _Const(0.5), data, _runner([]), oos_start=start)
    assert report.beats_baseline and report.beats_buy_and_hold
    assert "beats its baseline" in report.verdict and "NOT" not in report.verdict


def test_verdict_mentions_buy_and_hold_when_only_the_baseline_is_beaten() -> None:
    beats, beats_bh, text = verdict("x", "sharpe", 0.5, 0.1, 0.9)
    assert beats and not beats_bh and "but not buy-and-hold" in text


def test_report_errors_are_one_line(shared_data: Path) -> None:
    data = perp_1h(shared_data, start="2024-01-01", end="2024-01-03")
    with pytest.raises(MLError, match="nothing out of sample"):
        honesty_report(_Const(1.0, warm=5000), _Const(0.0), data, _runner([]))
    with pytest.raises(MLError, match="unknown metric 'calmar'"):
        honesty_report(_Const(1.0, warm=5), _Const(0.0), data, _runner([]), metric="calmar")
