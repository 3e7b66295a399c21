"""Account and strategy equity over time: the numbers the governor and the dashboard need.

Keeps the equity curve (bounded), the running peak, the equity at the start of the UTC day, and
per strategy its peak equity. Unknown stays unknown: before the first balance arrives every
figure is None and the governor denies.
"""

from __future__ import annotations

from collections import deque

DAY_MS = 86_400_000


class AccountTracker:
    def __init__(self, max_points: int = 5_000) -> None:
        self.curve: deque[tuple[int, float]] = deque(maxlen=max_points)
        self.initial: float | None = None
        self.peak: float | None = None
        self.day: int | None = None
        self.day_start: float | None = None
        self.strategy_peak: dict[str, float] = {}

    def on_equity(self, ts: int, equity: float) -> None:
        if self.initial is None:
            self.initial = equity
        self.peak = equity if self.peak is None else max(self.peak, equity)
        day = ts // DAY_MS
        if day != self.day:
            self.day, self.day_start = day, equity
        if self.curve and self.curve[-1][0] == ts:
            self.curve[-1] = (ts, equity)
        else:
            self.curve.append((ts, equity))

    def on_strategy_equity(self, strategy_id: str, equity: float) -> float:
        peak = max(self.strategy_peak.get(strategy_id, equity), equity)
        self.strategy_peak[strategy_id] = peak
        return peak

    @property
    def equity(self) -> float | None:
        return self.curve[-1][1] if self.curve else None

    @property
    def drawdown(self) -> float:
        if self.equity is None or not self.peak:
            return 0.0
        return max(0.0, 1.0 - self.equity / self.peak)

    @property
    def pnl_today(self) -> float:
        return 0.0 if self.equity is None or self.day_start is None else self.equity - self.day_start

    @property
    def pnl_total(self) -> float:
        return 0.0 if self.equity is None or self.initial is None else self.equity - self.initial
