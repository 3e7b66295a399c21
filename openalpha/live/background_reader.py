"""What the live feeds (funding, mark prices) share: a daemon thread that reads whatever is due
when woken (after each bar) and re-reads with a backoff while something stays due, and one
market read run to completion that never raises (a failure is one log line, read again later).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_S = (1.0, 2.0, 5.0, 15.0, 60.0)  # background re-reads while something due is not served


def read_or_log(what: str, read: Coroutine[Any, Any, T], logger: logging.Logger = log) -> T | None:
    """``read`` run in a fresh event loop; ``None`` (and one warning naming ``what`` on
    ``logger``) if it fails."""
    try:
        return asyncio.run(read)
    except Exception as err:  # never the actor's end: one line, read again later
        logger.warning("%s failed: %s: %s", what, type(err).__name__, err)
        return None


class BackgroundReader:
    """Runs :meth:`read_due` in a daemon thread each time :meth:`wake` is called, and again after
    ``RETRY_S`` (growing) while it returns ``True`` (something due is still not served)."""

    def __init__(self, name: str) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def read_due(self) -> bool:
        """Read what is due; ``True`` while something due is still missing."""
        raise NotImplementedError

    def start(self) -> BackgroundReader:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._wake.wait(None if attempt == 0 else RETRY_S[min(attempt, len(RETRY_S)) - 1])
            self._wake.clear()
            if self._stop.is_set():
                return
            attempt = attempt + 1 if self.read_due() else 0
