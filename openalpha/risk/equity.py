"""Account bookkeeping the rules need: peaks, the UTC day's start, milestones, realised volatility."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from openalpha.config.schema import Milestone

DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS


def milestone_scale(equity: float, milestones: Sequence[Milestone]) -> float:
    """The ``risk_scale`` of the highest milestone ``equity`` has reached (1.0 below all of them)."""
    reached = [m for m in milestones if equity >= m.equity]
    return max(reached, key=lambda m: m.equity).risk_scale if reached else 1.0


def realised_volatility(closes: Sequence[float] | np.ndarray, bar_ms: int) -> float | None:
    """Annualised standard deviation of log returns of ``closes`` sampled every ``bar_ms``.

    None when there are fewer than two returns or a price is not positive and finite.
    """
    prices = np.asarray(closes, dtype=np.float64)
    if prices.size < 3 or not np.all(np.isfinite(prices)) or np.any(prices <= 0):
        return None
    returns = np.diff(np.log(prices))
    return float(np.std(returns, ddof=1) * math.sqrt(YEAR_MS / bar_ms))


class EquityTracker:
    """Running high-water mark and start-of-UTC-day equity from a stream of observations.

    Feed it every equity observation in time order (rebuild it from the ledger's balance
    history after a restart); :meth:`peak` and :meth:`day_start` are None until it has data.
    """

    def __init__(self) -> None:
        self._peak: float | None = None
        self._day: int | None = None
        self._day_start: float | None = None
        self._last_ts: int | None = None

    def observe(self, ts: int, equity: float) -> None:
        if not math.isfinite(equity):
            raise ValueError(f"equity must be finite, got {equity}")
        if self._last_ts is not None and ts < self._last_ts:
            raise ValueError(f"equity observations must be in time order ({ts} < {self._last_ts})")
        self._last_ts = ts
        self._peak = equity if self._peak is None else max(self._peak, equity)
        day = ts // DAY_MS
        if day != self._day:
            self._day, self._day_start = day, equity

    def peak(self) -> float | None:
        return self._peak

    def day_start(self, now_ms: int) -> float | None:
        """Equity at the first observation of ``now_ms``'s UTC day; None if there is none yet."""
        return self._day_start if self._day == now_ms // DAY_MS else None
