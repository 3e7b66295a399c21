"""Statistics of closed trades (net P&L after fees and funding)."""

from __future__ import annotations

import numpy as np


def win_rate(pnl: np.ndarray) -> float:
    """Fraction of trades with a positive net P&L (0 when there are none)."""
    return float(np.mean(pnl > 0)) if len(pnl) else 0.0


def profit_factor(pnl: np.ndarray) -> float:
    """Gross profit / gross loss; ``inf`` with profits and no loss, 0 without trades."""
    gains = float(pnl[pnl > 0].sum())
    losses = float(-pnl[pnl < 0].sum())
    if losses == 0:
        return float("inf") if gains > 0 else 0.0
    return gains / losses


def expectancy(pnl: np.ndarray) -> float:
    """Mean net P&L per trade, in quote currency."""
    return float(np.mean(pnl)) if len(pnl) else 0.0


__all__ = ["expectancy", "profit_factor", "win_rate"]
