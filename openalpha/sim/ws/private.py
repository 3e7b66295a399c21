"""``/v5/private``: auth op, then order / execution / position / wallet topics (BYBIT_V5.md §5).

All-in-one topics (``order``) carry every category; categorised ones (``order.linear``) only
theirs; ``wallet`` has no category. Each push is ``{id, topic, creationTime, data:[...]}`` with
the topic exactly as subscribed. Nothing is pushed on subscribe (Bybit sends no snapshot).
"""

from __future__ import annotations

import uuid
from typing import Any

from openalpha.sim.ws.conn import WsConn

BASE_TOPICS = ("order", "execution", "position", "wallet")
CATEGORISED = {f"{t}.{c}" for t in ("order", "execution", "position") for c in ("linear", "spot")}


def valid_private_topic(topic: str) -> bool:
    return topic in BASE_TOPICS or topic in CATEGORISED


class PrivateFeed:
    def __init__(self, conn: WsConn, now: Any) -> None:
        self.conn = conn
        self.now = now
        self.api_key: str | None = None
        self.topics: set[str] = set()

    def deliver(self, api_key: str, kind: str, items: list[dict[str, Any]]) -> None:
        if api_key != self.api_key:
            return
        for topic in sorted(self.topics):
            base, _, cat = topic.partition(".")
            if base != kind:
                continue
            data = [i for i in items if not cat or i.get("category") == cat]
            if not data:
                continue
            message = {"id": str(uuid.uuid4()), "topic": topic, "creationTime": self.now(), "data": data}
            self.conn.push(message, execution=kind == "execution")
