"""Monte Carlo percentiles on inputs whose answers are known by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from openalpha.research.montecarlo import block_bootstrap, block_bootstrap_paths, max_drawdowns, trade_shuffle


def test_constant_returns_have_one_outcome() -> None:
    result = block_bootstrap(np.full(50, 0.01), n_sims=200, block=7)
    expected = 1.01**50 - 1
    assert all(v == pytest.approx(expected) for v in result.total_return.percentiles.values())
    assert result.max_drawdown.percentiles["p95"] == pytest.approx(0.0)
    assert result.prob_loss == 0.0


def test_max_drawdown_by_hand() -> None:
    paths = np.array([[0.1, -0.5, 0.2], [-0.1, -0.1, 0.5]])
    # path 1: 1.1, 0.55, 0.66 -> dd 0.5; path 2: 0.9, 0.81 -> dd 0.19 from the starting peak 1
    assert max_drawdowns(paths) == pytest.approx([0.5, 0.19])


def test_trade_shuffle_keeps_total_and_spans_the_possible_drawdowns() -> None:
    trades = [0.1, 0.1, -0.2]
    result = trade_shuffle(trades, n_sims=3000, seed=1)
    total = 1.1 * 1.1 * 0.8 - 1
    assert result.total_return.percentiles["p5"] == pytest.approx(total)
    assert result.total_return.percentiles["p95"] == pytest.approx(total)
    # every order loses exactly 20 % from its peak: enumerate them to be sure
    possible = sorted(float(max_drawdowns(np.array([p]))[0]) for p in itertools.permutations(trades))
    assert possible == pytest.approx([0.2] * 6)
    assert result.max_drawdown.percentiles["p5"] == pytest.approx(0.2)


def test_trade_shuffle_drawdown_distribution_matches_enumeration() -> None:
    trades = np.array([0.05, -0.1, 0.2, -0.15, 0.1])
    perms = np.array(list(itertools.permutations(trades)))
    exact = max_drawdowns(perms)
    result = trade_shuffle(trades, n_sims=20000, seed=3)
    assert result.max_drawdown.mean == pytest.approx(exact.mean(), rel=0.02)
    assert result.max_drawdown.percentiles["p95"] == pytest.approx(np.percentile(exact, 95), rel=0.05)


def test_bootstrap_with_block_one_matches_binomial() -> None:
    # returns of +10 % and -10 %, each half the time; with 4 periods the total return is
    # 1.1^k 0.9^(4-k) - 1 with k ~ Binomial(4, 1/2): median k = 2 -> 0.99^2 - 1
    result = block_bootstrap([0.1, -0.1], n_sims=20000, block=1, seed=5)
    assert result.length == 2
    longer = block_bootstrap([0.1, -0.1, 0.1, -0.1], n_sims=20000, block=1, seed=5)
    assert longer.total_return.percentiles["p50"] == pytest.approx(0.99**2 - 1)
    assert longer.prob_loss == pytest.approx(11 / 16, abs=0.02)  # k <= 2 loses: (1+4+6)/16


def test_blocks_keep_consecutive_returns_together() -> None:
    r = np.arange(1, 101) / 1000.0
    paths = block_bootstrap_paths(r, n_sims=50, block=10, rng=np.random.default_rng(0))
    assert paths.shape == (50, 100)
    diffs = np.round(np.diff(paths[:, :10], axis=1) * 1000)
    assert np.isin(diffs, [1, -99]).all()  # within a block: next return (or wrap around)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="no returns"):
        block_bootstrap([])
    with pytest.raises(ValueError, match="NaN"):
        block_bootstrap([0.1, float("nan")])
    with pytest.raises(ValueError, match="100 %"):
        trade_shuffle([0.1, -1.0])
