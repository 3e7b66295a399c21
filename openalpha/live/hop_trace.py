"""Wall-clock stamps of the hops one bar takes on its way to an order, per process.

Each actor on the decision path stamps the moments a bar passes it (stream thread received
it, strategy computed its targets, governor decided, write-ahead record durable, REST call
returned). A stamp is keyed by the instrument and the decision sequence (bar open time //
interval, the ``seq`` of the order's ``orderLinkId``), so stamps taken in different processes
join up. The buffer is bounded and costs one ``deque.append`` per stamp; actors hand it out
through ``hop_trace()`` (the runtime benchmark reads it).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from openalpha.domain import split_key
from openalpha.live.ids import parse_order_link_id

Stamp = tuple[str, str, int, float]  # (hop, symbol, seq, unix seconds)

_STAMPS: deque[Stamp] = deque(maxlen=8192)


def _symbol(key: str) -> str:
    """The symbol part of an instrument key, as it appears in an ``orderLinkId``."""
    return "".join(c for c in split_key(key)[0] if c.isalnum())[:10]


def mark(hop: str, key: str, seq: int) -> None:
    _STAMPS.append((hop, _symbol(key), seq, time.time()))


def mark_link(hop: str, order_link_id: str) -> None:
    """Stamp by an order's ``orderLinkId`` (foreign ids are ignored)."""
    parsed = parse_order_link_id(order_link_id)
    if parsed is not None:
        _STAMPS.append((hop, parsed[1], parsed[2], time.time()))


def drain() -> list[Stamp]:
    """The stamps taken since the last drain, oldest first."""
    out = list(_STAMPS)
    _STAMPS.clear()
    return out


class TracedPlacing:
    """An exchange adapter whose ``place_order`` stamps ``rest_sent`` / ``rest_returned``;
    everything else is the wrapped adapter's."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def place_order(self, request: Any) -> Any:
        mark_link("rest_sent", request.order_link_id)
        try:
            return self._inner.place_order(request)
        finally:
            mark_link("rest_returned", request.order_link_id)
