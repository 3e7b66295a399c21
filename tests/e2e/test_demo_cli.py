"""``openalpha demo`` as a user runs it: paper trades on the shipped real sample, clean stop."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def _run(args: list[str], home: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENALPHA_HOME": str(home), "RAY_AUTH_MODE": "disabled"}
    env.pop("OPENALPHA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "openalpha", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.mark.slow
def test_demo_trades_on_paper_and_stops_cleanly(tmp_path: Path) -> None:
    out = _run(["demo", "--no-ui", "--duration", "35"], tmp_path, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "simulator (paper) listening on http://127.0.0.1:" in out.stdout
    ticks = re.findall(r"paper: equity ([\d,.]+) pnl [+-][\d,.]+ fills (\d+)", out.stdout)
    assert ticks, out.stdout
    assert max(int(f) for _, f in ticks) > 0, "no paper fill within the demo"
    assert out.stdout.strip().endswith("stopped cleanly")
    # the demo's ledger holds what happened
    assert (tmp_path / "demo" / "openalpha.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--start", "2019-01-01"], "--start must fall inside the sample's replayable range"),
        (["demo", "--start", "yesterday-ish"], "--start: not a date"),
        (["demo", "--speed", "0"], "--speed must be > 0"),
    ],
)
def test_demo_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    out = _run(args, tmp_path, timeout=60)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
