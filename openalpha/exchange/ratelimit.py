"""Client-side rate limiting for Bybit (BYBIT_V5.md §2 headers, §7 limits).

Bybit counts requests in windows ("600 per 5 s per IP", "10 per second per UID on
/v5/order/create", ...). A token bucket of rate ``r`` and capacity ``b`` lets through at most
``b + r·W`` requests in any window ``W``, so a bucket stays inside a limit of ``N`` per ``W``
whatever the server's window alignment when ``b + r·W ≤ N``. With a safety factor ``s``
(default 0.95) the bucket runs at ``r = s·N/W`` with ``b = (1 − s)·N`` (at least 1): 95 % of the
bound in steady state, never over it.

On top of the buckets the limiter obeys the server: :meth:`RateLimiter.observe_headers` pauses
when ``X-Bapi-Limit-Status`` reaches 0 until ``X-Bapi-Limit-Reset-Timestamp``, and
:meth:`RateLimiter.pause_until` is what a caller uses after retCode 10006 or HTTP 403.

Both an ``async`` :meth:`~RateLimiter.acquire` and a blocking :meth:`~RateLimiter.acquire_blocking`
(for pybit, which is synchronous) are provided; they share state and are thread-safe.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping

from openalpha.venue import rate_limits
from openalpha.venue.rate_limits import RateLimit

DEFAULT_SAFETY = 0.95


def _wall_ms() -> float:
    return time.time() * 1000.0


class TokenBucket:
    """A reservation-based token bucket: callers take tokens (the balance may go negative) and
    wait ``deficit / rate``, so waiters are served in order without polling."""

    def __init__(self, rate_per_s: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError(f"bad token bucket: rate {rate_per_s}/s, burst {burst}")
        self.rate = float(rate_per_s)
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._paused_until = 0.0

    @classmethod
    def for_limit(
        cls, limit: RateLimit, safety: float = DEFAULT_SAFETY, **kw: Callable[[], float]
    ) -> TokenBucket:
        """The bucket that never exceeds ``limit`` in any window (see the module docstring)."""
        if not 0 < safety <= 1:
            raise ValueError(f"safety must be in (0, 1], got {safety}")
        window_s = limit.window_ms / 1000.0
        rate = safety * limit.requests / window_s
        burst = max(1.0, limit.requests - rate * window_s)
        return cls(rate, burst, **kw)

    def reserve(self, cost: float = 1.0) -> float:
        """Take ``cost`` tokens now; returns the seconds to wait before using them."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self._tokens -= cost
        wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        return max(wait, self._paused_until - now)

    def pause_for(self, seconds: float) -> None:
        """Send nothing for ``seconds``; afterwards start from an empty bucket (the server's window
        has just reset, so no burst)."""
        now = self._clock()
        until = now + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until
            self._tokens = min(self._tokens, 0.0)
            self._stamp = until

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())


class RateLimiter:
    """The IP bucket plus one bucket per rate-limited endpoint."""

    def __init__(
        self,
        ip: RateLimit = rate_limits.IP_LIMIT,
        endpoints: Mapping[str, int] | None = None,
        *,
        safety: float = DEFAULT_SAFETY,
        clock: Callable[[], float] = time.monotonic,
        wall_ms: Callable[[], float] = _wall_ms,
    ) -> None:
        self.ip = TokenBucket.for_limit(ip, safety, clock=clock)
        self.endpoints = {
            path: TokenBucket.for_limit(RateLimit(n, 1000), safety, clock=clock)
            for path, n in (endpoints or {}).items()
        }
        self._wall_ms = wall_ms
        self._lock = threading.Lock()
        self.throttled = 0  # times the server told us to stop (status 0, 10006, 403)

    @classmethod
    def for_category(cls, category: str = "linear", safety: float = DEFAULT_SAFETY) -> RateLimiter:
        """Bybit's default limits (``openalpha.venue.rate_limits``) for one category."""
        table = {}
        for path in rate_limits.ENDPOINT_LIMITS:
            n = rate_limits.endpoint_limit(path, category)
            if n:
                table[path] = n
        return cls(rate_limits.IP_LIMIT, table, safety=safety)

    def _reserve(self, path: str | None, cost: float) -> float:
        with self._lock:
            wait = self.ip.reserve(cost)
            bucket = self.endpoints.get(path) if path else None
            if bucket is not None:
                wait = max(wait, bucket.reserve(cost))
            return wait

    async def acquire(self, path: str | None = None, cost: float = 1.0) -> None:
        """Wait until a request to ``path`` may be sent (IP bucket and the endpoint's bucket)."""
        wait = self._reserve(path, cost)
        while wait > 0:
            await asyncio.sleep(wait)
            wait = self._pause_left(path)

    def acquire_blocking(self, path: str | None = None, cost: float = 1.0) -> None:
        wait = self._reserve(path, cost)
        while wait > 0:
            time.sleep(wait)
            wait = self._pause_left(path)

    def _pause_left(self, path: str | None) -> float:
        with self._lock:
            bucket = self.endpoints.get(path) if path else None
            return max(self.ip.paused_for(), bucket.paused_for() if bucket else 0.0)

    def _bucket(self, path: str | None) -> TokenBucket:
        return self.endpoints.get(path, self.ip) if path else self.ip

    def pause_until(
        self, reset_ms: float | None, path: str | None = None, *, default_s: float = 1.0
    ) -> float:
        """Stop sending (to ``path``'s bucket, else all) until the server's reset time (wall ms).
        A missing or past reset time pauses ``default_s``. Returns the pause in seconds."""
        seconds = default_s if reset_ms is None else (reset_ms - self._wall_ms()) / 1000.0
        if seconds <= 0:
            seconds = min(default_s, 0.05)
        with self._lock:
            self._bucket(path).pause_for(seconds)
            self.throttled += 1
        return seconds

    def observe_headers(self, headers: Mapping[str, str], path: str | None = None) -> None:
        """Honour ``X-Bapi-Limit-Status``: at 0 remaining, pause until the reset timestamp."""
        status = _header_int(headers, "X-Bapi-Limit-Status")
        if status is None or status > 0:
            return
        self.pause_until(_header_int(headers, "X-Bapi-Limit-Reset-Timestamp"), path)


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        raw = headers.get(name.lower())
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


__all__ = ["DEFAULT_SAFETY", "RateLimiter", "TokenBucket"]
