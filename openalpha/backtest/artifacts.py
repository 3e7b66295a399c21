"""Saving a backtest under ``$OPENALPHA_HOME/runs/<run id>/`` (read by ``openalpha runs`` and the
dashboard): ``metrics.json`` (header + every metric), ``equity.parquet``, ``trades.parquet``,
``fills.parquet``, ``funding.parquet``, ``report.html``. Written in a temporary directory and
renamed into place, so a crash never leaves half a run."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from openalpha.backtest.report import render
from openalpha.backtest.result import BacktestResult
from openalpha.metrics import json_safe


def new_run_id(runs_dir: Path, strategy: str, now: pd.Timestamp | None = None) -> str:
    stamp = (now or pd.Timestamp.now("UTC")).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", strategy)[:40] or "strategy"
    base = run_id = f"{stamp}-backtest-{safe}"
    n = 1
    while (runs_dir / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def header(result: BacktestResult, run_id: str) -> dict[str, Any]:
    return json_safe(
        {
            "id": run_id,
            "kind": "backtest",
            "strategy": result.strategy,
            "params": result.params,
            "symbols": result.symbols,
            "interval": result.interval,
            "start": result.equity.index[0].isoformat(),
            "end": result.equity.index[-1].isoformat(),
            "created": pd.Timestamp.now("UTC").isoformat(),
            "config": msgspec.to_builtins(result.config),
            "metrics": result.metrics,
            "benchmark": result.benchmark,
        }
    )


def save_run(result: BacktestResult, runs_dir: Path, run_id: str | None = None) -> Path:
    """Write the run atomically and return its directory."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    run_id = run_id or new_run_id(runs_dir, result.strategy)
    tmp = runs_dir / f".{run_id}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        doc = header(result, run_id)
        (tmp / "metrics.json").write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
        pd.DataFrame({"equity": result.equity, "buy_and_hold": result.benchmark_equity}).to_parquet(
            tmp / "equity.parquet"
        )
        result.trades.to_parquet(tmp / "trades.parquet")
        result.fills.to_parquet(tmp / "fills.parquet")
        result.funding.to_parquet(tmp / "funding.parquet")
        (tmp / "report.html").write_text(render(result), encoding="utf-8")
        os.replace(tmp, runs_dir / run_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return runs_dir / run_id


__all__ = ["header", "new_run_id", "save_run"]
