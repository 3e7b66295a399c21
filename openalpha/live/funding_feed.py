"""Which funding settlements a live strategy is owed, and what to fetch for them (pure: no I/O).

A live strategy hears settlements from the public ``/v5/market/funding/history`` of each linear
(perp) instrument it trades, whether or not it holds a position. Bybit settles at the multiples
of ``fundingInterval`` minutes counted from 00:00 UTC. The decision taken at the close ``c`` of
a bar uses the settlements with ``ts < c`` (as the backtest does), so a settlement at ``t`` is
first needed one bar after ``t``: it is fetched off the decision path after the bar that closes
at ``t``, and the decision only fetches itself when one it needs is still missing.

Times are the exchange's, in ms, and "now" is always a bar close already seen: a settlement
later than that is never taken, whatever an endpoint returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MINUTE_MS = 60_000
DEFAULT_FUNDING_MINUTES = 480


@dataclass
class FundingFeed:
    """Per linear key: the funding interval and the newest settlement held (``held``)."""

    interval_ms: dict[str, int]
    held: dict[str, int]
    # the settlement each key's last blocking fetch was for: at most one per settlement
    fetched_for: dict[str, int] = field(default_factory=dict)
    # the settlement each key was last reported missing for: one warning per settlement
    warned_for: dict[str, int] = field(default_factory=dict)

    @classmethod
    def create(
        cls, keys: Iterable[str], funding_minutes: Mapping[str, int], held: Mapping[str, int], start_ms: int
    ) -> FundingFeed:
        """``keys``: the strategy's linear keys; ``funding_minutes``: their ``fundingInterval``
        (480 when unknown); ``held``: the newest settlement in the warm-up history, which was
        read up to ``start_ms`` (a key with none is taken as held up to ``start_ms``)."""
        keys = list(keys)
        minutes = {k: int(funding_minutes.get(k) or DEFAULT_FUNDING_MINUTES) for k in keys}
        bad = [f"{k}={m}" for k, m in minutes.items() if m <= 0]
        if bad:
            raise ValueError(f"funding interval must be a positive number of minutes: {', '.join(bad)}")
        return cls(
            interval_ms={k: m * MINUTE_MS for k, m in minutes.items()},
            held={k: int(held[k]) if k in held else start_ms for k in keys},
        )

    def scheduled_before(self, key: str, close_ms: int) -> int:
        """The newest scheduled settlement with ``ts < close_ms``."""
        step = self.interval_ms[key]
        return (close_ms - 1) // step * step

    def missing(self, close_ms: int) -> dict[str, int]:
        """Keys whose newest settlement due for the decision at ``close_ms`` is not held → it."""
        out = {}
        for key in self.held:
            due = self.scheduled_before(key, close_ms)
            if due > self.held[key]:
                out[key] = due
        return out

    def due(self, now_ms: int) -> list[str]:
        """Keys with a scheduled settlement at or before ``now_ms`` not held yet (to fetch in the
        background)."""
        return [k for k in self.held if self.scheduled_before(k, now_ms + 1) > self.held[k]]

    def to_fetch_now(self, close_ms: int) -> dict[str, tuple[int, int]]:
        """Windows for a blocking fetch at the decision at ``close_ms``: the keys missing a
        settlement that no blocking fetch has been made for yet (each marked as fetched)."""
        out = {}
        for key, due in self.missing(close_ms).items():
            if self.fetched_for.get(key) != due:
                self.fetched_for[key] = due
                out[key] = self.window(key, close_ms)
        return out

    def window(self, key: str, now_ms: int) -> tuple[int, int]:
        """``(start, end)`` to ask ``funding/history`` for: after the newest held, up to now."""
        return self.held[key] + 1, now_ms

    def merge(self, key: str, rows: Iterable[tuple[int, float]], now_ms: int) -> list[tuple[int, float]]:
        """Settlements fetched up to ``now_ms`` → the ones to hand to the strategy (``ts <= now_ms``,
        ascending, one per timestamp); the newest becomes held."""
        fresh = {int(ts): float(rate) for ts, rate in rows if int(ts) <= now_ms}
        if fresh:
            self.held[key] = max(self.held[key], max(fresh))
        return sorted(fresh.items())

    def to_warn(self, close_ms: int) -> dict[str, int]:
        """Keys still missing a settlement at the decision at ``close_ms`` that have not been
        reported for it yet (each marked as reported)."""
        out = {}
        for key, due in self.missing(close_ms).items():
            if self.warned_for.get(key) != due:
                self.warned_for[key] = due
                out[key] = due
        return out
