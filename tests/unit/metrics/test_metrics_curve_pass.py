"""The compiled one-pass curve statistics equal a straightforward pandas computation on real
curves: a real price path used as an equity curve, a real backtest's equity, a curve that
goes broke, and one with a NaN (which takes the numpy definitions)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.backtest import BacktestConfig, run_backtest
from openalpha.domain.market_data import MarketData
from openalpha.metrics import (
    bar_returns,
    equity_metrics,
    max_drawdown,
    max_drawdown_duration,
    periods_per_year,
    sharpe,
    sortino,
    volatility,
)
from openalpha.metrics.curve_pass import rows_nonzero_fraction
from openalpha.strategies import SmaCross
from tests.unit.backtest.realdata import perp_1h, perp_5m


def pandas_reference(equity: np.ndarray, initial: float, interval: str) -> dict[str, float]:
    eq = pd.Series(equity)
    prev = pd.concat([pd.Series([initial]), eq.iloc[:-1]], ignore_index=True)
    r = (eq / prev - 1.0).where(prev > 0, 0.0)
    ppy = periods_per_year(interval)
    peak = eq.cummax().clip(lower=initial)
    dd = (eq / peak - 1.0).where(peak > 0, -1.0)
    under = dd < 0
    runs = under.groupby((~under).cumsum()).sum()
    sd = r.std(ddof=1)
    downside = math.sqrt((r.clip(upper=0.0) ** 2).mean())
    return {
        "volatility": sd * math.sqrt(ppy),
        "sharpe": r.mean() / sd * math.sqrt(ppy) if sd > 0 else 0.0,
        "sortino": r.mean() / downside * math.sqrt(ppy) if downside > 0 else 0.0,
        "max_drawdown": float(dd.min()),
        "max_drawdown_bars": float(runs.max()),
        "total_return": float(eq.iloc[-1] / initial - 1.0),
    }


def assert_matches(equity: np.ndarray, initial: float, interval: str) -> dict[str, float]:
    got = equity_metrics(equity, initial, interval)
    want = pandas_reference(equity, initial, interval)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    return got


@pytest.fixture(scope="module")
def hourly(shared_data: Path) -> MarketData:
    return perp_1h(shared_data, end="2025-06-01")


def test_real_price_path_as_equity(shared_data: Path) -> None:
    close = perp_5m(shared_data).bars["BTCUSDT"]["close"].to_numpy(dtype=np.float64)
    got = assert_matches(close, float(close[0]) * 1.05, "5")  # starts below its first peak
    assert got["max_drawdown"] < -0.1 and got["max_drawdown_bars"] > 1000


def test_real_backtest_equity(hourly: MarketData) -> None:
    res = run_backtest(SmaCross(fast=10, slow=50, allow_short=True), hourly, BacktestConfig(leverage=3.0))
    assert_matches(res.equity.to_numpy(), 10_000.0, "60")
    held = res.positions.to_numpy()
    assert rows_nonzero_fraction(held) == pytest.approx(np.mean(np.any(held != 0.0, axis=1)), abs=0.0)
    assert 0.2 < res.metrics["exposure"] < 1.0


def test_curve_that_goes_broke(hourly: MarketData) -> None:
    close = hourly.bars["BTCUSDT"]["close"].to_numpy(dtype=np.float64)
    equity = 10_000.0 * (1.0 - 8.0 * (close / close[0] - 1.0))  # short at 8x: wiped out
    equity = np.maximum(equity, 0.0)
    equity[np.argmax(equity == 0.0) :] = 0.0
    assert (equity == 0.0).any()
    got = assert_matches(equity, 10_000.0, "60")
    assert got["max_drawdown"] == -1.0 and got["cagr"] == -1.0


def test_nan_curve_takes_the_numpy_definitions(hourly: MarketData) -> None:
    equity = hourly.bars["BTCUSDT"]["close"].to_numpy(dtype=np.float64).copy()
    equity[100] = np.nan
    got = equity_metrics(equity, float(equity[0]), "60")
    r = bar_returns(equity, float(equity[0]))
    assert got["max_drawdown"] == max_drawdown(equity, float(equity[0]))
    assert math.isnan(got["volatility"]) and math.isnan(volatility(r, 8760))
    assert got["sharpe"] == sharpe(r, 8760) and got["sortino"] == sortino(r, 8760)  # 0.0: NaN sd
    assert got["max_drawdown_bars"] == max_drawdown_duration(equity, float(equity[0]))


def test_flat_curve_has_no_risk() -> None:
    got = equity_metrics(np.full(500, 10_000.0), 10_000.0, "60")
    assert got["volatility"] == 0.0 and got["sharpe"] == 0.0 and got["sortino"] == 0.0
    assert got["max_drawdown"] == 0.0 and got["max_drawdown_bars"] == 0.0
