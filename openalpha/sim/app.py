"""The simulator's aiohttp application: routes, envelopes for every failure, rate limits.

Extension point for the trading half (issue 4): ``create_app`` calls
``openalpha.sim.trading.register(app, state)`` when that module exposes it. It may add routes,
WebSocket handlers, middlewares (before the app starts) and keep its objects in
``state.extensions``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable

from aiohttp import web

from openalpha.sim.envelope import (
    PARAM_ERROR,
    ROUTE_NOT_FOUND,
    SERVER_ERROR,
    TOO_MANY_VISITS,
    BybitError,
    error,
)
from openalpha.sim.market.routes import register_market
from openalpha.sim.ratelimit import LimitDecision
from openalpha.sim.state import SIM_KEY, SimState, sim_state

try:  # the trading half lands with issue 4; the trading engineer owns this one line
    from openalpha.sim.trading import register as register_trading
except ImportError as exc:  # only "not written yet" is tolerated, never a broken trading package
    if exc.name not in ("openalpha.sim.trading",):
        raise
    register_trading = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_state = sim_state
RATE_LIMIT_KEY: web.RequestKey[LimitDecision] = web.RequestKey("rate_limit", LimitDecision)


@web.middleware
async def envelope_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn any failure into a Bybit envelope and attach the rate-limit headers to every answer."""
    state = _state(request)
    try:
        response = await handler(request)
    except BybitError as err:
        response = error(
            err.code, err.message, state.clock.now_ms(), http_status=err.http_status, headers=err.headers
        )
    except web.HTTPException as exc:
        if exc.status == 404:
            response = error(ROUTE_NOT_FOUND, "Route not found", state.clock.now_ms(), http_status=404)
        elif exc.status == 405:
            response = error(ROUTE_NOT_FOUND, f"Method {request.method} not allowed", http_status=405)
        elif exc.status < 400:
            raise
        else:
            response = error(PARAM_ERROR, exc.reason or "Bad request", http_status=exc.status)
    except Exception:
        log.exception("simulator handler failed: %s %s", request.method, request.path_qs)
        response = error(SERVER_ERROR, "Server error", state.clock.now_ms())
    decision = request.get(RATE_LIMIT_KEY)
    if decision is not None and not response.prepared:
        response.headers.update(decision.headers())
    return response


def _category_of(request: web.Request) -> str | None:
    return request.query.get("category")


@web.middleware
async def ratelimit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bybit's IP and per-endpoint limits (BYBIT_V5.md §7); refusals carry a future reset time."""
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await handler(request)
    state = _state(request)
    decision = state.rate_limits.check(
        ip=request.remote or "?",
        uid=request.headers.get("X-BAPI-API-KEY"),
        path=request.path,
        category=_category_of(request),
        now_ms=state.clock.wall_ms(),
    )
    request[RATE_LIMIT_KEY] = decision
    if not decision.allowed:
        if decision.ip_breach:
            raise BybitError(TOO_MANY_VISITS, "Too many visits! IP rate limit exceeded", http_status=403)
        raise BybitError(TOO_MANY_VISITS, "Too many visits!")
    return await handler(request)


def create_app(state: SimState) -> web.Application:
    """The simulator app for ``state``: market endpoints, plus the trading half when present."""
    app = web.Application(middlewares=[envelope_middleware, ratelimit_middleware])
    app[SIM_KEY] = state
    with warnings.catch_warnings():  # also reachable as app["sim"], as documented
        warnings.simplefilter("ignore")
        app["sim"] = state
    register_market(app)
    if register_trading is not None:
        register_trading(app, state)
    return app
