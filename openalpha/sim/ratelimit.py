"""Bybit's rate limits as the simulator enforces them (BYBIT_V5.md §2 headers, §7 limits).

* IP limit: at most ``requests`` per rolling ``window_ms`` per client IP (600 / 5 s). Bybit
  answers a breach with HTTP 403; the simulator sends 403 with a Bybit envelope
  (retCode 10006) and the limit headers, so clients can back off until the reset timestamp.
* Per-endpoint limits (rolling 1 s, per UID = API key, else per IP) from
  :data:`openalpha.venue.rate_limits.ENDPOINT_LIMITS`; a breach is HTTP 200 + retCode 10006
  "Too many visits!" with ``X-Bapi-Limit-Reset-Timestamp`` strictly in the future (pybit sleeps
  until it and crashes on a past value, BYBIT_V5.md §8).

Windows are sliding logs: "600 in any 5 s", the strictest reading of the docs, so a client
that passes here passes a fixed-window server too. Rejected requests are not counted.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from openalpha.venue import rate_limits


@dataclass(frozen=True)
class LimitRule:
    requests: int
    window_ms: int


@dataclass(frozen=True)
class LimitDecision:
    """Outcome of one request: the headers to send and, if refused, how."""

    allowed: bool
    limit: int
    remaining: int
    reset_ms: int
    ip_breach: bool = False

    def headers(self) -> dict[str, str]:
        return {
            "X-Bapi-Limit": str(self.limit),
            "X-Bapi-Limit-Status": str(max(self.remaining, 0)),
            "X-Bapi-Limit-Reset-Timestamp": str(self.reset_ms),
        }


class SlidingWindow:
    """Timestamps of the accepted requests inside the last ``window_ms``."""

    __slots__ = ("_hits", "rule")

    def __init__(self, rule: LimitRule) -> None:
        self.rule = rule
        self._hits: deque[int] = deque()

    def _expire(self, now_ms: int) -> None:
        edge = now_ms - self.rule.window_ms
        hits = self._hits
        while hits and hits[0] <= edge:
            hits.popleft()

    def is_full(self, now_ms: int) -> bool:
        self._expire(now_ms)
        return len(self._hits) >= self.rule.requests

    def try_hit(self, now_ms: int) -> LimitDecision:
        self._expire(now_ms)
        hits = self._hits
        if len(hits) >= self.rule.requests:
            reset = max(hits[0] + self.rule.window_ms, now_ms + 1)
            return LimitDecision(False, self.rule.requests, 0, reset)
        hits.append(now_ms)
        remaining = self.rule.requests - len(hits)
        reset = hits[0] + self.rule.window_ms if remaining == 0 else now_ms
        return LimitDecision(True, self.rule.requests, remaining, reset)


@dataclass
class RateLimitConfig:
    """What the simulator enforces: ``ip`` (default :data:`openalpha.venue.rate_limits.IP_LIMIT`),
    Bybit's per-endpoint table, and ``endpoint_overrides`` (path → requests per second, any
    category) that replace or add per-endpoint limits, e.g. a tiny kline limit in tests."""

    ip: LimitRule | None = None
    endpoint_overrides: dict[str, int] = field(default_factory=dict)
    enabled: bool = True


class SimRateLimiter:
    """Per-IP and per-(UID, endpoint) sliding windows."""

    def __init__(self, config: RateLimitConfig | None = None) -> None:
        self.config = config or RateLimitConfig()
        default_ip = rate_limits.IP_LIMIT
        self.ip_rule = self.config.ip or LimitRule(default_ip.requests, default_ip.window_ms)
        self._ip: dict[str, SlidingWindow] = {}
        self._endpoint: dict[tuple[str, str, str], SlidingWindow] = {}

    def endpoint_rule(self, path: str, category: str | None) -> LimitRule | None:
        override = self.config.endpoint_overrides.get(path)
        if override is not None:
            return LimitRule(override, 1000)
        try:
            n = rate_limits.endpoint_limit(path, category or "linear")
        except ValueError:  # a category the venue does not know (inverse, option)
            return None
        return LimitRule(n, 1000) if n else None

    def check(
        self, *, ip: str, uid: str | None, path: str, category: str | None, now_ms: int
    ) -> LimitDecision:
        """Count one request (if allowed) and return the decision and headers."""
        if not self.config.enabled:
            return LimitDecision(True, self.ip_rule.requests, self.ip_rule.requests, now_ms)
        ip_window = self._ip.get(ip)
        if ip_window is None:
            ip_window = self._ip[ip] = SlidingWindow(self.ip_rule)
        rule = self.endpoint_rule(path, category)
        ep_window: SlidingWindow | None = None
        if rule is not None:
            key = (uid or ip, path, category or "")
            ep_window = self._endpoint.get(key)
            if ep_window is None:
                ep_window = self._endpoint[key] = SlidingWindow(rule)
            # Check the endpoint first without counting the IP hit for a refused request.
            if ep_window.is_full(now_ms):
                return ep_window.try_hit(now_ms)
        ip_decision = ip_window.try_hit(now_ms)
        if not ip_decision.allowed:
            return LimitDecision(False, ip_decision.limit, 0, ip_decision.reset_ms, ip_breach=True)
        if ep_window is None:
            return ip_decision
        return ep_window.try_hit(now_ms)
