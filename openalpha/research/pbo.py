"""Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV).

Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting" (2015).
Input: a ``T x N`` matrix of per-period returns of ``N`` configurations over the same ``T``
periods. The rows are cut into ``S`` (even) contiguous blocks. For each of the ``C(S, S/2)``
ways to pick half of the blocks as the in-sample set (the rest out-of-sample):

1. the configuration with the best in-sample Sharpe ratio is selected;
2. its out-of-sample Sharpe is ranked among all ``N`` out-of-sample Sharpes, relative rank
   ``w = rank / (N + 1)`` (average rank for ties), and ``logit = ln(w / (1 - w))``.

PBO is the share of splits where the selected configuration ranks at or below the
out-of-sample median (``logit <= 0``). Pure noise gives about 0.5; a real edge gives about 0.
The in-sample/out-of-sample Sharpe pairs of the selected configuration also give the
probability of an out-of-sample loss and the slope of performance degradation.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import msgspec
import numpy as np
from numpy.typing import NDArray

MAX_SPLITS = 20_000


class PboResult(msgspec.Struct, frozen=True, kw_only=True):
    pbo: float
    n_splits: int
    n_configs: int
    n_blocks: int
    prob_oos_loss: float  # share of splits where the IS-best config has a negative OOS Sharpe
    degradation_slope: float  # OLS slope of OOS Sharpe on IS Sharpe of the selected config
    logits: list[float]


def _block_sums(returns: NDArray[np.float64], n_blocks: int) -> tuple[NDArray, NDArray, NDArray]:
    edges = np.linspace(0, returns.shape[0], n_blocks + 1).astype(int)
    sums = np.add.reduceat(returns, edges[:-1], axis=0)
    squares = np.add.reduceat(returns * returns, edges[:-1], axis=0)
    counts = np.diff(edges).astype(float)
    return sums, squares, counts


def _sharpe(sums: NDArray, squares: NDArray, counts: NDArray) -> NDArray[np.float64]:
    """Per-period Sharpe (mean / sample std) from aggregated sums; rows = splits, cols = configs."""
    n = counts[:, None]
    mean = sums / n
    var = (squares - n * mean * mean) / np.maximum(n - 1.0, 1.0)
    std = np.sqrt(np.clip(var, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(std > 0, mean / std, 0.0)
    return out


def _relative_rank(values: NDArray[np.float64], chosen: NDArray[np.int64]) -> NDArray[np.float64]:
    """Average rank (1..N) of ``values[i, chosen[i]]`` within row ``i``, divided by N + 1."""
    picked = values[np.arange(values.shape[0]), chosen][:, None]
    below = (values < picked).sum(axis=1)
    ties = (values == picked).sum(axis=1)
    rank = below + (ties + 1) / 2.0
    return rank / (values.shape[1] + 1.0)


def split_masks(n_blocks: int, max_splits: int = MAX_SPLITS, seed: int = 0) -> NDArray[np.bool_]:
    """Boolean ``splits x blocks`` matrix, True = in-sample; all combinations, or a random subset."""
    total = comb(n_blocks, n_blocks // 2)
    if total <= max_splits:
        chosen = list(combinations(range(n_blocks), n_blocks // 2))
        masks = np.zeros((len(chosen), n_blocks), dtype=bool)
        for row, blocks in enumerate(chosen):
            masks[row, list(blocks)] = True
        return masks
    rng = np.random.default_rng(seed)
    masks = np.zeros((max_splits, n_blocks), dtype=bool)
    for row in range(max_splits):
        masks[row, rng.choice(n_blocks, n_blocks // 2, replace=False)] = True
    return masks


def probability_of_backtest_overfitting(returns: NDArray[np.float64] | list, n_blocks: int = 16) -> PboResult:
    """PBO of choosing the in-sample best of the columns of ``returns`` (``T x N``)."""
    matrix = np.asarray(returns, dtype=float)
    if matrix.ndim != 2:
        raise ValueError("returns must be a 2-D array: periods x configurations")
    periods, configs = matrix.shape
    if configs < 2:
        raise ValueError("PBO needs at least 2 configurations")
    if n_blocks < 2 or n_blocks % 2:
        raise ValueError(f"the number of blocks must be even and >= 2, got {n_blocks}")
    if periods < 2 * n_blocks:
        raise ValueError(f"{periods} periods are too few for {n_blocks} blocks (need >= 2 per block)")
    if not np.isfinite(matrix).all():
        raise ValueError("returns contain NaN or infinite values")
    sums, squares, counts = _block_sums(matrix, n_blocks)
    masks = split_masks(n_blocks).astype(float)
    rest = 1.0 - masks
    is_sharpe = _sharpe(masks @ sums, masks @ squares, masks @ counts)
    oos_sharpe = _sharpe(rest @ sums, rest @ squares, rest @ counts)
    best = np.argmax(is_sharpe, axis=1)
    w = _relative_rank(oos_sharpe, best)
    logits = np.log(w / (1.0 - w))
    rows = np.arange(len(best))
    is_best, oos_best = is_sharpe[rows, best], oos_sharpe[rows, best]
    slope = float(np.polyfit(is_best, oos_best, 1)[0]) if np.ptp(is_best) > 0 else 0.0
    return PboResult(
        pbo=float(np.mean(logits <= 0.0)),
        n_splits=len(rows),
        n_configs=configs,
        n_blocks=n_blocks,
        prob_oos_loss=float(np.mean(oos_best < 0.0)),
        degradation_slope=slope,
        logits=[float(x) for x in logits],
    )


__all__ = ["PboResult", "probability_of_backtest_overfitting", "split_masks"]
