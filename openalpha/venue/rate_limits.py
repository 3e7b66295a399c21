"""Bybit V5 rate limits as data (BYBIT_V5.md §7; docs ``rate-limit/rate-limit.mdx``).

* IP limit: 600 requests per 5 s per IP for all HTTP endpoints (breach -> HTTP 403; stop >= 10 min).
* Per-UID, per-endpoint limits over a rolling second (defaults for non-VIP accounts); exceeding
  one returns retCode 10006 "Too many visits!". Public market endpoints only have the IP limit.

The client-side limiter lives in ``openalpha.exchange``; this module only states the numbers.
"""

from __future__ import annotations

import msgspec

from openalpha.domain.enums import Category

__all__ = ["ANY_CATEGORY", "ENDPOINT_LIMITS", "IP_LIMIT", "RateLimit", "endpoint_limit"]


class RateLimit(msgspec.Struct, frozen=True):
    """At most ``requests`` requests in any window of ``window_ms`` milliseconds."""

    requests: int
    window_ms: int


IP_LIMIT = RateLimit(requests=600, window_ms=5000)

ANY_CATEGORY = "*"
"""Key for endpoints whose limit does not depend on the category (account endpoints)."""

_ORDER_WRITE = {"linear": 10, "spot": 20}
_QUERY = {"linear": 50, "spot": 50}

ENDPOINT_LIMITS: dict[str, dict[str, int]] = {
    "/v5/order/create": dict(_ORDER_WRITE),
    "/v5/order/amend": dict(_ORDER_WRITE),
    "/v5/order/cancel": dict(_ORDER_WRITE),
    "/v5/order/cancel-all": dict(_ORDER_WRITE),
    "/v5/order/create-batch": {"linear": 10},
    "/v5/order/amend-batch": {"linear": 10},
    "/v5/order/cancel-batch": {"linear": 10},
    "/v5/order/realtime": dict(_QUERY),
    "/v5/order/history": dict(_QUERY),
    "/v5/execution/list": dict(_QUERY),
    "/v5/position/list": {"linear": 50},
    "/v5/position/set-leverage": {"linear": 10},
    "/v5/account/wallet-balance": {ANY_CATEGORY: 50},
    "/v5/account/fee-rate": {ANY_CATEGORY: 5},
}
"""Requests per second per UID, by endpoint path and category."""


def endpoint_limit(path: str, category: Category | str | None = None) -> int | None:
    """Per-second UID limit of ``path`` for ``category``; ``None`` if only the IP limit applies."""
    limits = ENDPOINT_LIMITS.get(path.split("?", 1)[0].rstrip("/"))
    if limits is None:
        return None
    if ANY_CATEGORY in limits:
        return limits[ANY_CATEGORY]
    if category is None:
        return None
    return limits.get(Category(category).value)
