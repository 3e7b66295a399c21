"""All the headline statistics of one equity curve (and its trades) in one dict."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from openalpha.domain.intervals import interval_minutes
from openalpha.metrics.drawdown import drawdown, max_drawdown_duration
from openalpha.metrics.returns import (
    bar_returns,
    cagr,
    periods_per_year,
    sharpe,
    sortino,
    total_return,
    volatility,
)
from openalpha.metrics.trades import expectancy, profit_factor, win_rate


def equity_metrics(equity: np.ndarray, initial: float, interval: str | int) -> dict[str, float]:
    """Return, risk and drawdown statistics of a per-bar equity curve starting from ``initial``.

    Computed in one compiled pass (:func:`~openalpha.metrics.curve_pass.curve_stats`); a
    curve with NaN or infinity goes through the numpy definitions instead."""
    eq = np.ascontiguousarray(equity, dtype=np.float64)
    ppy = periods_per_year(interval)
    # numba (~65 MB per process) only where a curve is summarised: importing the metrics package
    # (the live runtime's actors do) does not load it
    from openalpha.metrics.curve_pass import C_DD_BARS, C_FINITE, C_MIN_DD, curve_stats

    stats = curve_stats(eq, float(initial))
    growth = cagr(eq, initial, ppy)
    if stats[C_FINITE]:
        mdd, dd_bars = float(stats[C_MIN_DD]), int(stats[C_DD_BARS])
        risk = _risk_from_sums(len(eq), stats, ppy)
    else:
        r = bar_returns(eq, initial)
        dd = drawdown(eq, initial)
        mdd = float(dd.min()) if len(dd) else 0.0
        dd_bars = max_drawdown_duration(eq, initial, dd)
        risk = (volatility(r, ppy), sharpe(r, ppy), sortino(r, ppy))
    return {
        "total_return": total_return(eq, initial),
        "cagr": growth,
        "volatility": risk[0],
        "sharpe": risk[1],
        "sortino": risk[2],
        "calmar": growth / abs(mdd) if mdd < 0 else 0.0,
        "max_drawdown": mdd,
        "max_drawdown_bars": float(dd_bars),
        "max_drawdown_days": dd_bars * interval_minutes(interval) / 1440.0,
        "final_equity": float(eq[-1]) if len(eq) else float(initial),
        "bars": float(len(eq)),
        "years": len(eq) / ppy,
    }


def _risk_from_sums(n: int, stats: np.ndarray, ppy: float) -> tuple[float, float, float]:
    """Volatility, Sharpe and Sortino from :func:`curve_stats`' sums (the definitions of
    :mod:`openalpha.metrics.returns`: ddof=1, downside deviation over all bars)."""
    from openalpha.metrics.curve_pass import C_DOWN2, C_MEAN, C_SSD

    mean = float(stats[C_MEAN])
    sd = math.sqrt(stats[C_SSD] / (n - 1)) if n >= 2 else 0.0
    downside = math.sqrt(stats[C_DOWN2] / n) if n else 0.0
    root = math.sqrt(ppy)
    vol = sd * root if n >= 2 else 0.0
    shp = mean / sd * root if n >= 2 and sd > 0 else 0.0
    sor = mean / downside * root if downside > 0 else 0.0
    return vol, shp, sor


def trade_metrics(pnl: np.ndarray) -> dict[str, float]:
    """Win rate, profit factor, expectancy and counts from closed trades' net P&L."""
    p = np.asarray(pnl, dtype=np.float64)
    return {
        "trades": float(len(p)),
        "win_rate": win_rate(p),
        "profit_factor": profit_factor(p),
        "expectancy": expectancy(p),
        "best_trade": float(p.max()) if len(p) else 0.0,
        "worst_trade": float(p.min()) if len(p) else 0.0,
    }


def json_safe(metrics: dict[str, Any]) -> dict[str, Any]:
    """Metrics with ``inf``/``nan`` replaced by ``None`` (strict JSON has neither)."""
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            out[key] = json_safe(value)
        elif isinstance(value, float) and not math.isfinite(value):
            out[key] = None
        else:
            out[key] = value
    return out


__all__ = ["equity_metrics", "json_safe", "trade_metrics"]
