"""Deflated Sharpe ratio against the worked example of Bailey & López de Prado (2014) and by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from openalpha.research.dsr import (
    SharpeStats,
    deflated_sharpe,
    expected_max_sharpe,
    probabilistic_sharpe,
    sharpe_stats,
)


def test_paper_example() -> None:
    # "The Deflated Sharpe Ratio" (2014), §4: annualised SR 2.5 over 5 years of daily returns
    # (T = 1250), skew -3, kurtosis 10, N = 100 trials with annualised Sharpe variance 0.5.
    # The paper reports SR0 ≈ 1.79 annualised and DSR ≈ 0.9004.
    stats = SharpeStats(sharpe=2.5 / math.sqrt(250), n=1250, skew=-3.0, kurtosis=10.0)
    result = deflated_sharpe(stats, n_trials=100, sharpe_variance=0.5 / 250)
    assert result.expected_max_sharpe * math.sqrt(250) == pytest.approx(1.7894, abs=1e-3)
    assert result.dsr == pytest.approx(0.9004, abs=1e-3)


def test_psr_hand_computed_normal_case() -> None:
    # SR = 0.1, SR* = 0, T = 101, normal returns: z = 0.1 * 10 / sqrt(1 + 0.5 * 0.01)
    z = 0.1 * 10 / math.sqrt(1 + 0.5 * 0.01)
    assert probabilistic_sharpe(0.1, 0.0, 101) == pytest.approx(NormalDist().cdf(z), rel=1e-12)


def test_expected_max_sharpe_grows_with_trials_and_is_zero_for_one() -> None:
    assert expected_max_sharpe(1, 0.01) == 0.0
    values = [expected_max_sharpe(n, 0.01) for n in (2, 10, 100, 1000)]
    assert values == sorted(values) and values[0] > 0
    # sqrt(V) scaling
    assert expected_max_sharpe(50, 0.04) == pytest.approx(2 * expected_max_sharpe(50, 0.01))


def test_more_trials_deflate_more() -> None:
    stats = SharpeStats(sharpe=0.08, n=500, skew=0.0, kurtosis=3.0)
    few = deflated_sharpe(stats, n_trials=5, sharpe_variance=0.001).dsr
    many = deflated_sharpe(stats, n_trials=500, sharpe_variance=0.001).dsr
    assert many < few


def test_sharpe_stats_of_known_sample() -> None:
    r = np.array([0.01, -0.01, 0.02, 0.0, 0.03])
    stats = sharpe_stats(r)
    assert stats.sharpe == pytest.approx(r.mean() / r.std(ddof=1))
    assert stats.n == 5
    symmetric = sharpe_stats(np.array([-1.0, 0.0, 1.0] * 10))
    assert symmetric.skew == pytest.approx(0.0)
    assert symmetric.kurtosis == pytest.approx(1.5)  # three equally likely points: E[z^4] = 1.5


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        sharpe_stats([0.1, 0.2])
    with pytest.raises(ValueError):
        expected_max_sharpe(0, 0.1)
    with pytest.raises(ValueError):
        probabilistic_sharpe(0.5, 0.0, 100, skew=10.0, kurtosis=3.0)
