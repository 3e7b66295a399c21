"""Metrics: annualisation for crypto (365 days), Sharpe/Sortino/CAGR/drawdown by hand, trade stats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openalpha.metrics import (
    bar_returns,
    cagr,
    drawdown,
    equity_metrics,
    expectancy,
    json_safe,
    max_drawdown,
    max_drawdown_duration,
    periods_per_year,
    profit_factor,
    sharpe,
    sortino,
    trade_metrics,
    volatility,
    win_rate,
)


def test_periods_per_year_uses_365_days() -> None:
    assert periods_per_year("60") == 8760
    assert periods_per_year("5") == 105_120
    assert periods_per_year("D") == 365
    assert periods_per_year("15") == 35_040


def test_bar_returns_start_from_initial_capital() -> None:
    np.testing.assert_allclose(bar_returns(np.array([110.0, 99.0]), 100.0), [0.1, -0.1])


def test_sharpe_sortino_volatility_by_hand() -> None:
    r = np.array([0.01, -0.02, 0.03, 0.0])
    mean = 0.005
    sd = math.sqrt(sum((x - mean) ** 2 for x in r) / 3)
    assert sharpe(r, 365) == pytest.approx(mean / sd * math.sqrt(365))
    assert volatility(r, 365) == pytest.approx(sd * math.sqrt(365))
    downside = math.sqrt((0.02**2) / 4)
    assert sortino(r, 365) == pytest.approx(mean / downside * math.sqrt(365))
    assert sharpe(np.zeros(10), 365) == 0.0 and sortino(np.ones(3) * 0.01, 365) == 0.0


def test_cagr_doubling_in_one_year_of_daily_bars() -> None:
    equity = np.linspace(100.5, 200.0, 365)
    assert cagr(equity, 100.0, periods_per_year("D")) == pytest.approx(1.0)
    assert cagr(np.array([50.0, 0.0]), 100.0, 365) == -1.0


def test_drawdown_depth_and_duration() -> None:
    eq = np.array([100.0, 120.0, 90.0, 95.0, 130.0, 80.0, 85.0])
    np.testing.assert_allclose(
        drawdown(eq, 100.0), [0, 0, -0.25, 95 / 120 - 1, 0, 80 / 130 - 1, 85 / 130 - 1]
    )
    assert max_drawdown(eq, 100.0) == pytest.approx(80 / 130 - 1)
    assert max_drawdown_duration(eq, 100.0) == 2
    assert max_drawdown_duration(np.array([100.0, 101.0]), 100.0) == 0
    assert max_drawdown(np.array([90.0, 95.0]), 100.0) == pytest.approx(-0.1)  # below the start counts


def test_trade_statistics() -> None:
    pnl = np.array([10.0, -5.0, 20.0, -5.0])
    assert win_rate(pnl) == 0.5
    assert profit_factor(pnl) == 3.0
    assert expectancy(pnl) == 5.0
    assert profit_factor(np.array([1.0])) == math.inf and profit_factor(np.zeros(0)) == 0.0
    stats = trade_metrics(pnl)
    assert stats["trades"] == 4 and stats["best_trade"] == 20 and stats["worst_trade"] == -5


def test_equity_metrics_consistency_and_json_safety() -> None:
    rng = np.random.default_rng(0)  # property check on a synthetic path
    eq = 1000.0 * np.cumprod(1 + rng.normal(0.0002, 0.01, 2000))
    m = equity_metrics(eq, 1000.0, "60")
    assert m["total_return"] == pytest.approx(eq[-1] / 1000 - 1)
    assert m["calmar"] == pytest.approx(m["cagr"] / abs(m["max_drawdown"]))
    assert m["years"] == pytest.approx(2000 / 8760)
    assert m["max_drawdown_days"] == pytest.approx(m["max_drawdown_bars"] / 24)
    assert json_safe({"pf": math.inf, "x": 1.0, "nested": {"n": math.nan}}) == {
        "pf": None,
        "x": 1.0,
        "nested": {"n": None},
    }
