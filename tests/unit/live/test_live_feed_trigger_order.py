"""The strategy actor starts the funding and mark feeds' background reads only once a bar is
decided: not on the bar of a first symbol whose decision still waits for the other symbols'
bars (a read started then would share the actor's process with that decision)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from actors.strategy_actor import StrategyActor
from openalpha.domain import Bar

HOUR = 3_600_000


class _Runner:
    """Decides (with no signal) once both symbols' bars of a bar time are in."""

    def __init__(self) -> None:
        self.seen: dict[int, set[str]] = {}
        self.last_decision_ts: int | None = None

    def on_bar(self, key: str, bar: Bar) -> list[Any]:
        self.seen.setdefault(bar.ts, set()).add(key)
        if self.seen[bar.ts] == {"BTCUSDT", "ETHUSDT"}:
            self.last_decision_ts = bar.ts
        return []


class _Feed:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def on_bar_close(self, close_ms: int) -> None:
        self.calls.append(close_ms)

    def after_decision(self, close_ms: int) -> None:
        self.calls.append(close_ms)


def _actor() -> Any:
    actor = object.__new__(StrategyActor.__ray_metadata__.modified_class)  # the class, without Ray
    actor.plan = SimpleNamespace(interval="60")
    actor.runner, actor.funding, actor.marks = _Runner(), _Feed(), _Feed()
    actor.last_signals, actor.outcomes = [], []
    return actor


def _bar(symbol: str, ts: int) -> Bar:
    return Bar(symbol=symbol, interval="60", ts=ts, open=1.0, high=1.0, low=1.0, close=1.0)


def test_background_reads_start_after_the_decision_not_on_the_first_symbols_bar() -> None:
    actor = _actor()
    t = 1_777_622_400_000  # 2026-05-01 08:00 UTC
    actor.on_bar("BTCUSDT", _bar("BTCUSDT", t))
    assert actor.funding.calls == [] and actor.marks.calls == []  # the decision still waits for ETH
    actor.on_bar("ETHUSDT", _bar("ETHUSDT", t))
    assert actor.funding.calls == [t + HOUR] and actor.marks.calls == [t + HOUR]
    actor.on_bar("ETHUSDT", _bar("ETHUSDT", t))  # a repeated bar: decided already, nothing new
    assert actor.funding.calls == [t + HOUR, t + HOUR]  # woken again, harmless: the feed keeps the newest
