"""The simulator's WebSocket endpoints: ``/v5/public/{linear,spot}`` and ``/v5/private``.

Control messages follow Bybit (BYBIT_V5.md §5): ``{"op":"subscribe","req_id":…,"args":[…]}``
answered by ``{"success":…,"ret_msg":…,"conn_id":…,"req_id":…,"op":"subscribe"}`` (``req_id``
echoed), ``unsubscribe`` likewise, ``{"op":"ping"}`` answered with the public pong
(``ret_msg:"pong"``) or the private one (``op:"pong"``, ``args:[ms]``), and on the private
endpoint ``{"op":"auth","args":[key, expires, sign]}``. A background task ticks every 50 ms:
it advances the engine to the replay time and pushes what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSMsgType, web

from openalpha.sim.auth import AuthFailure, verify_ws
from openalpha.sim.ws.conn import WsConn
from openalpha.sim.ws.private import PrivateFeed, valid_private_topic
from openalpha.sim.ws.public import PublicFeed, parse_topic

TICK_S = 0.05
# Subscription acks leave after a short delay, as over a real network: pybit sends a subscribe
# request and only then records its req_id (BYBIT_V5.md §8), so an ack arriving within
# microseconds on loopback would hit pybit before it knows the request and kill its socket.
ACK_DELAY_S = 0.02


def later(fn: Any) -> None:
    asyncio.get_running_loop().call_later(ACK_DELAY_S, fn)


class WsHub:
    def __init__(self, state: Any, engine: Any) -> None:
        self.state = state
        self.engine = engine
        self.public: set[PublicFeed] = set()
        self.private: set[PrivateFeed] = set()
        engine.listeners.append(self._on_engine_event)
        engine.watched = self.is_watched
        engine.public_watch = lambda: bool(self.public)

    def is_watched(self, acct: Any) -> bool:
        return any(feed.api_key == acct.api_key for feed in self.private)

    def faults(self) -> Any:
        return self.state.extensions.get("faults")

    def _on_engine_event(self, acct: Any, kind: str, items: list[dict[str, Any]]) -> None:
        for feed in list(self.private):
            feed.deliver(acct.api_key, kind, items)
        if kind == "execution":
            for item in items:
                for pub in list(self.public):
                    pub.on_execution(item)

    async def ticker(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                self.engine.sync()
                for feed in list(self.public):
                    feed.on_tick()
            except Exception:  # a tick must never kill the loop
                import logging

                logging.getLogger(__name__).exception("simulator tick failed")

    # -- handlers ---------------------------------------------------------------------------
    async def _serve(self, request: web.Request, on_message: Any, conn: WsConn) -> web.WebSocketResponse:
        ws = conn.ws
        writer = asyncio.create_task(conn.writer())
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    conn.reply(
                        {"success": False, "ret_msg": "Invalid request: not JSON", "conn_id": conn.conn_id}
                    )
                    continue
                if not isinstance(data, dict):
                    conn.reply({"success": False, "ret_msg": "Invalid request", "conn_id": conn.conn_id})
                    continue
                on_message(data)
                if conn.closed:
                    break
        finally:
            conn.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, 1.0)
        return ws

    async def handle_public(self, request: web.Request) -> web.StreamResponse:
        category = request.match_info["category"]
        if category not in ("linear", "spot"):
            raise web.HTTPNotFound()
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = WsConn(ws, self.faults())
        feed = PublicFeed(conn, category, self.engine, self.state)
        self.public.add(feed)

        def on_message(data: dict[str, Any]) -> None:
            op = data.get("op")
            req_id = str(data.get("req_id", "") or "")
            if op == "ping":
                pong = {"success": True, "ret_msg": "pong", "conn_id": conn.conn_id, "op": "ping"}
                if category != "spot":
                    pong["req_id"] = req_id
                conn.reply(pong)
                return
            if op not in ("subscribe", "unsubscribe"):
                conn.reply(
                    {
                        "success": False,
                        "ret_msg": f"Invalid op: {op!r}",
                        "conn_id": conn.conn_id,
                        "req_id": req_id,
                        "op": op,
                    }
                )
                return
            args = data.get("args")
            if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
                conn.reply(
                    {
                        "success": False,
                        "ret_msg": "args must be a non-empty list of topics",
                        "conn_id": conn.conn_id,
                        "req_id": req_id,
                        "op": op,
                    }
                )
                return
            parsed = {t: parse_topic(t, category, self.engine) for t in args}
            bad = [t for t, p in parsed.items() if p is None]
            if bad:
                conn.reply(
                    {
                        "success": False,
                        "ret_msg": f"Invalid topic: {','.join(bad)}",
                        "conn_id": conn.conn_id,
                        "req_id": req_id,
                        "op": op,
                    }
                )
                return

            def answer() -> None:
                conn.reply(
                    {"success": True, "ret_msg": "", "conn_id": conn.conn_id, "req_id": req_id, "op": op}
                )
                for topic, p in parsed.items():
                    if op == "subscribe":
                        feed.subscribe(topic, p)  # type: ignore[arg-type]
                    else:
                        feed.subs.pop(topic, None)

            later(answer)

        try:
            return await self._serve(request, on_message, conn)
        finally:
            self.public.discard(feed)

    async def handle_private(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = WsConn(ws, self.faults())
        feed = PrivateFeed(conn, self.engine.now)
        self.private.add(feed)

        def on_message(data: dict[str, Any]) -> None:
            op = data.get("op")
            req_id = str(data.get("req_id", "") or "")
            base = {"conn_id": conn.conn_id, "req_id": req_id}
            if op == "ping":
                conn.reply(
                    {
                        "req_id": req_id,
                        "op": "pong",
                        "args": [str(self.state.clock.wall_ms())],
                        "conn_id": conn.conn_id,
                    }
                )
            elif op == "auth":
                outcome = verify_ws(data.get("args"), self.engine.secrets, self.state.clock.wall_ms())
                if isinstance(outcome, AuthFailure):
                    conn.reply(
                        {
                            "success": False,
                            "ret_msg": outcome.message,
                            "retCode": outcome.code,
                            "op": "auth",
                            **base,
                        }
                    )
                else:
                    feed.api_key = outcome
                    conn.reply({"success": True, "ret_msg": "", "op": "auth", **base})
            elif op in ("subscribe", "unsubscribe"):
                args = data.get("args")
                if feed.api_key is None:
                    conn.reply({"success": False, "ret_msg": "Request not authorized", "op": op, **base})
                elif (
                    not isinstance(args, list)
                    or not args
                    or not all(isinstance(a, str) and valid_private_topic(a) for a in args)
                ):
                    conn.reply(
                        {"success": False, "ret_msg": f"Invalid topic: {args!r}"[:200], "op": op, **base}
                    )
                else:
                    topics = list(args)

                    def answer() -> None:
                        if op == "subscribe":
                            feed.topics.update(topics)
                        else:
                            feed.topics.difference_update(topics)
                        conn.reply({"success": True, "ret_msg": "", "op": op, **base})

                    later(answer)
            else:
                conn.reply({"success": False, "ret_msg": f"Invalid op: {op!r}"[:100], "op": op, **base})

        try:
            return await self._serve(request, on_message, conn)
        finally:
            self.private.discard(feed)


def register_ws(app: web.Application, state: Any, engine: Any) -> WsHub:
    hub = WsHub(state, engine)
    state.extensions["ws.hub"] = hub
    app.router.add_get("/v5/public/{category}", hub.handle_public)
    app.router.add_get("/v5/private", hub.handle_private)

    async def ticking(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(hub.ticker())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(ticking)
    return hub
