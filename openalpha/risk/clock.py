"""Injected clocks: the same governor runs on simulated time in a backtest and wall time live."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int:
        """Current time, int milliseconds UTC."""
        ...


class SystemClock:
    """Wall-clock time (live trading)."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told (backtests and tests)."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def set(self, ms: int) -> None:
        if ms < self._now:
            raise ValueError(f"clock cannot go back from {self._now} to {ms}")
        self._now = ms

    def advance(self, ms: int) -> None:
        self.set(self._now + ms)
