"""What the live feeds (funding, mark prices) share: a daemon thread that reads whatever is due
when woken (after each bar) and re-reads with a backoff while something stays due, and one
market read run to completion that never raises (a failure is one log line, read again later).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_S = (1.0, 2.0, 5.0, 15.0, 60.0)  # background re-reads while something due is not served


def read_or_log(what: str, read: Coroutine[Any, Any, T], logger: logging.Logger = log) -> T | None:
    """``read`` run in a fresh event loop; ``None`` (and one warning naming ``what`` on
    ``logger``) if it fails."""
    return call_or_log(what, lambda: asyncio.run(read), logger)


def call_or_log(what: str, call: Callable[[], T], logger: logging.Logger = log) -> T | None:
    """``call()``; ``None`` (and one warning naming ``what`` on ``logger``) if it raises."""
    try:
        return call()
    except Exception as err:  # never the actor's end: one line, read again later
        logger.warning("%s failed: %s: %s", what, type(err).__name__, err)
        return None


class Feed(Protocol):
    """The pure side of a feed: which keys are due at a time, and the window to read for each."""

    def due(self, now_ms: int, /) -> list[str]: ...

    def window(self, key: str, now_ms: int, /) -> tuple[int, int]: ...


class BackgroundReader:
    """Reads what ``feed`` says is due (:meth:`read_due`) in a daemon thread each time
    :meth:`wake` is called, and again after ``RETRY_S`` (growing) while something due is still
    not served. ``lock`` guards the feed; a subclass says up to when to read (:meth:`due_at`)
    and how (:meth:`read_and_merge`)."""

    def __init__(self, name: str, base_url: str, feed: Feed) -> None:
        self.base_url = base_url
        self.feed = feed
        self.lock = threading.Lock()  # the feed (and what a subclass delivers from it)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def due_at(self) -> int:
        """The time (ms, the exchange's) to read up to; called under ``lock``."""
        raise NotImplementedError

    def read_and_merge(
        self, windows: dict[str, tuple[int, int]], now_ms: int, *, retries: int, timeout_s: float
    ) -> None:
        """Read ``windows`` and merge what comes into the feed; never raises."""
        raise NotImplementedError

    def read_due(self) -> bool:
        """Read what is due; ``True`` while something due is still missing."""
        with self.lock:
            now = self.due_at()
            windows = {k: self.feed.window(k, now) for k in self.feed.due(now)}
        if not windows:
            return False
        self.read_and_merge(windows, now, retries=2, timeout_s=10.0)
        with self.lock:
            return bool(self.feed.due(now))

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
