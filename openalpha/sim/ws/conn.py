"""One simulator WebSocket connection: an outgoing queue drained by a writer task, with faults.

Messages are queued synchronously (engine listeners run inside request handlers) and written
in order by :meth:`WsConn.writer`. Fault rules (``ws_drop``, ``ws_duplicate``, ``ws_reorder``,
``execution_delay``; see :mod:`openalpha.sim.faults`) act on pushed data messages only, never on
acks and pongs.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import msgspec
from aiohttp import web

from openalpha.sim.faults import Faults

_enc = msgspec.json.Encoder()


class WsConn:
    def __init__(self, ws: web.WebSocketResponse, faults: Faults | None, conn_id: str | None = None) -> None:
        self.ws = ws
        self.faults = faults
        self.conn_id = conn_id or str(uuid.uuid4())
        self.topics: set[str] = set()
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._held: bytes | None = None
        self.closed = False

    def reply(self, message: dict[str, Any]) -> None:
        """Acks, pongs and errors: never subject to faults."""
        self.queue.put_nowait(_enc.encode(message))

    def push(self, message: dict[str, Any], *, execution: bool = False) -> None:
        """A data message; faults may drop the socket, duplicate, reorder or delay it."""
        if self.closed:
            return
        data = _enc.encode(message)
        f = self.faults
        if f is None:
            self.queue.put_nowait(data)
            return
        if execution:
            rule = f.fires("execution_delay")
            if rule is not None and rule.ms > 0:
                asyncio.get_running_loop().call_later(rule.ms / 1000, self._put_late, data)
                return
        if f.fires("ws_drop"):
            self.queue.put_nowait(None)  # the writer closes the socket
            self.closed = True
            return
        if f.fires("ws_reorder") and self._held is None:
            self._held = data
            return
        self.queue.put_nowait(data)
        if f.fires("ws_duplicate"):
            self.queue.put_nowait(data)
        if self._held is not None:
            self.queue.put_nowait(self._held)
            self._held = None

    def _put_late(self, data: bytes) -> None:
        if not self.closed:
            self.queue.put_nowait(data)

    async def writer(self) -> None:
        while True:
            data = await self.queue.get()
            if data is None:
                self.closed = True
                with contextlib.suppress(Exception):
                    await self.ws.close()
                return
            try:
                await self.ws.send_str(data.decode())
            except (ConnectionResetError, RuntimeError):
                self.closed = True
                return

    def close(self) -> None:
        self.closed = True
        self.queue.put_nowait(None)
