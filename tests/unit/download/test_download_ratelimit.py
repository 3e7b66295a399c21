"""The client-side token bucket never exceeds a Bybit window limit (BYBIT_V5.md §7) and obeys
the server's ``X-Bapi-Limit-*`` headers (§2)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openalpha.exchange.ratelimit import RateLimiter, TokenBucket
from openalpha.venue.rate_limits import IP_LIMIT, RateLimit


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def send_times(bucket: TokenBucket, clock: FakeClock, arrivals: list[float]) -> np.ndarray:
    """When each request (arriving at ``arrivals`` seconds) is released by the bucket."""
    out = []
    for t in arrivals:
        clock.t = t
        out.append(t + bucket.reserve())
    return np.array(out)


def max_in_window(times: np.ndarray, window_s: float) -> int:
    times = np.sort(times)
    ends = np.searchsorted(times, times + window_s - 1e-9, side="right")
    return int((ends - np.arange(len(times))).max())


@settings(max_examples=60, deadline=None)
@given(
    requests=st.integers(2, 700),
    window_ms=st.sampled_from([1000, 5000]),
    safety=st.floats(0.5, 1.0),
    gaps=st.lists(st.floats(0, 0.05), min_size=50, max_size=1500),
)
def test_bucket_never_exceeds_the_limit_in_any_window(
    requests: int, window_ms: int, safety: float, gaps: list[float]
) -> None:
    clock = FakeClock()
    bucket = TokenBucket.for_limit(RateLimit(requests, window_ms), safety, clock=clock)
    arrivals = np.cumsum(gaps).tolist()
    times = send_times(bucket, clock, arrivals)
    assert max_in_window(times, window_ms / 1000) <= requests


def test_greedy_client_runs_at_95_percent_of_the_ip_bound() -> None:
    """3000 requests queued at once: released at ≥ 95 % of 600 / 5 s, never over it."""
    clock = FakeClock()
    bucket = TokenBucket.for_limit(IP_LIMIT, clock=clock)
    times = send_times(bucket, clock, [0.0] * 3000)
    assert max_in_window(times, 5.0) <= 600
    rate = len(times) / times.max()
    assert 0.95 * 120 <= rate <= 120


def test_bad_buckets_are_rejected() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0, 1)
    with pytest.raises(ValueError):
        TokenBucket.for_limit(IP_LIMIT, safety=1.5)


def test_pause_until_reset_timestamp_and_observe_headers() -> None:
    """10006 / Status 0: nothing is sent before X-Bapi-Limit-Reset-Timestamp (wall ms)."""
    clock = FakeClock()
    wall = [1_000_000.0]
    limiter = RateLimiter(IP_LIMIT, {"/v5/order/create": 10}, clock=clock, wall_ms=lambda: wall[0])
    limiter.observe_headers({"X-Bapi-Limit-Status": "3", "X-Bapi-Limit-Reset-Timestamp": "1002000"})
    assert limiter.ip.paused_for() == 0 and limiter.throttled == 0
    limiter.observe_headers({"X-Bapi-Limit-Status": "0", "X-Bapi-Limit-Reset-Timestamp": "1002000"})
    assert limiter.ip.paused_for() == pytest.approx(2.0) and limiter.throttled == 1
    assert limiter.ip.reserve() >= 2.0
    seconds = limiter.pause_until(1_003_500, "/v5/order/create")
    assert seconds == pytest.approx(3.5) and limiter.endpoints[
        "/v5/order/create"
    ].paused_for() == pytest.approx(3.5)
    assert limiter.pause_until(None, default_s=0.7) == pytest.approx(0.7)
    assert limiter.pause_until(999_000) > 0  # a reset in the past still pauses briefly, never negative


def test_endpoint_buckets_follow_the_venue_table() -> None:
    limiter = RateLimiter.for_category("linear")
    assert limiter.endpoints["/v5/order/create"].rate == pytest.approx(9.5)
    assert "/v5/market/kline" not in limiter.endpoints  # market endpoints: only the IP limit
    assert RateLimiter.for_category("spot").endpoints["/v5/order/create"].rate == pytest.approx(19.0)


async def test_async_acquire_waits_for_the_pause() -> None:
    limiter = RateLimiter(RateLimit(100, 1000))
    limiter.pause_until(None, default_s=0.2)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await limiter.acquire("/v5/market/kline")
    assert loop.time() - t0 >= 0.19
