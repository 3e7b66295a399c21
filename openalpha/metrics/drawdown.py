"""Drawdowns of an equity curve: the fall from the running peak, its depth and its duration."""

from __future__ import annotations

import numpy as np


def drawdown(equity: np.ndarray, initial: float | None = None) -> np.ndarray:
    """Per bar: E_t / running peak − 1 (≤ 0). The initial capital counts as the first peak."""
    eq = np.asarray(equity, dtype=np.float64)
    peak = np.maximum.accumulate(eq)
    if initial is not None:
        peak = np.maximum(peak, initial)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peak > 0, eq / peak - 1.0, -1.0)


def max_drawdown(equity: np.ndarray, initial: float | None = None) -> float:
    """The deepest drawdown as a negative fraction (−0.25 = a 25 % fall); 0 when none."""
    if len(equity) == 0:
        return 0.0
    return float(np.min(drawdown(equity, initial)))


def max_drawdown_duration(
    equity: np.ndarray, initial: float | None = None, dd: np.ndarray | None = None
) -> int:
    """The longest run of bars spent below a previous peak (an unrecovered one runs to the end).
    ``dd`` is :func:`drawdown`'s result when the caller already has it."""
    under = ((drawdown(equity, initial) if dd is None else dd) < 0).astype(np.int8)
    if not under.any():
        return 0
    edges = np.diff(np.concatenate(([0], under, [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int(np.max(ends - starts))


__all__ = ["drawdown", "max_drawdown", "max_drawdown_duration"]
