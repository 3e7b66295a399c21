"""Monte Carlo resampling of out-of-sample results → percentiles of return and max drawdown.

Two views of "what else could the same edge have produced":

* **Block bootstrap of returns** (circular moving blocks): paths of the same length as the
  out-of-sample period, built from randomly started blocks of ``block`` consecutive returns,
  so volatility clustering and short-range autocorrelation survive the resampling.
* **Trade-order shuffle**: the same trades in a random order. The compounded total return is
  unchanged by the order; the drawdown is not — this shows how deep the hole could have been.

Returns are simple per-period returns (fractions of equity); a path's equity is
``prod(1 + r)``. Drawdowns are reported as positive fractions (0.2 = 20 % below the peak).
"""

from __future__ import annotations

import msgspec
import numpy as np
from numpy.typing import ArrayLike, NDArray

PERCENTILES: tuple[float, ...] = (5.0, 25.0, 50.0, 75.0, 95.0)


class Distribution(msgspec.Struct, frozen=True, kw_only=True):
    """Percentiles (keys like ``"p5"``) and the mean of one simulated quantity."""

    mean: float
    percentiles: dict[str, float]


class MonteCarloResult(msgspec.Struct, frozen=True, kw_only=True):
    method: str  # "block_bootstrap" | "trade_shuffle"
    n_sims: int
    length: int
    total_return: Distribution
    max_drawdown: Distribution
    prob_loss: float  # share of paths that end below where they started


def max_drawdowns(paths: NDArray[np.float64]) -> NDArray[np.float64]:
    """Maximum drawdown of each row of per-period returns (start equity 1 counts as a peak)."""
    equity = np.cumprod(1.0 + paths, axis=1)
    peaks = np.maximum(np.maximum.accumulate(equity, axis=1), 1.0)
    return np.max(1.0 - equity / peaks, axis=1)


def _distribution(values: NDArray[np.float64]) -> Distribution:
    qs = np.percentile(values, PERCENTILES)
    return Distribution(
        mean=float(values.mean()),
        percentiles={f"p{p:g}": float(q) for p, q in zip(PERCENTILES, qs, strict=True)},
    )


def _summarise(method: str, paths: NDArray[np.float64]) -> MonteCarloResult:
    total = np.prod(1.0 + paths, axis=1) - 1.0
    return MonteCarloResult(
        method=method,
        n_sims=paths.shape[0],
        length=paths.shape[1],
        total_return=_distribution(total),
        max_drawdown=_distribution(max_drawdowns(paths)),
        prob_loss=float(np.mean(total < 0.0)),
    )


def _clean(values: ArrayLike, what: str) -> NDArray[np.float64]:
    r = np.asarray(values, dtype=float).ravel()
    if r.size == 0:
        raise ValueError(f"no {what} to resample")
    if not np.isfinite(r).all():
        raise ValueError(f"{what} contain NaN or infinite values")
    if (r <= -1.0).any():
        raise ValueError(f"{what} contain a loss of 100 % or more; resampling would be meaningless")
    return r


def block_bootstrap_paths(
    returns: ArrayLike, n_sims: int, block: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``n_sims x T`` resampled paths built from circular blocks of ``block`` returns."""
    r = _clean(returns, "returns")
    if n_sims <= 0 or block <= 0:
        raise ValueError("n_sims and block must be positive")
    length = r.size
    block = min(block, length)
    n_blocks = -(-length // block)
    starts = rng.integers(0, length, size=(n_sims, n_blocks))
    offsets = np.arange(block)
    idx = (starts[:, :, None] + offsets[None, None, :]) % length
    return r[idx.reshape(n_sims, -1)[:, :length]]


def block_bootstrap(
    returns: ArrayLike, n_sims: int = 2000, block: int = 5, seed: int = 0
) -> MonteCarloResult:
    """Percentiles of total return and max drawdown over block-bootstrapped return paths."""
    paths = block_bootstrap_paths(returns, n_sims, block, np.random.default_rng(seed))
    return _summarise("block_bootstrap", paths)


def trade_shuffle(trade_returns: ArrayLike, n_sims: int = 2000, seed: int = 0) -> MonteCarloResult:
    """Percentiles over random orderings of the trades (each a return on equity at entry)."""
    r = _clean(trade_returns, "trade returns")
    if n_sims <= 0:
        raise ValueError("n_sims must be positive")
    rng = np.random.default_rng(seed)
    paths = rng.permuted(np.broadcast_to(r, (n_sims, r.size)), axis=1)
    return _summarise("trade_shuffle", paths)


__all__ = [
    "PERCENTILES",
    "Distribution",
    "MonteCarloResult",
    "block_bootstrap",
    "block_bootstrap_paths",
    "max_drawdowns",
    "trade_shuffle",
]
