"""``/v5/market/funding/history`` (BYBIT_V5.md §3).

``category`` (linear|inverse) and ``symbol`` required; ``limit`` 1–200 (default 200).
Only ``startTime`` → error; only ``endTime`` → the ``limit`` newest settlements up to it;
neither → the newest up to now; both → the newest ``limit`` inside ``[startTime, endTime]``.
Items ``{symbol, fundingRate, fundingRateTimestamp}`` (strings), newest first. Settlements after
the clock's now are never served.
"""

from __future__ import annotations

from aiohttp import web

from openalpha.sim.envelope import ok
from openalpha.sim.market import params
from openalpha.sim.market.kline import check_symbol
from openalpha.sim.state import sim_state


async def handle_funding_history(request: web.Request) -> web.Response:
    state = sim_state(request)
    query = request.query
    category = params.category(query, ("linear", "inverse"))
    symbol = params.symbol(query)
    assert symbol is not None
    limit = params.limit(query, 1, 200, 200)
    start = params.integer(query, "startTime")
    end = params.integer(query, "endTime")
    if start is not None and end is None:
        raise params.param_error("params error: startTime is passed without endTime")
    now = state.clock.now_ms()
    if category not in params.TRADED:
        return ok({"category": category, "list": []}, now)
    check_symbol(state, category, symbol)
    series = state.market.get(category, "funding", symbol, "funding")
    items: list[dict[str, str]] = []
    if series is not None:
        hi_ts = now if end is None else min(end, now)
        lo, hi = series.span(start if start is not None else -(2**62), hi_ts)
        lo = max(lo, hi - limit)
        for ts, rate in series.rows[lo:hi][::-1].tolist():
            items.append({"symbol": symbol, "fundingRate": rate, "fundingRateTimestamp": ts})
    return ok({"category": category, "list": items}, now)
