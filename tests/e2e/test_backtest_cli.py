"""``openalpha backtest`` as a user runs it, on the real Bybit sample shipped with the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openalpha.data.sample import SAMPLE_DIR


@pytest.fixture
def home(oa_home: Path) -> Path:
    (oa_home / "data").symlink_to(SAMPLE_DIR)  # read-only use of the shipped store
    return oa_home


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENALPHA_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "openalpha", "backtest", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_backtest_prints_table_saves_run_and_writes_offline_report(home: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.html"
    res = _cli(
        home,
        "--strategy",
        "sma_cross",
        "--symbols",
        "BTCUSDT",
        "--interval",
        "60",
        "--start",
        "2025-01-01",
        "--param",
        "fast=10",
        "--param",
        "slow=60",
        "--leverage",
        "3",
        "--fee-tier",
        "VIP1",
        "--report",
        str(report),
    )
    assert res.returncode == 0, res.stderr
    assert "sharpe" in res.stdout and "buy & hold" in res.stdout
    html = report.read_text()
    for needle in ("Equity vs buy", "Drawdown", "Monthly returns", "fees and funding", "<svg"):
        assert needle in html
    assert "http://" not in html and "https://" not in html and "<script" not in html  # works offline
    runs = list((home / "runs").iterdir())
    assert len(runs) == 1
    saved = {p.name for p in runs[0].iterdir()}
    assert {"metrics.json", "equity.parquet", "trades.parquet", "report.html"} <= saved
    doc = json.loads((runs[0] / "metrics.json").read_text())
    assert doc["kind"] == "backtest" and doc["params"]["fast"] == 10 and doc["config"]["fee_tier"] == "VIP1"


def test_backtest_json_has_every_metric(home: Path) -> None:
    res = _cli(
        home,
        "--strategy",
        "funding_carry",
        "--symbols",
        "BTCUSDT,BTCUSDT@spot",
        "--interval",
        "5",
        "--param",
        "lookback_bars=288",
        "--json",
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    for key in (
        "total_return",
        "cagr",
        "volatility",
        "sharpe",
        "sortino",
        "calmar",
        "max_drawdown",
        "max_drawdown_days",
        "win_rate",
        "profit_factor",
        "expectancy",
        "exposure",
        "turnover",
        "fees_paid",
        "funding_paid",
        "funding_received",
        "liquidations",
    ):
        assert key in doc["metrics"], key
    assert "sharpe" in doc["benchmark"] and doc["symbols"] == ["BTCUSDT", "BTCUSDT@spot"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "nope", "--symbols", "BTCUSDT"], "unknown strategy 'nope'"),
        (
            ["--strategy", "sma_cross", "--symbols", "BTCUSDT", "--param", "fastt=3"],
            "unknown parameter 'fastt'",
        ),
        (["--strategy", "sma_cross", "--symbols", "BTCUSDT", "--param", "fast=1"], ">= 2"),
        (
            [
                "--strategy",
                "sma_cross",
                "--symbols",
                "BTCUSDT",
                "--start",
                "2010-01-01",
                "--end",
                "2011-01-01",
            ],
            "no kline 60 data for BTCUSDT",
        ),
        (["--strategy", "sma_cross", "--symbols", "BTCUSDT", "--fee-tier", "VIP9"], "unknown fee tier"),
        (["--strategy", "sma_cross", "--symbols", "BTCUSDT", "--leverage", "500"], "leverage"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(home: Path, args: list[str], message: str) -> None:
    res = _cli(home, *args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert not (home / "runs").exists() or not any((home / "runs").iterdir())
