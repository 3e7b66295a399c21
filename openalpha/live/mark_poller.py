"""The live mark-price feed's I/O: the closed mark-price bars of a strategy's perps read from
the environment's ``/v5/market/mark-price-kline`` in a background thread at start (the warm-up
window), and on the decision path when a strategy reads ``data.mark`` and the decision's bar is
missing (:mod:`openalpha.live.mark_feed` decides which). A decision's own mark bar closes with
the bar that triggers it, so a strategy that reads marks reads it on its decision path (one
read per bar); after each decision of such a strategy the background re-reads any bars still
missing. A strategy that never reads marks costs one read at start and nothing after: no
background read competes with decisions for the CPU. A failed read never raises: one log line,
read again later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from openalpha.domain import Category, interval_ms, split_key
from openalpha.exchange.bybit.market_client import KLINE_LIMIT, MarketClient
from openalpha.live.background_reader import BackgroundReader, call_or_log
from openalpha.live.mark_feed import LiveMarks, MarkFeed, Window, opens_ms, require_bar
from openalpha.live.market_session import MarketSession

if TYPE_CHECKING:
    from openalpha.live.strategy_runner import StrategyRunner

log = logging.getLogger(__name__)


async def _read(client: MarketClient, interval: str, windows: dict[str, Window]) -> dict[str, pd.DataFrame]:
    reads = [
        client.klines("linear", split_key(key)[0], interval, start, end, kind="mark")
        for key, (start, end) in windows.items()
    ]
    return dict(zip(windows, await asyncio.gather(*reads), strict=True))  # concurrently


class MarkPoller(BackgroundReader):
    """Keeps ``feed`` up to the newest closed bar and hands decisions their :class:`LiveMarks`."""

    feed: MarkFeed

    def __init__(self, base_url: str, interval: str, feed: MarkFeed, last_open_ms: int) -> None:
        super().__init__("mark-feed", base_url, feed)
        self.interval = interval
        self.keys = list(feed.frames)
        # kept open a bar and a minute: a decision's read does not connect again, unless the
        # server closed the connection meanwhile
        keepalive = feed.step_ms / 1000 + 60.0
        self.session = MarketSession(base_url, "mark-reads", keepalive_s=keepalive)
        self.last_open_ms = last_open_ms  # the open of the newest closed bar seen
        self.decision_reads = 0  # reads the decision path made (one per bar for a strategy reading marks)
        self.decision_read_s = 0.0  # the time they took, in all
        self.frames_read = 0  # mark frames decisions asked for (0: the strategy never reads marks)
        self.reads = 0  # reads made, on the decision path or not

    def after_decision(self, close_ms: int) -> None:
        """The decision at the bar closing at ``close_ms`` is done: if the strategy reads marks,
        mark bars up to it still missing are read in the background."""
        with self.lock:
            if close_ms - self.feed.step_ms <= self.last_open_ms:
                return
            self.last_open_ms = close_ms - self.feed.step_ms
            reads_marks = self.frames_read > 0
        if reads_marks:
            self.wake()

    def marks(self, bars: Mapping[str, pd.DataFrame], open_ms: int) -> LiveMarks:
        """``data.mark`` for the decision at the bar opened at ``open_ms`` (reads nothing now)."""
        return LiveMarks(self.keys, bars, lambda key: self.frame(key, bars, open_ms))

    def frame(self, key: str, bars: Mapping[str, pd.DataFrame], open_ms: int) -> pd.DataFrame:
        """The held mark bars of ``key`` for the decision at the bar opened at ``open_ms`` on
        ``bars``: what those bars lack is read now (once per bar, every perp at once);
        :class:`MarkMissing` if the decision's own bar is still missing."""
        opens = {k: opens_ms(bars[k].index) for k in self.keys if k in bars}
        with self.lock:
            self.frames_read += 1
            self.feed.set_floor(opens)
            windows = self.feed.to_fetch_now(key, opens)
        if windows:
            started = time.perf_counter()
            self.read_and_merge(windows, open_ms, retries=1, timeout_s=2.0)  # 1: a connection gone stale
            with self.lock:
                self.decision_reads += 1
                self.decision_read_s += time.perf_counter() - started
        with self.lock:
            return require_bar(key, self.feed.frames[key], open_ms)

    def due_at(self) -> int:
        return self.last_open_ms

    def read_and_merge(
        self, windows: dict[str, Window], last_open_ms: int, *, retries: int, timeout_s: float
    ) -> None:
        with self.lock:
            self.reads += 1
        rows = call_or_log(
            f"mark feed: reading {','.join(windows)}",
            lambda: self.session.run(
                lambda client: _read(client, self.interval, windows), retries=retries, timeout_s=timeout_s
            ),
            log,
        )
        if rows is None:
            return
        with self.lock:
            for key, frame in rows.items():
                self.feed.merge(key, frame, last_open_ms)


def start_mark_poller(base_url: str, runner: StrategyRunner, now_ms: int) -> MarkPoller | None:
    """The mark feed of ``runner``'s perps (``None`` when it trades none), started: it reads the
    warm-up window's mark bars (closed by ``now_ms``) at once, and the runner's decisions get
    their ``data.mark`` from it."""
    keys = [k for k in runner.symbols if split_key(k)[1] is Category.LINEAR]
    if not keys:
        return None
    step = interval_ms(runner.interval)
    last_open = (now_ms // step) * step - step
    feed = MarkFeed.create(keys, step, runner.keep, KLINE_LIMIT, last_open)
    poller = MarkPoller(base_url, runner.interval, feed, last_open)
    runner.marks = poller.marks
    poller.start()
    poller.wake()  # the warm-up window
    return poller
