"""One aiohttp session kept open on its own event-loop thread, so that market reads made from
any thread (a decision, a background feed) reuse its connections instead of opening one each."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from openalpha.exchange.bybit.market_client import MarketClient

T = TypeVar("T")


class MarketSession:
    """``keepalive_s``: how long an idle connection is kept (the server may close it sooner;
    then the next read connects again)."""

    def __init__(self, base_url: str, name: str = "market-session", keepalive_s: float = 15.0) -> None:
        self.base_url = base_url
        self.keepalive_s = keepalive_s
        self._loop = asyncio.new_event_loop()
        self._session: aiohttp.ClientSession | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, read: Callable[[MarketClient], Awaitable[T]], *, retries: int, timeout_s: float) -> T:
        """``read(client)`` on the session's loop; blocks this thread until it is done (raises what
        it raises, or ``TimeoutError`` once every attempt's time has passed)."""

        async def call() -> T:
            if self._session is None:
                connector = aiohttp.TCPConnector(keepalive_timeout=self.keepalive_s)
                self._session = aiohttp.ClientSession(connector=connector)
            return await read(
                MarketClient(self.base_url, self._session, max_retries=retries, timeout_s=timeout_s)
            )

        future = asyncio.run_coroutine_threadsafe(call(), self._loop)
        try:
            return future.result(timeout=timeout_s * (retries + 1) + 1.0)
        except TimeoutError:
            future.cancel()
            raise

    def close(self) -> None:
        async def shut() -> None:
            if self._session is not None:
                await self._session.close()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout=5.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
