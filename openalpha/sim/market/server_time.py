"""``/v5/market/time`` (BYBIT_V5.md §3): ``{timeSecond, timeNano}`` of the simulator's market time."""

from __future__ import annotations

from aiohttp import web

from openalpha.sim.envelope import ok
from openalpha.sim.state import sim_state


async def handle_time(request: web.Request) -> web.Response:
    now = sim_state(request).clock.now_ms()
    return ok({"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}, now)
