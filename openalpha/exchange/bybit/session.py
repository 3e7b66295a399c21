"""The adapter's stream side: pybit WebSockets, safe callbacks, dedup and REST back-fill.

Used by :class:`openalpha.exchange.bybit.adapter.BybitExchange`; see
:mod:`openalpha.exchange.bybit.streams` for the building blocks. After every reconnect the
missed events are fetched over REST (closed bars; executions since the last one seen, orders,
positions, wallet) and delivered through the same dedup, so nothing arrives twice or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openalpha.domain import Bar, Category, interval_ms
from openalpha.exchange.bybit import parse
from openalpha.exchange.bybit.streams import Deduper, HookedWebSocket, safe
from openalpha.exchange.errors import ExchangeError
from openalpha.exchange.protocol import PrivateHandlers

if TYPE_CHECKING:
    from openalpha.exchange.bybit.adapter import BybitExchange

log = logging.getLogger(__name__)


class StreamSession:
    """Public and private sockets of one adapter, and what they have delivered."""

    def __init__(self, ex: BybitExchange) -> None:
        self.ex = ex
        self.dedupe = Deduper()
        self.callback_errors = [0]
        self._public: dict[Category, HookedWebSocket] = {}
        self._bar_subs: list[tuple[Category, str, str, Callable[[Bar], None]]] = []
        self._private: HookedWebSocket | None = None
        self._handlers: PrivateHandlers | None = None
        self._last_exec_ms = 0
        self._last_order_ms = 0
        self.backfills = 0

    def _public_ws(self, category: Category) -> HookedWebSocket:
        ws = self._public.get(category)
        if ws is None:
            url = self.ex.public_url.format(category=category.value)
            ws = HookedWebSocket(
                url,
                on_connect=lambda: self._backfill_bars(category),
                testnet=False,
                channel_type=category.value,
            )
            self._public[category] = ws
        return ws

    def subscribe_bars(
        self,
        symbol: str,
        interval: str,
        callback: Callable[[Bar], None],
        category: Category = Category.LINEAR,
    ) -> None:
        cat = Category(category)
        self._bar_subs.append((cat, symbol, str(interval), callback))

        def on_kline(message: dict[str, Any]) -> None:
            for item in message.get("data", []):
                if item.get("confirm"):
                    bar = parse.parse_ws_kline(item, symbol)
                    if self.dedupe.newer_bar(symbol, bar.interval, bar.ts):
                        callback(bar)

        self._public_ws(cat).kline_stream(
            interval=int(interval) if str(interval).isdigit() else interval,
            symbol=symbol,
            callback=safe(on_kline, self.callback_errors),
        )

    def _backfill_bars(self, category: Category) -> None:
        self.backfills += 1
        for cat, symbol, interval, callback in list(self._bar_subs):
            if cat is not category:
                continue
            try:
                last = self.dedupe.bars.get((symbol, interval), -1)
                body = self.ex._retrying(
                    "get_kline", category=cat.value, symbol=symbol, interval=interval, limit=200
                )
                now = int(body.get("time") or 0)
                step = interval_ms(interval)
                rows = sorted(body["result"].get("list", []), key=lambda r: int(r[0]))
                for row in rows:
                    bar = parse.parse_rest_kline(row, symbol, interval)
                    if (
                        bar.ts > last
                        and bar.ts + step <= now
                        and self.dedupe.newer_bar(symbol, interval, bar.ts)
                    ):
                        callback(bar)
            except Exception:
                log.exception("bar back-fill failed for %s %s", symbol, interval)

    def subscribe_private(self, handlers: PrivateHandlers) -> None:
        if not (self.ex.api_key and self.ex.api_secret):
            raise ExchangeError("private streams need API keys")
        self._handlers = handlers
        ws = HookedWebSocket(
            self.ex.private_url,
            on_connect=self._backfill_private,
            testnet=False,
            channel_type="private",
            api_key=self.ex.api_key,
            api_secret=self.ex.api_secret,
        )
        self._private = ws
        ws.order_stream(callback=safe(self._on_order_msg, self.callback_errors))
        ws.execution_stream(callback=safe(self._on_exec_msg, self.callback_errors))
        ws.position_stream(callback=safe(self._on_position_msg, self.callback_errors))
        ws.wallet_stream(callback=safe(self._on_wallet_msg, self.callback_errors))

    def _deliver_order(self, item: dict[str, Any]) -> None:
        cat = (
            Category(item.get("category", "linear"))
            if item.get("category") in ("linear", "spot")
            else Category.LINEAR
        )
        order = parse.parse_order(item, cat)
        if self.dedupe.newer_order(
            order.order_id, order.updated_ts, item.get("orderStatus", ""), order.filled_qty
        ):
            self._last_order_ms = max(self._last_order_ms, order.updated_ts)
            if self._handlers and self._handlers.on_order:
                self._handlers.on_order(order)

    def _deliver_fill(self, item: dict[str, Any]) -> None:
        cat = (
            Category(item.get("category", "linear"))
            if item.get("category") in ("linear", "spot")
            else Category.LINEAR
        )
        fill = parse.parse_execution(item, cat)
        if self.dedupe.new_execution(fill.exec_id):
            self._last_exec_ms = max(self._last_exec_ms, fill.ts)
            if self._handlers and self._handlers.on_fill:
                self._handlers.on_fill(fill)

    def _on_order_msg(self, message: dict[str, Any]) -> None:
        for item in message.get("data", []):
            self._deliver_order(item)

    def _on_exec_msg(self, message: dict[str, Any]) -> None:
        for item in sorted(message.get("data", []), key=lambda i: int(i.get("execTime") or 0)):
            self._deliver_fill(item)

    def _on_position_msg(self, message: dict[str, Any]) -> None:
        if self._handlers and self._handlers.on_position:
            for item in message.get("data", []):
                if item.get("category", "linear") == "linear":
                    self._handlers.on_position(parse.parse_position(item))

    def _on_wallet_msg(self, message: dict[str, Any]) -> None:
        if self._handlers and self._handlers.on_balance:
            ts = int(message.get("creationTime") or 0)
            for account in message.get("data", []):
                for balance in parse.parse_wallet(account, self.ex.env, ts):
                    self._handlers.on_balance(balance)

    def _backfill_private(self) -> None:
        """After a reconnect: executions, orders, positions and wallet over REST."""
        self.backfills += 1
        try:
            since = max(0, self._last_exec_ms - 1)
            for cat in (Category.LINEAR, Category.SPOT):
                rows = self.ex._paged("get_executions", 100, category=cat.value, startTime=since)
                for item in sorted(rows, key=lambda i: int(i.get("execTime") or 0)):
                    self._deliver_fill(dict(item, category=cat.value))
                params: dict[str, Any] = {"category": cat.value}
                if cat is Category.LINEAR:
                    params["settleCoin"] = "USDT"
                for method in ("get_open_orders", "get_order_history"):
                    for item in self.ex._paged(method, 50, **params):
                        self._deliver_order(dict(item, category=cat.value))
            if self._handlers and self._handlers.on_position:
                for pos in self.ex.positions(Category.LINEAR):
                    self._handlers.on_position(pos)
            if self._handlers and self._handlers.on_balance:
                for bal in self.ex.wallet():
                    self._handlers.on_balance(bal)
        except Exception:
            self.callback_errors[0] += 1
            log.exception("private back-fill failed")

    def close(self) -> None:
        sockets = list(self._public.values()) + ([self._private] if self._private else [])
        for ws in sockets:
            try:
                ws.exit()
            except Exception:
                log.debug("closing a WebSocket failed", exc_info=True)
        self._public.clear()
        self._private = None
