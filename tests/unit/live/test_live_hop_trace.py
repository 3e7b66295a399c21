"""The decision path's stamps join across processes by (symbol, decision sequence)."""

from __future__ import annotations

from typing import Any

from openalpha.live import hop_trace
from openalpha.live.ids import order_link_id


class _Adapter:
    def __init__(self) -> None:
        self.placed: list[str] = []

    def place_order(self, request: Any) -> str:
        self.placed.append(request.order_link_id)
        return "ack"

    def wallet(self) -> str:
        return "wallet"


class _Request:
    def __init__(self, link: str) -> None:
        self.order_link_id = link


def test_stamps_of_a_bar_and_of_its_order_share_one_key() -> None:
    hop_trace.drain()
    link = order_link_id("flip.BTCUSDT", "BTCUSDT", 42)
    hop_trace.mark("bar_received", "BTCUSDT", 42)
    hop_trace.mark("bar_received", "ETHUSDT@spot", 7)
    hop_trace.mark_link("journal_saved", link)
    hop_trace.mark_link("journal_saved", "someone-elses-order")  # foreign: ignored
    stamps = hop_trace.drain()
    assert [(h, s, q) for h, s, q, _ in stamps] == [
        ("bar_received", "BTCUSDT", 42),
        ("bar_received", "ETHUSDT", 7),
        ("journal_saved", "BTCUSDT", 42),
    ]
    assert stamps[0][3] <= stamps[2][3]
    assert hop_trace.drain() == []


def test_traced_adapter_stamps_around_place_order_and_delegates_the_rest() -> None:
    hop_trace.drain()
    inner = _Adapter()
    traced = hop_trace.TracedPlacing(inner)
    link = order_link_id("flip.BTCUSDT", "BTCUSDT", 9)
    assert traced.place_order(_Request(link)) == "ack"
    assert traced.wallet() == "wallet"
    assert inner.placed == [link]
    assert [h for h, *_ in hop_trace.drain()] == ["rest_sent", "rest_returned"]
