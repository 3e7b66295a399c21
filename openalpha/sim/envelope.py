"""Bybit V5 response envelopes (BYBIT_V5.md §2): ``{retCode, retMsg, result, retExtInfo, time}``.

Business errors travel with HTTP 200 and a non-zero ``retCode``; handlers raise
:class:`BybitError` and the app's middleware turns it (or any other exception) into an envelope.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from aiohttp import web

_encoder = msgspec.json.Encoder()

# Codes the simulator uses (BYBIT_V5.md §2).
PARAM_ERROR = 10001
TOO_MANY_VISITS = 10006
SERVER_ERROR = 10016
ROUTE_NOT_FOUND = 10017


class BybitError(Exception):
    """A request the simulator answers with a non-zero retCode (HTTP 200 unless ``http_status``)."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        http_status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.headers = headers or {}


def envelope(code: int, message: str, result: Any, time_ms: int) -> dict[str, Any]:
    """The envelope as a plain dict (for WebSocket replies or tests)."""
    return {"retCode": code, "retMsg": message, "result": result, "retExtInfo": {}, "time": time_ms}


def _response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=_encoder.encode(body), status=status, headers=headers, content_type="application/json"
    )


def _now(time_ms: int | None) -> int:
    return time.time_ns() // 1_000_000 if time_ms is None else time_ms


def ok(result: Any, time_ms: int | None = None, message: str = "OK") -> web.Response:
    """A success envelope (``retCode`` 0). Pass ``state.clock.now_ms()`` as ``time_ms`` (default: wall)."""
    return _response(envelope(0, message, result, _now(time_ms)))


def error(
    code: int,
    message: str,
    time_ms: int | None = None,
    *,
    http_status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """An error envelope; ``result`` is ``{}`` as Bybit sends it."""
    return _response(envelope(code, message, {}, _now(time_ms)), http_status, headers)
