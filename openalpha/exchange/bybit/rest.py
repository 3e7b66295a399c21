"""Signed REST through pybit's ``HTTP`` with our rate limiter, clock offset and error tree.

* pybit's own retry loop is switched off (``max_retries=1``, no retry codes): this module
  decides what is retryable (:mod:`openalpha.exchange.errors`), so a 10006 never makes pybit
  sleep on a stale header and an order is never re-sent blindly.
* Requests are stamped with ``local wall clock + offset``. The offset is learnt from
  ``/v5/market/time`` (not in ``paper``: the simulator checks signatures against the wall
  clock while its market clock may be a replay) and corrected from the ``server_timestamp[…]``
  of any 10002 answer, after which the request is re-signed and re-sent once.
* Every answer's ``X-Bapi-Limit-*`` headers feed :class:`~openalpha.exchange.ratelimit.RateLimiter`.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError
from pybit.unified_trading import HTTP

from openalpha.exchange.errors import (
    ExchangeError,
    RetryableError,
    UnknownStateError,
    error_for_code,
    error_for_http_status,
)
from openalpha.exchange.ratelimit import RateLimiter

_SERVER_TS = re.compile(r"server_timestamp\[(\d+)\]")
WRITE_METHODS = frozenset({"place_order", "amend_order", "cancel_order", "cancel_all_orders", "set_leverage"})


def wall_ms() -> int:
    return int(time.time() * 1000)


class ClockedHTTP(HTTP):  # type: ignore[misc]
    """pybit's HTTP, stamping requests with ``clock() + offset_ms`` instead of the raw wall clock."""

    offset_ms: int = 0
    clock: Callable[[], int] = staticmethod(wall_ms)

    def _prepare_headers(
        self, payload: Any, recv_window: int, content_type: str = "application/json"
    ) -> dict[str, str]:
        timestamp = int(self.clock()) + int(self.offset_ms)
        signature = self._auth(payload=payload, recv_window=recv_window, timestamp=timestamp)
        return {
            "Content-Type": content_type,
            "X-BAPI-API-KEY": self.api_key,
            "X-BAPI-SIGN": signature,
            "X-BAPI-SIGN-TYPE": "2",
            "X-BAPI-TIMESTAMP": str(timestamp),
            "X-BAPI-RECV-WINDOW": str(recv_window),
        }


# pybit method -> REST path (the key of the client-side endpoint buckets)
PATHS = {
    "place_order": "/v5/order/create",
    "amend_order": "/v5/order/amend",
    "cancel_order": "/v5/order/cancel",
    "cancel_all_orders": "/v5/order/cancel-all",
    "get_open_orders": "/v5/order/realtime",
    "get_order_history": "/v5/order/history",
    "get_executions": "/v5/execution/list",
    "get_positions": "/v5/position/list",
    "set_leverage": "/v5/position/set-leverage",
    "get_wallet_balance": "/v5/account/wallet-balance",
    "get_fee_rates": "/v5/account/fee-rate",
    "get_instruments_info": "/v5/market/instruments-info",
    "get_server_time": "/v5/market/time",
    "get_kline": "/v5/market/kline",
}


class BybitRest:
    """One authenticated pybit session plus the policies above; thread-safe."""

    def __init__(
        self,
        endpoint: str,
        api_key: str | None,
        api_secret: str | None,
        *,
        limiter: RateLimiter | None = None,
        timeout_s: float = 10.0,
        recv_window: int = 5000,
        clock: Callable[[], int] = wall_ms,
        sync_from_server_time: bool = True,
    ) -> None:
        self.http = ClockedHTTP(
            api_key=api_key,
            api_secret=api_secret,
            timeout=timeout_s,
            recv_window=recv_window,
            max_retries=1,
            retry_codes={-1},  # nothing is retried inside pybit
            ignore_codes={110043},  # set-leverage unchanged is not an error for us
            return_response_headers=True,
        )
        self.http.endpoint = endpoint.rstrip("/")
        self.http.clock = clock
        self.limiter = limiter or RateLimiter.for_category("linear")
        self.clock = clock
        self.sync_from_server_time = sync_from_server_time
        self._lock = threading.Lock()
        self.time_resyncs = 0
        self._synced = not sync_from_server_time

    @property
    def offset_ms(self) -> int:
        return int(self.http.offset_ms)

    def sync_time(self) -> int:
        """Measure the server clock; returns the server time (ms) and updates the offset if allowed."""
        t0 = self.clock()
        body = self.call("get_server_time")
        t1 = self.clock()
        server = int(body.get("time") or int(body["result"]["timeSecond"]) * 1000)
        if self.sync_from_server_time:
            self.http.offset_ms = server - (t0 + t1) // 2
        return server

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call pybit's ``method``; returns the JSON body or raises an :class:`ExchangeError`."""
        if not self._synced and method != "get_server_time":
            self._synced = True  # first signed call: learn the clock offset before it (not in paper)
            self.sync_time()
        path = PATHS.get(method)
        self.limiter.acquire_blocking(path)
        try:
            return self._send(method, path, params)
        except ExchangeError as err:
            if err.code != 10002:
                raise
            match = _SERVER_TS.search(err.message)
            if match is None:
                raise
            with self._lock:
                self.http.offset_ms = int(match.group(1)) - self.clock() - 200
                self.time_resyncs += 1
            return self._send(method, path, params)

    def _send(self, method: str, path: str | None, params: dict[str, Any]) -> dict[str, Any]:
        fn = getattr(self.http, method)
        try:
            body, _elapsed, headers = fn(**dict(params))
        except InvalidRequestError as exc:
            headers = exc.resp_headers or {}
            self.limiter.observe_headers(headers, path)
            reset = headers.get("X-Bapi-Limit-Reset-Timestamp") if headers else None
            if exc.status_code == 10006:
                self.limiter.pause_until(int(reset) if reset else None, path)
            retry_after = max(0, int(reset) - wall_ms()) if (exc.status_code == 10006 and reset) else None
            raise error_for_code(int(exc.status_code), str(exc.message), retry_after_ms=retry_after) from None
        except FailedRequestError as exc:
            if exc.status_code == 403:
                self.limiter.pause_until(None, None, default_s=600.0)
            raise error_for_http_status(int(exc.status_code), f"{method}: {exc.message}") from None
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            what = f"{method}: {type(exc).__name__}"
            if method in WRITE_METHODS:
                raise UnknownStateError(f"{what}; the request may have taken effect") from None
            raise RetryableError(what) from None
        self.limiter.observe_headers(headers, path)
        code = int(body.get("retCode", 0) or 0)
        if code not in (0, 110043):
            raise error_for_code(code, str(body.get("retMsg", "")))
        return body  # type: ignore[no-any-return]


__all__ = ["PATHS", "BybitRest", "ClockedHTTP"]
