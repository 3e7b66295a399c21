"""Probabilistic and deflated Sharpe ratio (Bailey & López de Prado, 2012 and 2014).

All Sharpe ratios here are **per period** (not annualised): mean / standard deviation of the
returns the test is about (e.g. daily returns), with ``T`` observations.

* ``PSR(SR*) = Φ( (SR - SR*) · sqrt(T - 1) / sqrt(1 - γ3·SR + (γ4 - 1)/4 · SR²) )``: the
  probability that the true Sharpe exceeds ``SR*`` given skewness ``γ3`` and (non-excess)
  kurtosis ``γ4`` of the returns.
* Expected maximum Sharpe of ``N`` independent trials whose Sharpes have variance ``V`` when
  the true Sharpe is zero: ``SR0 = sqrt(V) · ((1 - γ)·Φ⁻¹(1 - 1/N) + γ·Φ⁻¹(1 - 1/(N·e)))``,
  γ = Euler–Mascheroni constant.
* ``DSR = PSR(SR0)``: the probability that the selected strategy's Sharpe is real after
  accounting for how many trials were run to find it.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import msgspec
import numpy as np
from numpy.typing import ArrayLike

EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()


class SharpeStats(msgspec.Struct, frozen=True, kw_only=True):
    sharpe: float  # per period
    n: int
    skew: float
    kurtosis: float  # non-excess: 3 for a normal distribution


class DeflatedSharpe(msgspec.Struct, frozen=True, kw_only=True):
    sharpe: float
    n_trials: int
    sharpe_variance: float
    expected_max_sharpe: float  # SR0, per period
    dsr: float


def sharpe_stats(returns: ArrayLike) -> SharpeStats:
    """Per-period Sharpe, sample size, skewness and kurtosis of ``returns`` (NaNs dropped)."""
    r = np.asarray(returns, dtype=float)
    r = r[np.isfinite(r)]
    if r.size < 3:
        raise ValueError(f"need at least 3 returns, got {r.size}")
    std = float(r.std(ddof=1))
    if std == 0.0:
        return SharpeStats(sharpe=0.0, n=int(r.size), skew=0.0, kurtosis=3.0)
    z = (r - r.mean()) / r.std(ddof=0)
    return SharpeStats(
        sharpe=float(r.mean() / std),
        n=int(r.size),
        skew=float(np.mean(z**3)),
        kurtosis=float(np.mean(z**4)),
    )


def probabilistic_sharpe(
    sharpe: float, benchmark: float, n: int, skew: float = 0.0, kurtosis: float = 3.0
) -> float:
    """PSR: probability that the true per-period Sharpe exceeds ``benchmark``."""
    if n < 2:
        raise ValueError("PSR needs at least 2 observations")
    denom = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe
    if denom <= 0.0:
        raise ValueError("skewness/kurtosis make the Sharpe ratio's variance non-positive")
    return _NORMAL.cdf((sharpe - benchmark) * math.sqrt(n - 1) / math.sqrt(denom))


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """SR0: the expected best per-period Sharpe among ``n_trials`` skill-less trials."""
    if n_trials < 1:
        raise ValueError("the number of trials must be >= 1")
    if sharpe_variance < 0:
        raise ValueError("the variance of the trials' Sharpe ratios must be >= 0")
    if n_trials == 1:
        return 0.0
    a = _NORMAL.inv_cdf(1.0 - 1.0 / n_trials)
    b = _NORMAL.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(sharpe_variance) * ((1.0 - EULER_GAMMA) * a + EULER_GAMMA * b)


def deflated_sharpe(stats: SharpeStats, n_trials: int, sharpe_variance: float) -> DeflatedSharpe:
    """DSR of a strategy chosen among ``n_trials`` whose per-period Sharpes have that variance."""
    sr0 = expected_max_sharpe(n_trials, sharpe_variance)
    return DeflatedSharpe(
        sharpe=stats.sharpe,
        n_trials=n_trials,
        sharpe_variance=sharpe_variance,
        expected_max_sharpe=sr0,
        dsr=probabilistic_sharpe(stats.sharpe, sr0, stats.n, stats.skew, stats.kurtosis),
    )


__all__ = [
    "DeflatedSharpe",
    "SharpeStats",
    "deflated_sharpe",
    "expected_max_sharpe",
    "probabilistic_sharpe",
    "sharpe_stats",
]
