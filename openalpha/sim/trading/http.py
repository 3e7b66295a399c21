"""Plumbing shared by the private REST handlers: authentication, parameter parsing, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
from aiohttp import web

from openalpha.sim.auth import AuthFailure, verify_rest
from openalpha.sim.envelope import BybitError, ok
from openalpha.sim.state import SimState, sim_state
from openalpha.sim.trading.account import Account
from openalpha.sim.trading.engine import Engine
from openalpha.sim.trading.errors import SimError

ENGINE_KEY = "trading.engine"

Params = dict[str, Any]
Handler = Callable[[SimState, Engine, Account, Params], Any]


def engine_of(state: SimState) -> Engine:
    return state.extensions[ENGINE_KEY]  # type: ignore[no-any-return]


def perr(message: str) -> BybitError:
    return BybitError(10001, message)


async def _payload(request: web.Request) -> tuple[bytes, Params]:
    if request.method == "GET":
        raw = request.raw_path.partition("?")[2]
        return raw.encode(), dict(request.query)
    body = await request.read()
    if not body.strip():
        return body, {}
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise perr("params error: request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise perr("params error: request body must be a JSON object")
    return body, data


def signed(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap ``handler(state, engine, account, params)``: verify the signature, map SimError."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        state = sim_state(request)
        engine = engine_of(state)
        raw, params = await _payload(request)
        outcome = verify_rest(request.headers, raw, engine.secrets, state.clock.wall_ms())
        if isinstance(outcome, AuthFailure):
            status = 401 if outcome.code == 10003 and not request.headers.get("X-BAPI-API-KEY") else 200
            raise BybitError(outcome.code, outcome.message, http_status=status)
        acct = engine.accounts[outcome]
        try:
            result = handler(state, engine, acct, params)
        except SimError as err:
            raise BybitError(err.code, err.message) from None
        return ok(result, state.clock.now_ms(), message="OK")

    return wrapped


def text(params: Params, name: str, *, required: bool = False, default: str = "") -> str:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise perr(f"params error: {name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise perr(f"params error: {name} must be a string")
    return str(value)


def decimal(params: Params, name: str, *, required: bool = False) -> Decimal | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise perr(f"params error: {name} is required")
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise perr(f"params error: {name} must be a decimal string")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise perr(f"params error: {name} is not a number: {str(raw)[:40]!r}") from None
    if not value.is_finite() or value < 0:
        raise perr(f"params error: {name} must be a finite non-negative number")
    return value


def flag(params: Params, name: str) -> bool:
    raw = params.get(name, False)
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "True", "1", 1):
        return True
    if raw in ("false", "False", "0", 0, "", None):
        return False
    raise perr(f"params error: {name} must be a boolean")


def integer(params: Params, name: str, default: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(str(raw))
    except ValueError:
        raise perr(f"params error: {name} must be an integer") from None


def page(items: list[Any], params: Params, default: int, maximum: int) -> tuple[list[Any], str]:
    """Slice ``items`` by ``limit`` and the opaque ``cursor`` (an offset); returns (page, nextPageCursor)."""
    limit = integer(params, "limit", default) or default
    if not 1 <= limit <= maximum:
        raise perr(f"params error: limit must be in [1, {maximum}]")
    cursor = text(params, "cursor")
    start = 0
    if cursor:
        if not cursor.isdigit():
            raise perr("params error: invalid cursor")
        start = int(cursor)
    chunk = items[start : start + limit]
    nxt = str(start + limit) if start + limit < len(items) else ""
    return chunk, nxt


def category(params: Params, allowed: tuple[str, ...] = ("linear", "spot", "inverse", "option")) -> str:
    cat = text(params, "category", required=True)
    if cat not in allowed:
        raise perr(f"params error: Illegal category {cat!r}")
    return cat
