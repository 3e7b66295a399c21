"""One snapshot source for every open page.

Each page's timer asks :meth:`SnapshotHub.latest`; the hub fetches from the runtime at most
once per ``max_age`` seconds whatever the number of browsers, in a worker thread (the actor
client blocks), and keeps the last good snapshot when the runtime stops answering.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from openalpha.live.control import RuntimeControl
from openalpha.live.snapshot import RuntimeSnapshot

log = logging.getLogger("openalpha.ui.hub")
Runner = Callable[[Callable[[], RuntimeSnapshot]], Awaitable[RuntimeSnapshot]]


async def _to_thread(fn: Callable[[], RuntimeSnapshot]) -> RuntimeSnapshot:
    return await asyncio.to_thread(fn)


class SnapshotHub:
    def __init__(self, control: RuntimeControl, *, max_age: float, runner: Runner = _to_thread) -> None:
        self.control = control
        self.max_age = max_age
        self._runner = runner
        self._snapshot: RuntimeSnapshot | None = None
        self._fetched = 0.0
        self.error = ""
        self._lock: asyncio.Lock | None = None

    @property
    def current(self) -> RuntimeSnapshot | None:
        return self._snapshot

    async def latest(self, *, force: bool = False) -> RuntimeSnapshot | None:
        """A snapshot at most ``max_age`` old (None only if the runtime never answered)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if force or self._snapshot is None or time.monotonic() - self._fetched >= self.max_age:
                try:
                    self._snapshot = await self._runner(self.control.snapshot)
                    self.error = ""
                except Exception as err:  # the runtime is down or slow: keep the last good one
                    message = str(err).splitlines()[0] if str(err) else type(err).__name__
                    if message != self.error:
                        log.warning("runtime snapshot failed: %s", message)
                    self.error = message
                self._fetched = time.monotonic()
        return self._snapshot
