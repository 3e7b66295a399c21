"""``openalpha data download`` killed with SIGKILL mid-way, then re-run, ends identical to the
source with no duplicates and no torn or temporary files (issue 3 "Done when")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from openalpha.data.store import ParquetStore
from openalpha.sim.ratelimit import RateLimitConfig
from tests.integration.sim_market.realstore import assert_same_as_source, running_sim


def _cli(url: str, target: Path) -> list[str]:
    return [
        sys.executable, "-m", "openalpha", "data", "download",
        "--symbols", "BTCUSDT,ETHUSDT", "--intervals", "5", "--kinds", "kline,funding",
        "--start", "2025-09-24", "--end", "2026-07-22",
        "--env", "paper", "--base-url", url, "--data", str(target),
    ]  # fmt: skip


def test_sigkill_then_rerun_ends_identical(full_store: ParquetStore, tmp_path: Path) -> None:
    target = tmp_path / "downloaded"
    # 30 kline requests/s (the client assumes Bybit's 600/5 s and gets 10006 answers it must
    # wait out): the ~180-window download takes several seconds, long enough to kill mid-way.
    limits = RateLimitConfig(endpoint_overrides={"/v5/market/kline": 30})
    with running_sim(full_store, limits=limits) as (url, _):
        proc = subprocess.Popen(_cli(url, target), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not list(target.rglob("*.parquet")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no window was written within 60 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        partial = ParquetStore(target)
        stored = sum(d.rows for d in partial.datasets())
        wanted = [
            d for d in full_store.datasets() if d.category == "linear" and d.kind in ("kline", "funding")
        ]
        assert 0 < stored < sum(d.rows for d in wanted)

        again = subprocess.run(_cli(url, target), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "rows added" in again.stdout
    assert_same_as_source(partial, full_store, kinds=("kline", "funding"))
    assert not [p for p in target.rglob("*.tmp")]
