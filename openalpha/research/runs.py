"""Sweep results on disk under ``$OPENALPHA_HOME/runs/<id>/``, and listing every run there.

A sweep run directory holds:

* ``run.json``: header (``id``, ``kind = "sweep"``, name, strategy, symbols, interval, created,
  seconds), the sweep config and the summary (folds, out-of-sample metrics, PBO, DSR, Monte
  Carlo percentiles, parameter stability, verdict);
* ``oos_equity.parquet`` (stitched out-of-sample equity), ``folds.parquet`` (one row per fold),
  ``trials.parquet`` (every trial of every fold);
* ``report.html``: a self-contained offline report.

The directory is written under a temporary name and renamed into place, so a crash never
leaves a half-written run. :func:`list_runs` also lists runs written by other commands
(backtests): any directory with a JSON header (``run.json``, ``summary.json``, ``result.json``
or ``metrics.json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from openalpha.research.analysis import SweepSummary
from openalpha.research.report_html import render_report
from openalpha.research.walkforward import WalkForwardResult

HEADER_FILES = ("run.json", "summary.json", "result.json", "metrics.json")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class RunNotFound(ValueError):
    pass


def new_run_id(runs_dir: Path, name: str, now: pd.Timestamp | None = None) -> str:
    stamp = (now or pd.Timestamp.now("UTC")).strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-sweep-{name}"
    run_id, n = base, 1
    while (runs_dir / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def _summary_dict(summary: SweepSummary) -> dict[str, Any]:
    data = msgspec.to_builtins(msgspec.structs.replace(summary, oos_equity=None))
    data.pop("oos_equity", None)
    return _finite(data)


def _finite(value: Any) -> Any:
    """Replace NaN/inf (not valid JSON) by None, recursively."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _trials_frame(wf: WalkForwardResult) -> pd.DataFrame:
    rows = []
    for f in wf.folds:
        for t in f.trials:
            rows.append(
                {
                    "fold": f.fold.number,
                    "params": json.dumps(t.params, sort_keys=True),
                    "score": t.score,
                    "valid": t.valid,
                    "complete": t.complete,
                    "n_trades": t.n_trades,
                    "error": t.error,
                    **{
                        f"param_{k}": (json.dumps(v) if not isinstance(v, int | float) else float(v))
                        for k, v in t.params.items()
                    },
                }
            )
    return pd.DataFrame(rows)


def _folds_frame(summary: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for f in summary["folds"]:
        row = {k: v for k, v in f.items() if k not in ("best_params", "oos")}
        row["best_params"] = json.dumps(f["best_params"], sort_keys=True)
        row.update({f"oos_{k}": v for k, v in f["oos"].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def write_sweep_run(
    runs_dir: Path,
    wf: WalkForwardResult,
    summary: SweepSummary,
    *,
    symbols: list[str],
    run_id: str | None = None,
) -> Path:
    """Write the run atomically; returns its directory."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    cfg = wf.config
    run_id = run_id or new_run_id(runs_dir, cfg.name)
    meta = {
        "id": run_id,
        "kind": "sweep",
        "name": cfg.name,
        "strategy": cfg.strategy,
        "symbols": symbols,
        "interval": wf.interval,
        "created": pd.Timestamp.now("UTC").isoformat(),
        "seconds": wf.seconds,
        "folds": len(wf.folds),
        "trials": summary.n_trials,
        "verdict": "pass" if summary.verdict.passed else "fail",
    }
    body = _summary_dict(summary)
    document = {**meta, "config": msgspec.to_builtins(cfg), "summary": body}
    tmp = runs_dir / f".{run_id}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        (tmp / "run.json").write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
        equity = summary.oos_equity if summary.oos_equity is not None else pd.Series(dtype=float)
        equity.rename("equity").to_frame().to_parquet(tmp / "oos_equity.parquet")
        _folds_frame(body).to_parquet(tmp / "folds.parquet")
        _trials_frame(wf).to_parquet(tmp / "trials.parquet")
        (tmp / "report.html").write_text(render_report(meta, body, equity), encoding="utf-8")
        os.replace(tmp, runs_dir / run_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return runs_dir / run_id


def _header(path: Path) -> dict[str, Any] | None:
    for name in HEADER_FILES:
        file = path / name
        if file.is_file():
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {"id": path.name, "kind": "?", "error": f"unreadable {name}"}
            if isinstance(data, dict):
                data.setdefault("id", path.name)
                data.setdefault("kind", "backtest" if "sweep" not in path.name else "sweep")
                return data
    return None


def list_runs(runs_dir: Path) -> list[dict[str, Any]]:
    """Headers of every run under ``runs_dir`` (newest first by directory name)."""
    if not runs_dir.is_dir():
        return []
    out = []
    for path in sorted(runs_dir.iterdir(), key=lambda p: p.name, reverse=True):
        if path.is_dir() and not path.name.startswith("."):
            header = _header(path)
            if header is not None:
                header["path"] = str(path)
                out.append(header)
    return out


def load_run(runs_dir: Path, run_id: str) -> dict[str, Any]:
    """The header document of run ``run_id`` (RunNotFound with one line otherwise)."""
    if not _ID_RE.match(run_id):
        raise RunNotFound(f"bad run id {run_id!r}")
    path = runs_dir / run_id
    header = _header(path) if path.is_dir() else None
    if header is None:
        raise RunNotFound(f"no run {run_id!r} in {runs_dir} (see `openalpha runs list`)")
    header["path"] = str(path)
    return header


__all__ = ["RunNotFound", "list_runs", "load_run", "new_run_id", "write_sweep_run"]
