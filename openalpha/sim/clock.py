"""The simulator's clock: the wall clock, or a replay of history at a chosen speed.

Two times matter inside the simulator:

* **market time** (:meth:`ReplayClock.now_ms`) — what the exchange believes "now" is. Bars are
  served only up to it, ``/v5/market/time`` reports it and envelopes carry it in ``time``.
  Without ``--start`` it is the wall clock; with it, ``start + (wall − t0) · speed``.
* **wall time** (:meth:`ReplayClock.wall_ms`) — real milliseconds. Rate-limit windows, their
  reset timestamps and the signature timestamp window (``X-BAPI-TIMESTAMP``) use wall time,
  because clients stamp requests with their own wall clock (pybit does, BYBIT_V5.md §1).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class ReplayClock:
    """Market time from ``start_ms`` advancing ``speed`` times faster than the wall clock."""

    def __init__(
        self, start_ms: int | None = None, speed: float = 1.0, wall: Callable[[], int] = _wall_ms
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.start_ms = start_ms
        self.speed = float(speed)
        self._wall = wall
        self._t0 = wall()

    @property
    def is_replay(self) -> bool:
        return self.start_ms is not None

    def wall_ms(self) -> int:
        return self._wall()

    def now_ms(self) -> int:
        """Market time in ms UTC."""
        wall = self._wall()
        if self.start_ms is None:
            return wall
        return self.start_ms + int((wall - self._t0) * self.speed)

    def open_bar_start(self, interval_ms: int) -> int:
        """Open time of the bar of length ``interval_ms`` that is still forming at market time."""
        now = self.now_ms()
        return now - now % interval_ms
