"""The downloader engine: Bybit history into the Parquet store, incrementally and resumably.

The symbols are checked first (``instruments-info``; an unknown one fails the whole download
before anything is fetched) and their filters saved as the store's instrument metadata.
For each ``(symbol, kind, interval)`` the store says which ranges are missing
(:meth:`ParquetStore.missing_ranges`); only those are fetched. Candle ranges are cut into windows
of at most 1000 candles (``end − start < limit · interval``, BYBIT_V5.md §3), funding ranges
into windows of 200 settlements (paged backwards with ``endTime`` when a page is full). The
still-forming candle (open at or after ``floor(server now)``) is never requested or stored.

Windows run concurrently (``concurrency`` in flight) behind the client's rate limiter. Fetched
rows are buffered per dataset and merged into the store with its atomic write every
``flush_s`` seconds or ``flush_rows`` rows, and at the end — a kill at any instant loses at most
the unflushed buffer, never the store's integrity, and the next run fetches only what is still
missing. (Flushing every 1000-row window would rewrite a large file thousands of times.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import pandas as pd

from openalpha.data.store import ParquetStore, grid_anchor
from openalpha.domain.intervals import interval_ms
from openalpha.exchange.bybit.market_client import (
    FUNDING_LIMIT,
    KLINE_LIMIT,
    Listing,
    MarketClient,
    UnknownSymbol,
)
from openalpha.exchange.ratelimit import RateLimiter

BAR_KINDS = ("kline", "mark", "index")
ALL_KINDS = (*BAR_KINDS, "funding")
SPOT_KINDS = ("kline",)


class DownloadError(Exception):
    """A download that cannot complete; the message is one line."""


@dataclass(frozen=True)
class DownloadSpec:
    symbols: tuple[str, ...]
    intervals: tuple[str, ...]
    start_ms: int
    end_ms: int | None = None
    category: str = "linear"
    kinds: tuple[str, ...] = ("kline", "mark", "funding")

    def datasets(self) -> list[tuple[str, str, str]]:
        """``(kind, symbol, interval)`` triples; funding once per symbol."""
        out: list[tuple[str, str, str]] = []
        for symbol in self.symbols:
            for kind in self.kinds:
                if kind == "funding":
                    out.append((kind, symbol, "funding"))
                else:
                    out.extend((kind, symbol, iv) for iv in self.intervals)
        return out


@dataclass(frozen=True)
class Window:
    kind: str
    symbol: str
    interval: str
    start: int  # inclusive, ms
    end: int  # exclusive, ms


@dataclass
class DatasetReport:
    category: str
    kind: str
    symbol: str
    interval: str
    windows: int = 0
    rows_fetched: int = 0
    rows_added: int = 0
    first_ms: int | None = None
    last_ms: int | None = None


@dataclass
class Progress:
    windows_total: int
    windows_done: int = 0
    rows: int = 0
    requests: int = 0
    throttled: int = 0
    elapsed_s: float = 0.0


@dataclass
class DownloadResult:
    reports: list[DatasetReport]
    progress: Progress
    server_now_ms: int
    rows_added: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows_added = sum(r.rows_added for r in self.reports)


def forming_bar_start(now_ms: int, interval: str) -> int:
    """Open time of the candle still forming at ``now_ms``."""
    step, anchor = interval_ms(interval), grid_anchor(interval)
    return now_ms - (now_ms - anchor) % step


def plan_windows(
    store: ParquetStore,
    spec: DownloadSpec,
    now_ms: int,
    listings: dict[str, Listing],
) -> list[Window]:
    """Every window still to fetch, in dataset order, oldest first. Nothing before a symbol's
    launch time (when the exchange reports one) is requested."""
    windows: list[Window] = []
    end_cap = spec.end_ms if spec.end_ms is not None else now_ms + 1
    for kind, symbol, interval in spec.datasets():
        listing = listings.get(symbol)
        start = max(spec.start_ms, listing.launch_ms if listing else 0)
        if kind == "funding":
            fi = listing.instrument.funding_interval_min if listing else 480
            span = FUNDING_LIMIT * fi * 60_000
            end = min(end_cap, now_ms + 1)
        else:
            span = KLINE_LIMIT * interval_ms(interval)
            end = min(end_cap, forming_bar_start(now_ms, interval))
        if kind != "funding":
            step, anchor = interval_ms(interval), grid_anchor(interval)
            start += (anchor - start) % step  # first candle open time at or after ``start``
        if end <= start:
            continue
        for lo, hi in store.missing_ranges(spec.category, kind, symbol, interval, start, end):
            a = lo
            while a < hi:
                b = min(hi, a + span)
                windows.append(Window(kind, symbol, interval, a, b))
                a = b
    return windows


class _Buffers:
    """Fetched frames per dataset, merged into the store in batches (atomic store writes)."""

    def __init__(self, store: ParquetStore, category: str, flush_rows: int, flush_s: float) -> None:
        self.store, self.category = store, category
        self.flush_rows, self.flush_s = flush_rows, flush_s
        self.frames: dict[tuple[str, str, str], list[pd.DataFrame]] = {}
        self.rows: dict[tuple[str, str, str], int] = {}
        self.stamp: dict[tuple[str, str, str], float] = {}
        self.locks: dict[tuple[str, str, str], asyncio.Lock] = {}
        self.added: dict[tuple[str, str, str], int] = {}

    async def add(self, key: tuple[str, str, str], frame: pd.DataFrame) -> None:
        self.frames.setdefault(key, []).append(frame)
        self.rows[key] = self.rows.get(key, 0) + len(frame)
        self.stamp.setdefault(key, time.monotonic())
        if self.rows[key] >= self.flush_rows or time.monotonic() - self.stamp[key] >= self.flush_s:
            await self.flush(key)

    async def flush(self, key: tuple[str, str, str]) -> None:
        lock = self.locks.setdefault(key, asyncio.Lock())
        async with lock:
            frames = self.frames.pop(key, [])
            self.rows.pop(key, None)
            self.stamp.pop(key, None)
            frames = [f for f in frames if len(f)]
            if not frames:
                return
            merged = pd.concat(frames, ignore_index=True)
            kind, symbol, interval = key
            added = await asyncio.to_thread(self.store.write, self.category, kind, symbol, interval, merged)
            self.added[key] = self.added.get(key, 0) + added

    async def flush_all(self) -> None:
        await asyncio.gather(*(self.flush(key) for key in list(self.frames)))


async def _fetch(client: MarketClient, category: str, w: Window) -> pd.DataFrame:
    if w.kind == "funding":
        return await client.funding_history(category, w.symbol, w.start, w.end - 1)
    return await client.klines(category, w.symbol, w.interval, w.start, w.end - 1, kind=w.kind)


async def _check_symbols(client: MarketClient, spec: DownloadSpec) -> dict[str, Listing]:
    async def listing(symbol: str) -> Listing:
        try:
            listed = await client.instruments(spec.category, symbol)
        except UnknownSymbol:
            listed = []
        match = [i for i in listed if i.instrument.symbol == symbol]
        if not match:
            raise DownloadError(f"unknown symbol {symbol} ({spec.category}): the exchange does not list it")
        return match[0]

    found = await asyncio.gather(*(listing(s) for s in spec.symbols))
    return dict(zip(spec.symbols, found, strict=True))


class _Run:
    """One download: a queue of windows, workers, buffers and the per-dataset reports."""

    def __init__(
        self,
        spec: DownloadSpec,
        client: MarketClient,
        buffers: _Buffers,
        windows: list[Window],
        on_progress: Callable[[Progress], None] | None,
        progress_every_s: float,
    ) -> None:
        self.spec, self.client, self.buffers = spec, client, buffers
        self.reports = {(k, s, iv): DatasetReport(spec.category, k, s, iv) for k, s, iv in spec.datasets()}
        self.progress = Progress(windows_total=len(windows))
        self.queue: asyncio.Queue[Window] = asyncio.Queue()
        for w in windows:
            self.queue.put_nowait(w)
        self.on_progress, self.every_s = on_progress, progress_every_s
        self.started = time.monotonic()
        self.last_report = 0.0

    def tick(self, final: bool = False) -> None:
        p = self.progress
        p.requests, p.throttled = self.client.stats.requests, self.client.stats.rate_limited
        p.elapsed_s = time.monotonic() - self.started
        if self.on_progress is not None and (final or p.elapsed_s - self.last_report >= self.every_s):
            self.last_report = p.elapsed_s
            self.on_progress(p)

    async def worker(self) -> None:
        category = self.spec.category
        while not self.queue.empty():
            w = self.queue.get_nowait()
            try:
                frame = await _fetch(self.client, category, w)
            except UnknownSymbol as err:
                raise DownloadError(f"unknown symbol {w.symbol} ({category}): {err.message}") from None
            key = (w.kind, w.symbol, w.interval)
            rep = self.reports[key]
            rep.windows += 1
            rep.rows_fetched += len(frame)
            self.progress.windows_done += 1
            self.progress.rows += len(frame)
            await self.buffers.add(key, frame)
            self.tick()

    async def run(self, concurrency: int) -> None:
        n = max(1, min(concurrency, self.queue.qsize()))
        tasks = [asyncio.create_task(self.worker()) for _ in range(n)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.buffers.flush_all()  # what was fetched is valid: keep it
            raise
        await self.buffers.flush_all()
        self.tick(final=True)


async def run_download(
    spec: DownloadSpec,
    store: ParquetStore,
    base_url: str,
    *,
    limiter: RateLimiter | None = None,
    concurrency: int = 16,
    flush_rows: int = 200_000,
    flush_s: float = 2.0,
    on_progress: Callable[[Progress], None] | None = None,
    progress_every_s: float = 0.25,
) -> DownloadResult:
    """Download ``spec`` from the exchange at ``base_url`` into ``store`` (see the module doc)."""
    limiter = limiter or RateLimiter.for_category(spec.category)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = MarketClient(base_url, session, limiter)
        now = await client.server_time()
        instruments = await _check_symbols(client, spec)
        listed = [listing.instrument for listing in instruments.values()]
        await asyncio.to_thread(store.write_instruments, spec.category, listed)
        windows = await asyncio.to_thread(plan_windows, store, spec, now, instruments)
        buffers = _Buffers(store, spec.category, flush_rows, flush_s)
        run = _Run(spec, client, buffers, windows, on_progress, progress_every_s)
        await run.run(concurrency)
    for key, rep in run.reports.items():
        rep.rows_added = buffers.added.get(key, 0)
        cov = store.coverage(spec.category, rep.kind, rep.symbol, rep.interval)
        if cov is not None:
            rep.first_ms, rep.last_ms = cov
    return DownloadResult(list(run.reports.values()), run.progress, now)


__all__ = [
    "ALL_KINDS",
    "BAR_KINDS",
    "DatasetReport",
    "DownloadError",
    "DownloadResult",
    "DownloadSpec",
    "Progress",
    "Window",
    "forming_bar_start",
    "plan_windows",
    "run_download",
]
