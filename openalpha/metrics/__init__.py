"""Pure performance statistics on equity curves and trades (floor 2).

Shared by backtests, sweeps, graduation and the dashboard. A year is 365 days (crypto
trades every day); see :mod:`openalpha.metrics.returns` for the exact definitions.
"""

from openalpha.metrics.drawdown import drawdown, max_drawdown, max_drawdown_duration
from openalpha.metrics.returns import (
    MINUTES_PER_YEAR,
    bar_returns,
    cagr,
    periods_per_year,
    sharpe,
    sortino,
    total_return,
    volatility,
)
from openalpha.metrics.summary import equity_metrics, json_safe, trade_metrics
from openalpha.metrics.trades import expectancy, profit_factor, win_rate

__all__ = [
    "MINUTES_PER_YEAR",
    "bar_returns",
    "cagr",
    "drawdown",
    "equity_metrics",
    "expectancy",
    "json_safe",
    "max_drawdown",
    "max_drawdown_duration",
    "periods_per_year",
    "profit_factor",
    "sharpe",
    "sortino",
    "total_return",
    "trade_metrics",
    "volatility",
    "win_rate",
]
