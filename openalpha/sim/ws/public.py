"""``/v5/public/{linear,spot}``: kline, tickers, orderbook and publicTrade topics (BYBIT_V5.md §5).

Bars appear only when they close on the replay clock, so ``kline`` pushes each newly closed
candle once (``confirm: true``); ``tickers`` and ``orderbook`` push a snapshot on subscribe and
after every bar close or simulator trade; ``publicTrade`` pushes the simulator's own taker
fills and one trade per closed bar (at its close, size = bar volume, side by the bar's
direction). Topics are echoed exactly as subscribed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import numpy as np

from openalpha.domain import Category, interval_ms, normalize_interval
from openalpha.sim.ws.conn import WsConn

TOPIC = re.compile(
    r"^(kline\.(?P<iv>[^.]+)|tickers|orderbook\.(?P<depth>\d+)|publicTrade)\.(?P<sym>[A-Z0-9]+)$"
)
DEPTHS = ("1", "50", "200", "1000")


def parse_topic(topic: str, category: str, engine: Any) -> tuple[str, str, str] | None:
    """(kind, symbol, detail) of a valid public topic, else None."""
    m = TOPIC.match(topic)
    if m is None:
        return None
    sym = m.group("sym")
    if (Category(category), sym) not in engine.instruments:
        return None
    kind = topic.split(".", 1)[0]
    if kind == "kline":
        try:
            iv = normalize_interval(m.group("iv"))
        except ValueError:
            return None
        if m.group("iv") != iv:
            return None
        return kind, sym, iv
    if kind == "orderbook":
        return (kind, sym, m.group("depth")) if m.group("depth") in DEPTHS else None
    return kind, sym, ""


def _s(x: float) -> str:
    return np.format_float_positional(round(float(x), 10), trim="-")


class PublicFeed:
    """State of one public connection: what it subscribed to and what it has been sent."""

    def __init__(self, conn: WsConn, category: str, engine: Any, state: Any) -> None:
        self.conn = conn
        self.category = category
        self.engine = engine
        self.state = state
        self.subs: dict[str, tuple[str, str, str]] = {}
        self.sent_bar: dict[str, int] = {}

    def subscribe(self, topic: str, parsed: tuple[str, str, str]) -> None:
        self.subs[topic] = parsed
        kind, sym, _ = parsed
        series = self.engine.feed.get(self.category, sym)
        now = self.engine.now()
        self.sent_bar[topic] = series.last_closed(now) if series is not None else -1
        if kind in ("tickers", "orderbook"):
            self.push_state(topic)

    def push_state(self, topic: str) -> None:
        kind, sym, detail = self.subs[topic]
        now = self.engine.now()
        if kind == "orderbook":
            from openalpha.sim.trading.routes_public import book_snapshot

            try:
                snap = book_snapshot(self.engine, self.category, sym, int(detail))
            except Exception:  # no closed bar yet: nothing to show
                return
            snap.pop("ts", None)
            cts = snap.pop("cts", now)
            self.conn.push({"topic": topic, "type": "snapshot", "ts": now, "data": snap, "cts": cts})
        elif kind == "tickers":
            item = self.ticker(sym, now)
            if item is not None:
                self.conn.push({"topic": topic, "type": "snapshot", "data": item, "cs": now, "ts": now})

    def ticker(self, sym: str, now: int) -> dict[str, Any] | None:
        from openalpha.sim.market.tickers import _ticker

        inst = self.engine.instruments[(Category(self.category), sym)]
        item = _ticker(self.state, self.category, inst, now)
        if item is None:
            return None
        try:
            book = self.engine.book(inst)
        except Exception:
            return item
        item.update(
            bid1Price=str(book.best_bid),
            bid1Size=str(book.level_size),
            ask1Price=str(book.best_ask),
            ask1Size=str(book.level_size),
        )
        return item

    def on_tick(self) -> None:
        """Push what changed since the last tick (new closed bars)."""
        now = self.engine.now()
        for topic, (kind, sym, detail) in list(self.subs.items()):
            series = self.engine.feed.get(self.category, sym)
            if series is None:
                continue
            last = series.last_closed(now)
            prev = self.sent_bar.get(topic, -1)
            if last <= prev:
                continue
            self.sent_bar[topic] = last
            if kind == "kline":
                self.push_klines(topic, series, detail, prev, last, now)
            elif kind == "publicTrade":
                self.push_bar_trades(topic, sym, series, prev, last)
            else:
                self.push_state(topic)

    def push_klines(self, topic: str, series: Any, iv: str, prev: int, last: int, now: int) -> None:
        step = interval_ms(iv)
        if step < series.interval_ms or step % series.interval_ms:
            return
        lo_close = int(series.close_ts[prev]) if prev >= 0 else int(series.close_ts[0]) - 1
        hi_close = int(series.close_ts[last])
        first = (lo_close // step + 1) * step
        for end in range(first, hi_close + 1, step):
            start = end - step
            i0 = int(np.searchsorted(series.ts, start, "left"))
            i1 = int(np.searchsorted(series.ts, end, "left"))
            if i1 <= i0:
                continue
            item = {
                "start": start,
                "end": end - 1,
                "interval": iv,
                "open": _s(series.open[i0]),
                "close": _s(series.close[i1 - 1]),
                "high": _s(series.high[i0:i1].max()),
                "low": _s(series.low[i0:i1].min()),
                "volume": _s(series.volume[i0:i1].sum()),
                "turnover": _s(float(np.dot(series.volume[i0:i1], series.close[i0:i1]))),
                "confirm": True,
                "timestamp": now,
            }
            self.conn.push({"topic": topic, "type": "snapshot", "ts": now, "data": [item]})

    def push_bar_trades(self, topic: str, sym: str, series: Any, prev: int, last: int) -> None:
        rows = []
        for i in range(max(prev + 1, last - 49), last + 1):
            side = "Buy" if series.close[i] >= series.open[i] else "Sell"
            rows.append(
                {
                    "T": int(series.close_ts[i]) - 1,
                    "s": sym,
                    "S": side,
                    "v": _s(series.volume[i]),
                    "p": _s(series.close[i]),
                    "L": "ZeroPlusTick",
                    "i": f"bar-{sym}-{int(series.ts[i])}",
                    "BT": False,
                    "RPI": False,
                    "seq": int(series.ts[i]),
                }
            )
        if rows:
            self.conn.push({"topic": topic, "type": "snapshot", "ts": self.engine.now(), "data": rows})

    def on_execution(self, item: dict[str, Any]) -> None:
        """A simulator taker fill is a public trade (and moves the book and ticker)."""
        if item.get("category") != self.category or item.get("execType") != "Trade" or item.get("isMaker"):
            return
        sym = item["symbol"]
        for topic, (kind, s, _) in self.subs.items():
            if s != sym:
                continue
            if kind == "publicTrade":
                trade = {
                    "T": int(item["execTime"]),
                    "s": sym,
                    "S": item["side"],
                    "v": item["execQty"],
                    "p": item["execPrice"],
                    "L": "PlusTick" if item["side"] == "Buy" else "MinusTick",
                    "i": item["execId"],
                    "BT": False,
                    "RPI": False,
                    "seq": int(item["seq"]),
                }
                self.conn.push({"topic": topic, "type": "snapshot", "ts": self.engine.now(), "data": [trade]})
            elif kind == "orderbook":
                self.push_state(topic)


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
