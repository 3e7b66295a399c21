"""Return statistics of an equity curve sampled once per bar.

Conventions (all documented, all tested):

* Crypto trades every day: a year is 365 days, so a bar of ``m`` minutes gives
  ``365 · 1440 / m`` periods per year (8,760 for hourly bars, 105,120 for 5-minute bars).
* Per-bar simple returns ``r_t = E_t / E_{t−1} − 1`` with ``E_{−1}`` = the initial capital.
* Sharpe = mean(r) / std(r, ddof=1) · √periods, risk-free rate 0 (USDT earns nothing here).
* Sortino = mean(r) / downside deviation · √periods, downside deviation = √mean(min(r, 0)²)
  over *all* bars (the usual target-0 definition).
* CAGR = (E_end / E_0)^(1/years) − 1 with years = bars · bar length / 365 days; −100 % when
  the account is wiped out.
"""

from __future__ import annotations

import math

import numpy as np

from openalpha.domain.intervals import interval_minutes

MINUTES_PER_YEAR = 365 * 24 * 60


def periods_per_year(interval: str | int) -> float:
    """Bars per 365-day year for a Bybit interval code (``"60"`` → 8760)."""
    return MINUTES_PER_YEAR / interval_minutes(interval)


def bar_returns(equity: np.ndarray, initial: float) -> np.ndarray:
    """Simple return of every bar, the first one against ``initial``."""
    eq = np.asarray(equity, dtype=np.float64)
    prev = np.concatenate(([initial], eq[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(prev > 0, eq / prev - 1.0, 0.0)
    return r


def total_return(equity: np.ndarray, initial: float) -> float:
    return float(equity[-1] / initial - 1.0) if len(equity) else 0.0


def cagr(equity: np.ndarray, initial: float, ppy: float) -> float:
    n = len(equity)
    if n == 0:
        return 0.0
    growth = equity[-1] / initial
    if growth <= 0:
        return -1.0
    years = n / ppy
    return float(math.exp(math.log(growth) / years) - 1.0)


def volatility(returns: np.ndarray, ppy: float) -> float:
    """Annualised standard deviation of the per-bar returns (ddof=1)."""
    if len(returns) < 2:
        return 0.0
    return float(np.std(returns, ddof=1) * math.sqrt(ppy))


def sharpe(returns: np.ndarray, ppy: float) -> float:
    if len(returns) < 2:
        return 0.0
    sd = float(np.std(returns, ddof=1))
    return float(np.mean(returns) / sd * math.sqrt(ppy)) if sd > 0 else 0.0


def sortino(returns: np.ndarray, ppy: float) -> float:
    if len(returns) == 0:
        return 0.0
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    return float(np.mean(returns) / downside * math.sqrt(ppy)) if downside > 0 else 0.0


__all__ = [
    "MINUTES_PER_YEAR",
    "bar_returns",
    "cagr",
    "periods_per_year",
    "sharpe",
    "sortino",
    "total_return",
    "volatility",
]
