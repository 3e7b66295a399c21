"""Public ``/v5/market/orderbook`` (the synthetic book) and ``/v5/market/risk-limit``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from openalpha.sim.envelope import BybitError, ok
from openalpha.sim.state import sim_state
from openalpha.sim.trading.errors import SimError
from openalpha.sim.trading.http import engine_of, integer, page, perr, text
from openalpha.sim.trading.records import fmt
from openalpha.venue import risk_tiers_for


def book_snapshot(engine: Any, category: str, symbol: str, limit: int) -> dict[str, Any]:
    """``{s, b, a, ts, u, seq, cts}`` of the synthetic book at the replay time."""
    inst = engine.instrument(category, symbol)
    index = engine.last_index(inst)
    book = engine.book(inst, index)
    taken_buy, taken_sell = engine.taken((inst.category, symbol), index)
    bids = _side(book, "Buy", limit, taken_sell)
    asks = _side(book, "Sell", limit, taken_buy)
    now = engine.now()
    u = index + 1
    return {"s": symbol, "b": bids, "a": asks, "ts": now, "u": u, "seq": u, "cts": now}


def _side(book: Any, side: str, limit: int, taken: Any) -> list[list[str]]:
    from openalpha.domain import Side

    levels = book.depth(Side(side), book.levels)
    out: list[list[str]] = []
    for price, size in levels:
        if taken >= size:
            taken -= size
            continue
        out.append([fmt(price), fmt(size - taken)])
        taken = 0
        if len(out) >= limit:
            break
    return out


async def handle_orderbook(request: web.Request) -> web.StreamResponse:
    state = sim_state(request)
    engine = engine_of(state)
    q = dict(request.query)
    cat = text(q, "category", required=True)
    if cat not in ("linear", "spot", "inverse", "option"):
        raise perr(f"params error: Illegal category {cat!r}")
    symbol = text(q, "symbol", required=True)
    limit = integer(q, "limit", 1 if cat == "spot" else 25) or 1
    if not 1 <= limit <= (25 if cat == "option" else 1000):
        raise perr("params error: limit out of range")
    if cat not in ("linear", "spot"):
        now = engine.now()
        return ok({"s": symbol, "b": [], "a": [], "ts": now, "u": 0, "seq": 0, "cts": now}, now)
    try:
        engine.sync()
        return ok(book_snapshot(engine, cat, symbol, limit), engine.now())
    except SimError as err:
        raise BybitError(err.code, err.message) from None


async def handle_risk_limit(request: web.Request) -> web.StreamResponse:
    state = sim_state(request)
    engine = engine_of(state)
    q = dict(request.query)
    cat = text(q, "category", required=True)
    if cat not in ("linear", "inverse"):
        raise perr(f"params error: Illegal category {cat!r}")
    if cat == "inverse":
        return ok({"category": cat, "list": [], "nextPageCursor": ""}, engine.now())
    symbol = text(q, "symbol")
    rows = []
    for (c, sym), inst in sorted(engine.instruments.items()):
        if c.value != "linear" or (symbol and sym != symbol):
            continue
        for n, tier in enumerate(inst.risk_tiers or risk_tiers_for(sym), start=1):
            rows.append(
                {
                    "id": n,
                    "symbol": sym,
                    "riskLimitValue": fmt(tier.limit),
                    "maintenanceMargin": fmt(tier.mmr),
                    "initialMargin": fmt(tier.imr),
                    "isLowestRisk": 1 if n == 1 else 0,
                    "maxLeverage": f"{tier.max_leverage:.2f}",
                    "mmDeduction": fmt(tier.mm_deduction),
                }
            )
    if symbol and not rows:
        raise perr(f"params error: symbol invalid: {symbol!r}")
    chunk, nxt = page(rows, {"limit": q.get("limit", ""), "cursor": q.get("cursor", "")}, 1000, 1000)
    return ok({"category": cat, "list": chunk, "nextPageCursor": nxt}, engine.now())
