"""CSCV probability of backtest overfitting on noise, on a real edge and on a hand-made case."""

from __future__ import annotations

import numpy as np
import pytest

from openalpha.research.pbo import probability_of_backtest_overfitting, split_masks


def test_pure_noise_strategies_overfit_about_half_the_time() -> None:
    values = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        returns = rng.normal(0.0, 0.01, size=(1000, 40))
        values.append(probability_of_backtest_overfitting(returns, n_blocks=10).pbo)
    assert 0.35 < float(np.mean(values)) < 0.65


def test_a_strategy_with_a_real_edge_is_not_overfit() -> None:
    rng = np.random.default_rng(7)
    returns = rng.normal(0.0, 0.01, size=(1000, 40))
    returns[:, 3] += 0.004  # per-period Sharpe ≈ 0.4: found in-sample and holds out-of-sample
    result = probability_of_backtest_overfitting(returns, n_blocks=10)
    assert result.pbo < 0.05
    assert result.prob_oos_loss < 0.05


def test_hand_computed_two_configs() -> None:
    # Four blocks of two periods. Config 0 wins blocks 0,1; config 1 wins blocks 2,3. Whenever
    # in-sample is {0,1} the choice is config 0 and it loses out-of-sample (and vice versa);
    # for the four mixed splits the two configs tie in- and out-of-sample... so make them differ:
    a = np.array([0.02, 0.01, 0.02, 0.01, -0.01, 0.0, -0.01, 0.0])
    b = np.array([-0.01, 0.0, -0.01, 0.0, 0.02, 0.01, 0.02, 0.01])
    result = probability_of_backtest_overfitting(np.column_stack([a, b]), n_blocks=4)
    # every split with IS = {one of a's blocks, one of b's blocks} has equal Sharpe in both
    # halves: argmax picks config 0 and ranks tie at 1.5/3 = 0.5 -> logit 0 -> counted.
    # IS = {0,1}: pick a, OOS a is worst -> w = 1/3 (overfit); IS = {2,3}: pick b, worst -> overfit.
    assert result.n_splits == 6
    assert result.pbo == pytest.approx(1.0)


def test_split_masks_are_all_half_combinations() -> None:
    masks = split_masks(6)
    assert masks.shape == (20, 6)
    assert (masks.sum(axis=1) == 3).all()
    assert len({tuple(m) for m in masks}) == 20


@pytest.mark.parametrize(
    ("shape", "blocks", "message"),
    [((100,), 4, "2-D"), ((100, 1), 4, "at least 2"), ((100, 3), 5, "even"), ((10, 3), 8, "too few")],
)
def test_bad_input_is_rejected(shape: tuple[int, ...], blocks: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        probability_of_backtest_overfitting(np.zeros(shape), n_blocks=blocks)


def test_nan_is_rejected() -> None:
    data = np.zeros((40, 3))
    data[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        probability_of_backtest_overfitting(data, n_blocks=4)
