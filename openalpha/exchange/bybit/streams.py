"""WebSocket streams through pybit, made safe and complete.

* Connections use pybit's ``WebSocket`` unmodified except for the URL: a subclass swaps the
  endpoint in ``_connect`` (same effect as overriding ``PUBLIC_WSS``/``PRIVATE_WSS``, BYBIT_V5.md
  §8, without touching module globals) and calls a hook after every (re)connect.
* Callbacks never raise (an exception inside a pybit callback kills the connection, §8): every
  message is handled inside ``try/except`` and errors are counted and logged.
* Duplicates and stale messages are dropped: executions by ``execId``, orders when not newer
  than what was seen (``updatedTime``, then filled qty), bars by open time.
* After a reconnect the missed events are back-filled over REST (``backfill`` callables), so
  nothing is lost while the socket was down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pybit.unified_trading import WebSocket

log = logging.getLogger(__name__)


class HookedWebSocket(WebSocket):  # type: ignore[misc]
    """pybit's WebSocket connecting to ``url`` and calling ``on_connect()`` after each connect."""

    def __init__(self, url: str, on_connect: Callable[[], None] | None = None, **kwargs: Any) -> None:
        self._oa_url = url
        self._oa_on_connect = on_connect
        self.connects = 0
        super().__init__(**kwargs)

    def _connect(self, url: str) -> None:
        super()._connect(self._oa_url)
        self.connects += 1
        hook = self._oa_on_connect
        if hook is not None and self.connects > 1:
            threading.Thread(target=hook, name="openalpha-ws-backfill", daemon=True).start()


class Deduper:
    """Remembers what was delivered so repeats and stale updates are dropped (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.exec_ids: set[str] = set()
        self.orders: dict[str, tuple[int, int, Decimal]] = {}
        self.bars: dict[tuple[str, str], int] = {}
        self.dropped = 0

    def new_execution(self, exec_id: str) -> bool:
        with self._lock:
            if exec_id in self.exec_ids:
                self.dropped += 1
                return False
            self.exec_ids.add(exec_id)
            return True

    def newer_order(self, order_id: str, updated_ms: int, status: str, filled: Decimal) -> bool:
        """True when this order update is newer than the last one delivered: later ``updatedTime``,
        then closed over open, then more filled. An equal update is a duplicate."""
        rank = 0 if status in ("New", "PartiallyFilled", "Untriggered") else 1
        key = (updated_ms, rank, filled)
        with self._lock:
            prev = self.orders.get(order_id)
            if prev is not None and key <= prev:
                self.dropped += 1
                return False
            self.orders[order_id] = key
            return True

    def newer_bar(self, symbol: str, interval: str, start_ms: int) -> bool:
        with self._lock:
            last = self.bars.get((symbol, interval), -1)
            if start_ms <= last:
                self.dropped += 1
                return False
            self.bars[(symbol, interval)] = start_ms
            return True


def safe(callback: Callable[[Any], None], errors: list[int]) -> Callable[[Any], None]:
    """Wrap a stream callback so it can never raise into pybit's thread."""

    def wrapped(message: Any) -> None:
        try:
            callback(message)
        except Exception:
            errors[0] += 1
            log.exception("stream callback failed; message dropped")

    return wrapped
