"""The downloader against the simulator over loopback, on real Bybit data."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pandas as pd
import pytest
from aiohttp import web

from openalpha.data.download import DownloadError, DownloadResult, DownloadSpec, run_download
from openalpha.data.store import ParquetStore
from openalpha.sim.ratelimit import LimitRule, RateLimitConfig
from openalpha.sim.state import SimState
from tests.integration.sim_market.conftest import REPLAY_NOW, FrozenClock
from tests.integration.sim_market.realstore import (
    MS_2026_05_01,
    MS_2026_06_01,
    assert_same_as_source,
    running_sim,
)

PERP = DownloadSpec(
    ("BTCUSDT", "ETHUSDT"), ("5", "60"), MS_2026_05_01, None, "linear", ("kline", "mark", "funding")
)


def download(spec: DownloadSpec, store: ParquetStore, url: str, **kw: Any) -> DownloadResult:
    return asyncio.run(run_download(spec, store, url, **kw))


def test_download_equals_what_the_simulator_served(source_store: ParquetStore, target: ParquetStore) -> None:
    with running_sim(source_store) as (url, _):
        first = download(PERP, target, url)
        rows = assert_same_as_source(target, source_store)
        assert first.rows_added == rows + 2 * 31 * 24 and rows > 18_000  # + hourly candles (below)
        again = download(PERP, target, url)  # incremental: nothing new to fetch, nothing added
    assert again.rows_added == 0 and again.progress.rows == 0
    btc = target.instruments("linear")["BTCUSDT"]  # filters saved from instruments-info (§3)
    assert (btc.tick_size, btc.qty_step, btc.max_qty, btc.funding_interval_min) == (
        Decimal("0.1"),
        Decimal("0.001"),
        Decimal("1190"),
        480,
    )
    assert first.progress.throttled == 0 and again.progress.throttled == 0
    reports = {(r.kind, r.symbol, r.interval): r for r in first.reports}
    assert reports[("kline", "BTCUSDT", "5")].rows_added == 31 * 288
    # The source has no hourly candles: the simulator builds them from the 5-minute ones, as
    # Bybit serves every interval.
    hourly = target.read("linear", "kline", "BTCUSDT", "60")
    assert reports[("kline", "BTCUSDT", "60")].rows_added == len(hourly) == 31 * 24
    five = source_store.read("linear", "kline", "BTCUSDT", "5")
    assert (
        hourly["high"].iloc[0] == five["high"].iloc[:12].max()
        and hourly["close"].iloc[0] == five["close"].iloc[11]
    )


def test_spot_download(source_store: ParquetStore, target: ParquetStore) -> None:
    spec = DownloadSpec(("BTCUSDT",), ("5",), MS_2026_05_01, None, "spot", ("kline",))
    with running_sim(source_store) as (url, _):
        download(spec, target, url)
    assert assert_same_as_source(target, source_store, "spot") == len(
        source_store.read("spot", "kline", "BTCUSDT", "5")
    )


def test_the_forming_candle_is_never_stored(source_store: ParquetStore, target: ParquetStore) -> None:
    """At 10:17 market time the 10:15 five-minute candle and the 10:00 hourly mark candle are
    still forming: the downloader stops just before them."""
    spec = DownloadSpec(("BTCUSDT",), ("5",), MS_2026_05_01, None, "linear", ("kline", "mark", "funding"))
    with running_sim(source_store, FrozenClock(REPLAY_NOW)) as (url, _):
        spec_mark = DownloadSpec(("BTCUSDT",), ("60",), MS_2026_05_01, None, "linear", ("mark",))
        download(spec, target, url)
        download(spec_mark, target, url)
    last5 = target.coverage("linear", "kline", "BTCUSDT", "5")
    last_mark = target.coverage("linear", "mark", "BTCUSDT", "60")
    assert last5 is not None and last5[1] == REPLAY_NOW - REPLAY_NOW % 300_000 - 300_000
    assert last_mark is not None and last_mark[1] == REPLAY_NOW - REPLAY_NOW % 3_600_000 - 3_600_000
    funding = target.read("linear", "funding", "BTCUSDT", "funding")
    assert funding["ts"].max() <= REPLAY_NOW


def test_unknown_symbol_fails_naming_it(source_store: ParquetStore, target: ParquetStore) -> None:
    spec = DownloadSpec(("BTCUSDT", "NOPEUSDT"), ("5",), MS_2026_05_01, None, "linear", ("kline",))
    with running_sim(source_store) as (url, _), pytest.raises(DownloadError, match="unknown symbol NOPEUSDT"):
        download(spec, target, url)
    assert target.datasets() == []  # checked before anything is fetched


def test_default_limits_never_trigger_10006(full_store: ParquetStore, target: ParquetStore) -> None:
    """More than 600 requests in the first 5 s window (the burst case) against the simulator
    enforcing Bybit's default limits (§7): the client is never refused."""
    end = 1_776_211_200_000  # 2026-04-15
    spec = DownloadSpec(("BTCUSDT", "ETHUSDT"), ("1", "5"), 1_758_672_000_000, end, "linear", ("kline",))
    with running_sim(full_store) as (url, _):
        result = download(spec, target, url)
    assert result.progress.requests > 650  # > 600: more than one IP window's allowance
    assert result.progress.throttled == 0
    assert result.rows_added == 2 * len(full_store.read("linear", "kline", "BTCUSDT", "5", end_ms=end))


def test_tiny_limits_are_handled_with_back_off(source_store: ParquetStore, target: ParquetStore) -> None:
    """The simulator allows 8 requests/s per IP and 3/s on kline: the client is refused (HTTP 403
    and 10006), waits until the reset timestamps, and the result is still complete."""
    limits = RateLimitConfig(ip=LimitRule(8, 1000), endpoint_overrides={"/v5/market/kline": 3})
    spec = DownloadSpec(("BTCUSDT",), ("5",), MS_2026_05_01, MS_2026_06_01, "linear", ("kline", "funding"))
    with running_sim(source_store, limits=limits) as (url, _):
        result = download(spec, target, url)
    assert result.progress.throttled > 0
    kline = target.read("linear", "kline", "BTCUSDT", "5")
    assert kline["ts"].tolist() == source_store.read("linear", "kline", "BTCUSDT", "5")["ts"].tolist()
    assert len(target.read("linear", "funding", "BTCUSDT", "funding")) == len(
        source_store.read("linear", "funding", "BTCUSDT", "funding")
    )


@contextmanager
def flaky_proxy(upstream: str) -> Iterator[tuple[str, dict[str, int]]]:
    """A loopback proxy that answers every 3rd request with an HTML 502 and cuts every 5th
    connection without an answer; the rest go to ``upstream``."""
    from openalpha.sim.server import start_sim_in_thread  # reuse the thread runner with a bare app

    counts = {"n": 0, "failed": 0}

    async def handle(request: web.Request) -> web.StreamResponse:
        counts["n"] += 1
        n = counts["n"]
        if n % 3 == 0:
            counts["failed"] += 1
            return web.Response(status=502, text="<html>Bad Gateway</html>", content_type="text/html")
        if n % 5 == 0:
            counts["failed"] += 1
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        async with aiohttp.ClientSession() as s, s.get(upstream + request.path_qs) as resp:
            return web.Response(body=await resp.read(), status=resp.status, content_type="application/json")

    state = SimState(store=ParquetStore("/nonexistent"))
    import openalpha.sim.server as server

    original = server.create_app

    def proxy_app(_: SimState) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    server.create_app = proxy_app  # type: ignore[assignment]
    try:
        url, stop = start_sim_in_thread(state)
    finally:
        server.create_app = original
    try:
        yield url, counts
    finally:
        stop()


def test_network_errors_are_retried_with_back_off(source_store: ParquetStore, target: ParquetStore) -> None:
    spec = DownloadSpec(
        ("BTCUSDT",), ("5",), MS_2026_05_01, MS_2026_06_01, "linear", ("kline", "mark", "funding")
    )
    with running_sim(source_store) as (upstream, _), flaky_proxy(upstream) as (url, counts):
        result = download(spec, target, url)
    assert counts["failed"] >= 3
    assert result.progress.requests > counts["n"] - 1 - counts["failed"]
    want = source_store.read("linear", "kline", "BTCUSDT", "5")
    got = target.read("linear", "kline", "BTCUSDT", "5")
    pd.testing.assert_frame_equal(got[["ts", "open", "close"]], want[["ts", "open", "close"]])


def test_cli_unknown_symbol_is_one_line_exit_2(source_store: ParquetStore, tmp_path: Path) -> None:
    """What a user sees: ``openalpha: error: unknown symbol NOPEUSDT (linear): …``, nothing written."""
    target = tmp_path / "downloaded"
    with running_sim(source_store) as (url, _):
        cmd = [sys.executable, "-m", "openalpha", "data", "download", "--symbols", "BTCUSDT,NOPEUSDT"]
        cmd += ["--start", "2026-05-01", "--env", "paper", "--base-url", url, "--data", str(target)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openalpha: error: unknown symbol NOPEUSDT (linear)")
    assert not list(target.rglob("*.parquet"))
