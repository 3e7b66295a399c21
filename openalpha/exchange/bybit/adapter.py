"""``BybitExchange``: the :class:`~openalpha.exchange.protocol.Exchange` port for Bybit V5.

One class for every environment; only URLs and keys differ:

=========  =================================  ==========================================
env        REST                               WebSocket (public / private)
=========  =================================  ==========================================
paper      the simulator's ``base_url``       ``ws://…/v5/public/{cat}`` / ``ws://…/v5/private``
demo       https://api-demo.bybit.com         stream.bybit.com / stream-demo.bybit.com
testnet    https://api-testnet.bybit.com      stream-testnet.bybit.com
mainnet    https://api.bybit.com              stream.bybit.com (needs ``allow_mainnet=True``)
=========  =================================  ==========================================

Order placement is idempotent: the caller's ``orderLinkId`` names the order; after a timeout,
a 5xx or a rate-limit answer the adapter first asks whether the order exists (by link id)
and only re-sends when it does not; a "duplicate orderLinkId" answer means an earlier attempt
landed, and that order is returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from openalpha.domain import (
    Balance,
    Bar,
    Category,
    Environment,
    Fill,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
)
from openalpha.exchange.bybit import parse
from openalpha.exchange.bybit.rest import BybitRest, wall_ms
from openalpha.exchange.bybit.session import StreamSession
from openalpha.exchange.bybit.streams import Deduper
from openalpha.exchange.errors import ExchangeError, RejectedError, RetryableError, UnknownStateError
from openalpha.exchange.protocol import PrivateHandlers
from openalpha.exchange.ratelimit import RateLimiter
from openalpha.venue import round_price, round_qty

T = TypeVar("T")

log = logging.getLogger(__name__)

URLS: dict[Environment, tuple[str, str, str]] = {
    Environment.DEMO: (
        "https://api-demo.bybit.com",
        "wss://stream.bybit.com/v5/public/{category}",
        "wss://stream-demo.bybit.com/v5/private",
    ),
    Environment.TESTNET: (
        "https://api-testnet.bybit.com",
        "wss://stream-testnet.bybit.com/v5/public/{category}",
        "wss://stream-testnet.bybit.com/v5/private",
    ),
    Environment.MAINNET: (
        "https://api.bybit.com",
        "wss://stream.bybit.com/v5/public/{category}",
        "wss://stream.bybit.com/v5/private",
    ),
}
DUPLICATE_LINK_CODES = frozenset({110072, 170141})


def endpoints(env: Environment, base_url: str | None) -> tuple[str, str, str]:
    """(REST base, public WS template with ``{category}``, private WS) for ``env``."""
    if env is Environment.PAPER:
        if not base_url:
            raise ValueError("the paper environment needs the simulator's base_url")
        ws = base_url.rstrip("/").replace("https://", "wss://").replace("http://", "ws://")
        return base_url.rstrip("/"), ws + "/v5/public/{category}", ws + "/v5/private"
    rest, pub, priv = URLS[env]
    return (base_url.rstrip("/") if base_url else rest), pub, priv


class BybitExchange:
    """The Bybit adapter (see the module docstring)."""

    def __init__(
        self,
        env: Environment | str,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        base_url: str | None = None,
        allow_mainnet: bool = False,
        limiter: RateLimiter | None = None,
        timeout_s: float = 10.0,
        max_attempts: int = 4,
        backoff_s: float = 0.1,
        clock: Callable[[], int] = wall_ms,
    ) -> None:
        self.env = Environment(env)
        if self.env is Environment.MAINNET and not allow_mainnet:
            raise ValueError("mainnet trading needs an explicit opt-in (allow_mainnet=True)")
        self.rest_url, self.public_url, self.private_url = endpoints(self.env, base_url)
        self.api_key, self.api_secret = api_key, api_secret
        self.rest = BybitRest(
            self.rest_url,
            api_key,
            api_secret,
            limiter=limiter,
            timeout_s=timeout_s,
            clock=clock,
            sync_from_server_time=self.env is not Environment.PAPER,
        )
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self._instruments: dict[Category, dict[str, Instrument]] = {}
        self._lock = threading.Lock()
        self.streams = StreamSession(self)
        self.placements = 0
        self.lookups = 0

    # -- reference data ---------------------------------------------------------------------
    def server_time_ms(self) -> int:
        return self._retry(self.rest.sync_time)

    def instruments(self, category: Category) -> list[Instrument]:
        cat = Category(category)
        with self._lock:
            cached = self._instruments.get(cat)
        if cached is None:
            cached = {}
            cursor = ""
            while True:
                kw: dict[str, Any] = {"category": cat.value, "limit": 1000}
                if cursor:
                    kw["cursor"] = cursor
                result = self._retrying("get_instruments_info", **kw)["result"]
                for item in result.get("list", []):
                    if item.get("status", "Trading") == "Trading":
                        inst = parse.parse_instrument(item, cat)
                        cached[inst.symbol] = inst
                cursor = result.get("nextPageCursor") or ""
                if not cursor:
                    break
            with self._lock:
                self._instruments[cat] = cached
        return list(cached.values())

    def instrument(self, symbol: str, category: Category = Category.LINEAR) -> Instrument:
        cat = Category(category)
        if cat not in self._instruments:
            self.instruments(cat)
        inst = self._instruments[cat].get(symbol)
        if inst is None:
            raise RejectedError(f"unknown {cat.value} symbol {symbol!r}", 10001)
        return inst

    # -- orders -------------------------------------------------------------------------------
    def _pause(self, attempt: int, err: ExchangeError) -> None:
        wait = self.backoff_s * (2**attempt)
        if isinstance(err, RetryableError) and err.retry_after_ms:
            wait = max(wait, err.retry_after_ms / 1000)
        time.sleep(min(wait, 5.0))

    def place_order(self, request: OrderRequest) -> Order:
        inst = self.instrument(request.symbol, request.category)
        params = parse.order_params(request, inst)
        last: ExchangeError | None = None
        for attempt in range(self.max_attempts):
            if attempt:
                found = self._lookup_quietly(request)
                if found is not None:
                    return found
            try:
                self.placements += 1
                result = self.rest.call("place_order", **params)["result"]
            except RejectedError as err:
                if err.code in DUPLICATE_LINK_CODES:
                    found = self.order_by_link_id(request.category, request.symbol, request.order_link_id)
                    if found is not None:
                        return found
                raise
            except (RetryableError, UnknownStateError) as err:
                last = err
                self._pause(attempt, err)
                continue
            now = int(time.time() * 1000)
            order = Order.from_request(msgspec.structs.replace(request, qty=Decimal(params["qty"])), now)
            return order.transition(OrderStatus.NEW, now, order_id=str(result.get("orderId", "")))
        found = self._lookup_quietly(request)
        if found is not None:
            return found
        raise UnknownStateError(
            f"order {request.order_link_id}: outcome unknown after {self.max_attempts} attempts ({last})"
        )

    def _lookup_quietly(self, request: OrderRequest) -> Order | None:
        try:
            return self.order_by_link_id(request.category, request.symbol, request.order_link_id)
        except (RetryableError, UnknownStateError):
            return None

    def _retrying(self, method: str, **params: Any) -> dict[str, Any]:
        """A read (or an idempotent write) retried on transient failures (5xx, 10006, network)."""
        return self._retry(lambda: self.rest.call(method, **params))

    def _retry(self, fn: Callable[[], T]) -> T:
        for attempt in range(self.max_attempts):
            try:
                return fn()
            except RetryableError as err:
                if attempt == self.max_attempts - 1:
                    raise
                self._pause(attempt, err)
        raise AssertionError("unreachable")

    def amend_order(
        self,
        symbol: str,
        category: Category,
        order_link_id: str,
        *,
        qty: Decimal | None = None,
        price: Decimal | None = None,
    ) -> Order:
        inst = self.instrument(symbol, category)
        current = self.order_by_link_id(category, symbol, order_link_id)
        if current is None:
            raise RejectedError(f"order {order_link_id} not found", 110001)
        params: dict[str, Any] = {
            "category": inst.category.value,
            "symbol": symbol,
            "orderLinkId": order_link_id,
        }
        if qty is not None:
            params["qty"] = parse.text(round_qty(qty, inst))
        if price is not None:
            params["price"] = parse.text(round_price(price, inst, current.side))
        self._retrying("amend_order", **params)
        after = self.order_by_link_id(category, symbol, order_link_id)
        if after is None:
            raise UnknownStateError(f"order {order_link_id} vanished after amend")
        return after

    def cancel_order(self, symbol: str, category: Category, order_link_id: str) -> None:
        params = {"category": Category(category).value, "symbol": symbol, "orderLinkId": order_link_id}
        try:
            self._retrying("cancel_order", **params)
        except UnknownStateError:
            found = self.order_by_link_id(category, symbol, order_link_id)
            if found is not None and found.is_open:
                self._retrying("cancel_order", **params)

    def cancel_all(self, category: Category, symbol: str | None = None) -> list[str]:
        params: dict[str, Any] = {"category": Category(category).value}
        if symbol:
            params["symbol"] = symbol
        elif Category(category) is Category.LINEAR:
            params["settleCoin"] = "USDT"
        result = self._retrying("cancel_all_orders", **params)["result"]
        return [i.get("orderLinkId") or i.get("orderId", "") for i in result.get("list", [])]

    def _paged(self, method: str, limit: int, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = ""
        while True:
            kw = dict(params, limit=limit)
            if cursor:
                kw["cursor"] = cursor
            result = self._retrying(method, **kw)["result"]
            items.extend(result.get("list", []))
            cursor = result.get("nextPageCursor") or ""
            if not cursor:
                return items

    def open_orders(self, category: Category, symbol: str | None = None) -> list[Order]:
        cat = Category(category)
        params: dict[str, Any] = {"category": cat.value}
        if symbol:
            params["symbol"] = symbol
        elif cat is Category.LINEAR:
            params["settleCoin"] = "USDT"
        return [parse.parse_order(i, cat) for i in self._paged("get_open_orders", 50, **params)]

    def order_by_link_id(self, category: Category, symbol: str, order_link_id: str) -> Order | None:
        cat = Category(category)
        self.lookups += 1
        for method in ("get_open_orders", "get_order_history"):
            result = self._retrying(method, category=cat.value, symbol=symbol, orderLinkId=order_link_id)[
                "result"
            ]
            rows = result.get("list", [])
            if rows:
                return parse.parse_order(rows[0], cat)
        return None

    def executions_since(self, category: Category, since_ms: int, symbol: str | None = None) -> list[Fill]:
        cat = Category(category)
        params: dict[str, Any] = {"category": cat.value, "startTime": int(since_ms)}
        if symbol:
            params["symbol"] = symbol
        rows = self._paged("get_executions", 100, **params)
        fills = [parse.parse_execution(r, cat) for r in rows]
        fills.sort(key=lambda f: (f.ts, f.exec_id))
        return fills

    # -- account ------------------------------------------------------------------------------
    def positions(self, category: Category = Category.LINEAR, symbol: str | None = None) -> list[Position]:
        params: dict[str, Any] = {"category": Category(category).value}
        if symbol:
            params["symbol"] = symbol
        else:
            params["settleCoin"] = "USDT"
        return [parse.parse_position(i) for i in self._paged("get_positions", 200, **params)]

    def wallet(self) -> list[Balance]:
        body = self._retrying("get_wallet_balance", accountType="UNIFIED")
        ts = int(body.get("time") or 0)
        out: list[Balance] = []
        for account in body["result"].get("list", []):
            out.extend(parse.parse_wallet(account, self.env, ts))
        return out

    def set_leverage(self, symbol: str, leverage: Decimal) -> None:
        inst = self.instrument(symbol, Category.LINEAR)
        if not Decimal(1) <= leverage <= inst.max_leverage:
            raise RejectedError(f"leverage {leverage} outside [1, {inst.max_leverage}] for {symbol}", 10001)
        lev = parse.text(leverage.quantize(Decimal("0.01")))
        self._retrying("set_leverage", category="linear", symbol=symbol, buyLeverage=lev, sellLeverage=lev)

    # -- streams ------------------------------------------------------------------------------
    def subscribe_bars(
        self,
        symbol: str,
        interval: str,
        callback: Callable[[Bar], None],
        category: Category = Category.LINEAR,
    ) -> None:
        self.streams.subscribe_bars(symbol, interval, callback, category)

    def subscribe_private(self, handlers: PrivateHandlers) -> None:
        self.streams.subscribe_private(handlers)

    @property
    def dedupe(self) -> Deduper:
        return self.streams.dedupe

    @property
    def backfills(self) -> int:
        return self.streams.backfills

    def close(self) -> None:
        self.streams.close()
