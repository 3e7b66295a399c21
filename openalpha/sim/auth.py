"""Bybit V5 request authentication, server side (BYBIT_V5.md §1).

REST: ``sign = hex(HMAC_SHA256(secret, timestamp + api_key + recv_window + payload))`` where
``payload`` is the RAW query string of a GET (exactly as received on the wire, not re-encoded)
or the RAW body bytes of a POST (never re-serialised JSON). The timestamp is accepted when
``server_time - recv_window <= timestamp < server_time + 1000`` (ms); ``recv_window`` defaults
to 5000. Failures map to Bybit's codes: 10002 (time window), 10003 (unknown key), 10004 (bad
signature, ``error sign! origin_string[...]``).

WebSocket: ``{"op":"auth","args":[api_key, expires, sign]}`` with
``sign = hex(HMAC_SHA256(secret, "GET/realtime" + expires))`` and ``expires`` in the future.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

import msgspec

DEFAULT_RECV_WINDOW = 5000
FUTURE_TOLERANCE_MS = 1000


class AuthFailure(msgspec.Struct, frozen=True):
    """Why a request was not authenticated: Bybit's retCode and retMsg."""

    code: int
    message: str


def sign(secret: str, message: str | bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` under ``secret``."""
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def rest_origin(timestamp: str, api_key: str, recv_window: str, payload: bytes) -> bytes:
    """The exact bytes Bybit signs for a REST request."""
    return (timestamp + api_key + recv_window).encode() + payload


def verify_rest(
    headers: Mapping[str, str],
    payload: bytes,
    secrets: Mapping[str, str],
    server_ms: int,
) -> str | AuthFailure:
    """The API key of a correctly signed request, or the :class:`AuthFailure` to answer with.

    ``headers`` must be case-insensitive (aiohttp's are); ``payload`` is the raw query string
    (GET) or raw body (POST) as bytes.
    """
    api_key = headers.get("X-BAPI-API-KEY", "")
    if not api_key or api_key not in secrets:
        return AuthFailure(10003, "API key is invalid.")
    ts_text = headers.get("X-BAPI-TIMESTAMP", "")
    recv_text = headers.get("X-BAPI-RECV-WINDOW", "") or str(DEFAULT_RECV_WINDOW)
    if not recv_text.isdigit():
        return AuthFailure(10001, f"invalid recv_window: {recv_text[:32]}")
    recv_window = int(recv_text)
    if not ts_text.isdigit():
        return AuthFailure(10002, f"invalid request, please check your timestamp: {ts_text[:32]!r}")
    timestamp = int(ts_text)
    if not server_ms - recv_window <= timestamp < server_ms + FUTURE_TOLERANCE_MS:
        return AuthFailure(
            10002,
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{timestamp}],server_timestamp[{server_ms}],recv_window[{recv_window}]",
        )
    given = headers.get("X-BAPI-SIGN", "")
    origin = rest_origin(ts_text, api_key, headers.get("X-BAPI-RECV-WINDOW", ""), payload)
    expected = sign(secrets[api_key], origin)
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        shown = origin.decode("utf-8", errors="replace")
        return AuthFailure(10004, f"error sign! origin_string[{shown}]")
    return api_key


def ws_signature(secret: str, expires: int) -> str:
    """Signature of a WebSocket ``auth`` op."""
    return sign(secret, f"GET/realtime{expires}")


def verify_ws(args: object, secrets: Mapping[str, str], server_ms: int) -> str | AuthFailure:
    """The API key of a valid WebSocket ``auth`` request, or the failure to report."""
    if not isinstance(args, list) or len(args) != 3:
        return AuthFailure(10001, "Params Error: auth args must be [api_key, expires, signature]")
    api_key, expires, given = args
    if not isinstance(api_key, str) or api_key not in secrets:
        return AuthFailure(10003, "Invalid apikey")
    try:
        expires_ms = int(expires)
    except (TypeError, ValueError):
        return AuthFailure(10001, "Params Error: expires must be an integer")
    if expires_ms <= server_ms:
        return AuthFailure(10002, f"Params Error: request expired, expires[{expires_ms}] server[{server_ms}]")
    if not isinstance(given, str) or not hmac.compare_digest(
        given.lower().encode(), ws_signature(secrets[api_key], expires_ms).encode()
    ):
        return AuthFailure(10004, "Invalid sign")
    return api_key
