"""The live funding feed's I/O: settlements of a strategy's perps read from the environment's
public ``/v5/market/funding/history``, in a background thread after each bar, and on the
decision path only when one the decision needs is missing (:mod:`openalpha.live.funding_feed`
decides which). A failed read never raises: it logs one line and is retried later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp

from openalpha.domain import Category, split_key
from openalpha.exchange.bybit.market_client import MarketClient
from openalpha.live.background_reader import BackgroundReader, read_or_log
from openalpha.live.funding_feed import DEFAULT_FUNDING_MINUTES, FundingFeed

if TYPE_CHECKING:
    from openalpha.live.strategy_runner import StrategyRunner

log = logging.getLogger(__name__)
Windows = dict[str, tuple[int, int]]
Deliver = Callable[[str, int, float], None]


async def _read(
    base_url: str, windows: Windows, *, retries: int, timeout_s: float
) -> dict[str, list[tuple[int, float]]]:
    out: dict[str, list[tuple[int, float]]] = {}
    async with aiohttp.ClientSession() as session:
        client = MarketClient(base_url, session, max_retries=retries, timeout_s=timeout_s)
        for key, (start, end) in windows.items():
            frame = await client.funding_history("linear", split_key(key)[0], start, end)
            out[key] = list(zip(frame["ts"].tolist(), frame["rate"].tolist(), strict=True))
    return out


async def _intervals(base_url: str, keys: list[str]) -> dict[str, int]:
    async with aiohttp.ClientSession() as session:
        client = MarketClient(base_url, session, max_retries=3, timeout_s=10.0)
        out = {}
        for key in keys:
            listed = await client.instruments("linear", split_key(key)[0])
            if listed:
                out[key] = listed[0].instrument.funding_interval_min
        return out


def funding_intervals(base_url: str, keys: list[str]) -> dict[str, int]:
    """``fundingInterval`` (minutes) of each linear key from ``instruments-info``; a failed read
    leaves them to the default (480), with one log line."""
    try:
        return asyncio.run(_intervals(base_url, keys))
    except Exception as err:
        what = f"{type(err).__name__}: {err}"
        log.warning(
            "funding feed: instruments-info failed (%s); assuming %d-minute funding",
            what,
            DEFAULT_FUNDING_MINUTES,
        )
        return {}


class FundingPoller(BackgroundReader):
    """Keeps ``feed`` and the strategy's funding (through ``deliver``) up to date."""

    feed: FundingFeed

    def __init__(self, base_url: str, feed: FundingFeed, deliver: Deliver, now_ms: int) -> None:
        super().__init__("funding-feed", base_url, feed)  # its lock: the feed and every delivery
        self._deliver = deliver
        self.now_ms = now_ms  # the newest bar close seen: the exchange's time, never ahead of it
        self.missing: dict[str, int] = {}  # settlements the last decision ran without
        self.missing_ts = 0  # that decision's bar
        self.decision_reads = 0  # reads the decision path had to make (the background was late)

    def deliver(self, key: str, ts: int, rate: float) -> None:
        """A settlement from elsewhere (the account's funding executions)."""
        with self.lock:
            self._deliver(key, ts, rate)

    def on_bar_close(self, close_ms: int) -> None:
        """A bar closed at ``close_ms``: settlements up to it may be read (in the background)."""
        with self.lock:
            if close_ms <= self.now_ms:
                return
            self.now_ms = close_ms
        self.wake()

    def before_decision(self, open_ms: int, bar_ms: int) -> None:
        """On the decision path of the bar opening at ``open_ms``: reads only a settlement the
        decision needs that has not arrived (once per settlement), and warns when one is missing."""
        close = open_ms + bar_ms
        with self.lock:
            windows = self.feed.to_fetch_now(close)
        if windows:
            self.decision_reads += 1
            self.read_and_merge(windows, close, retries=0, timeout_s=2.0)
        with self.lock:
            self.missing, self.missing_ts = self.feed.missing(close), open_ms
            warn = self.feed.to_warn(close)
        for key, due in warn.items():
            text = "funding feed: %s settlement at %d not served yet; the decision at bar %d runs without it"
            log.warning(text, key, due, open_ms)

    def read_and_merge(self, windows: Windows, now_ms: int, *, retries: int, timeout_s: float) -> None:
        read = _read(self.base_url, windows, retries=retries, timeout_s=timeout_s)
        rows = read_or_log(f"funding feed: reading {','.join(windows)}", read, log)
        if rows is None:
            return
        with self.lock:
            for key, found in rows.items():
                for ts, rate in self.feed.merge(key, found, now_ms):
                    self._deliver(key, ts, rate)

    def due_at(self) -> int:
        return self.now_ms


def start_funding_poller(base_url: str, runner: StrategyRunner, now_ms: int) -> FundingPoller | None:
    """The feed of ``runner``'s perps (``None`` when it trades none), started: its warm-up
    funding (read up to ``now_ms``) is where it begins, and the runner asks it before deciding."""
    keys = [k for k in runner.symbols if split_key(k)[1] is Category.LINEAR]
    if not keys:
        return None
    held = {k: int(s.index[-1].value // 1_000_000) for k, s in runner.funding.items() if k in keys and len(s)}
    feed = FundingFeed.create(keys, funding_intervals(base_url, keys), held, now_ms)
    poller = FundingPoller(base_url, feed, runner.on_funding, now_ms)
    runner.before_decision = poller.before_decision
    poller.start()
    return poller
