"""The live funding feed's logic (no sockets, no Ray): which settlements a decision needs by the
instrument's funding schedule, what is read and when, what is merged (never a settlement later
than the bar close taken as now), and that a failed read neither raises nor blocks twice."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import pytest

from openalpha.domain import Bar, MarketData
from openalpha.live import funding_poller
from openalpha.live.funding_feed import FundingFeed
from openalpha.live.funding_poller import FundingPoller
from openalpha.live.strategy_runner import StrategyRunner
from openalpha.strategies.base import Strategy

HOUR = 3_600_000
DAY = 24 * HOUR


def _feed(held: dict[str, int] | None = None, minutes: dict[str, int] | None = None) -> FundingFeed:
    return FundingFeed.create(["BTCUSDT", "ETHUSDT"], minutes or {}, held or {}, start_ms=DAY + 30 * 60_000)


def test_the_schedule_is_the_funding_interval_from_midnight() -> None:
    feed = _feed(minutes={"BTCUSDT": 480, "ETHUSDT": 60})
    assert feed.scheduled_before("BTCUSDT", DAY + 8 * HOUR) == DAY  # ts < close
    assert feed.scheduled_before("BTCUSDT", DAY + 8 * HOUR + 1) == DAY + 8 * HOUR
    assert feed.scheduled_before("ETHUSDT", DAY + 5 * HOUR + 1) == DAY + 5 * HOUR


def test_a_settlement_is_needed_one_bar_after_it_and_due_at_its_own_close() -> None:
    feed = _feed(held={"BTCUSDT": DAY, "ETHUSDT": DAY})
    # the decision at the close 08:00 (bar 07:00-08:00) needs ts < 08:00: nothing missing
    assert feed.missing(DAY + 8 * HOUR) == {}
    # but after that close the 08:00 settlement is due (read in the background)
    assert feed.due(DAY + 8 * HOUR) == ["BTCUSDT", "ETHUSDT"]
    assert feed.due(DAY + 8 * HOUR - 1) == []
    # the decision at the close 09:00 needs it
    assert feed.missing(DAY + 9 * HOUR) == {"BTCUSDT": DAY + 8 * HOUR, "ETHUSDT": DAY + 8 * HOUR}
    feed.merge("BTCUSDT", [(DAY + 8 * HOUR, 0.0001)], DAY + 8 * HOUR)
    assert feed.missing(DAY + 9 * HOUR) == {"ETHUSDT": DAY + 8 * HOUR}


def test_a_key_without_warm_up_funding_counts_from_the_start() -> None:
    feed = _feed(held={"BTCUSDT": DAY})
    assert feed.held == {"BTCUSDT": DAY, "ETHUSDT": DAY + 30 * 60_000}
    assert feed.window("ETHUSDT", DAY + 9 * HOUR) == (DAY + 30 * 60_000 + 1, DAY + 9 * HOUR)


def test_merge_never_takes_a_settlement_after_now() -> None:
    feed = _feed(held={"BTCUSDT": DAY, "ETHUSDT": DAY})
    rows = [(DAY + 16 * HOUR, 0.0003), (DAY + 8 * HOUR, 0.0001), (DAY + 8 * HOUR, 0.0002)]
    assert feed.merge("BTCUSDT", rows, now_ms=DAY + 9 * HOUR) == [(DAY + 8 * HOUR, 0.0002)]
    assert feed.held["BTCUSDT"] == DAY + 8 * HOUR
    assert feed.merge("BTCUSDT", [], now_ms=DAY + 17 * HOUR) == []
    assert feed.held["BTCUSDT"] == DAY + 8 * HOUR


def test_a_blocking_read_and_a_warning_at_most_once_per_settlement() -> None:
    feed = _feed(held={"BTCUSDT": DAY, "ETHUSDT": DAY + 8 * HOUR})
    close = DAY + 9 * HOUR
    assert feed.to_fetch_now(close) == {"BTCUSDT": (DAY + 1, close)}
    assert feed.to_fetch_now(close + HOUR) == {}  # the same settlement: read already
    assert feed.to_warn(close) == {"BTCUSDT": DAY + 8 * HOUR}
    assert feed.to_warn(close + HOUR) == {}
    later = DAY + 17 * HOUR  # the next settlement is missing too: read (and report) again
    assert feed.to_fetch_now(later) == {"BTCUSDT": (DAY + 1, later), "ETHUSDT": (DAY + 8 * HOUR + 1, later)}
    assert feed.to_warn(later) == {"BTCUSDT": DAY + 16 * HOUR, "ETHUSDT": DAY + 16 * HOUR}


def test_bad_funding_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="BTCUSDT=-5"):
        FundingFeed.create(["BTCUSDT"], {"BTCUSDT": -5}, {}, 0)


# -- the poller around it, with the HTTP read replaced ------------------------------------------
class _LastRate(Strategy):
    """Records, per decision, the newest funding timestamp it was given."""

    name = "last_rate_for_tests"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int | None] = []

    def warmup(self) -> int:
        return 0

    def targets(self, data: MarketData) -> pd.DataFrame:
        rates = data.funding.get("BTCUSDT")
        self.seen.append(None if rates is None or rates.empty else int(rates.index[-1].value // 1_000_000))
        return pd.DataFrame({"BTCUSDT": 0.0}, index=data.bars["BTCUSDT"].index)


def _bar(ts: int) -> Bar:
    return Bar(symbol="BTCUSDT", interval="60", ts=ts, open=1.0, high=1.0, low=1.0, close=1.0, volume=1.0)


def _setup(monkeypatch: pytest.MonkeyPatch, served: Any) -> tuple[StrategyRunner, FundingPoller, list[Any]]:
    reads: list[Any] = []

    async def read(base_url: str, windows: Any, *, retries: int, timeout_s: float) -> Any:
        reads.append(dict(windows))
        return served(windows)

    monkeypatch.setattr(funding_poller, "_read", read)
    strategy = _LastRate()
    runner = StrategyRunner("s1", strategy, ["BTCUSDT"], "60")
    runner.on_funding("BTCUSDT", DAY, 0.00005)  # the warm-up's newest
    feed = FundingFeed.create(["BTCUSDT"], {"BTCUSDT": 480}, {"BTCUSDT": DAY}, DAY)
    poller = FundingPoller("http://unused", feed, runner.on_funding, DAY)  # not started: no thread
    runner.before_decision = poller.before_decision
    return runner, poller, reads


def test_a_missing_settlement_is_read_on_the_decision_path_once(monkeypatch: pytest.MonkeyPatch) -> None:
    book = {DAY + 8 * HOUR: 0.0001, DAY + 16 * HOUR: 0.0002}

    def served(windows: Any) -> Any:
        return {k: [(t, r) for t, r in book.items() if lo <= t <= hi] for k, (lo, hi) in windows.items()}

    runner, poller, reads = _setup(monkeypatch, served)
    runner.on_bar("BTCUSDT", _bar(DAY + 7 * HOUR))  # needs ts < 08:00: nothing to read
    assert reads == []
    runner.on_bar("BTCUSDT", _bar(DAY + 8 * HOUR))  # needs 08:00, which no background read brought
    assert reads == [{"BTCUSDT": (DAY + 1, DAY + 9 * HOUR)}]
    assert runner.strategy.seen == [DAY, DAY + 8 * HOUR]  # type: ignore[attr-defined]
    assert poller.missing == {}
    runner.on_bar("BTCUSDT", _bar(DAY + 9 * HOUR))
    assert len(reads) == 1 and poller.decision_reads == 1  # held now: no read


def test_a_failed_read_warns_and_the_decision_runs(monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    def served(windows: Any) -> Any:
        raise OSError("connection refused")

    runner, poller, reads = _setup(monkeypatch, served)
    with caplog.at_level(logging.WARNING, logger="openalpha.live.funding_poller"):
        runner.on_bar("BTCUSDT", _bar(DAY + 8 * HOUR))
        runner.on_bar("BTCUSDT", _bar(DAY + 9 * HOUR))
    assert len(reads) == 1  # one blocking read per settlement, not one per decision
    assert runner.strategy.seen == [DAY, DAY]  # type: ignore[attr-defined]
    assert poller.missing == {"BTCUSDT": DAY + 8 * HOUR} and poller.missing_ts == DAY + 9 * HOUR
    lines = [r.getMessage() for r in caplog.records]
    assert sum("reading BTCUSDT failed: OSError: connection refused" in m for m in lines) == 1
    assert sum("not served yet" in m for m in lines) == 1
