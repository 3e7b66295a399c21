"""Research: backtest and sweep results saved under ``$OPENALPHA_HOME/runs`` (read-only).

Formats (written by ``openalpha backtest`` and ``openalpha sweep``): a backtest run has
``metrics.json`` + ``equity.parquet`` (columns ``equity``, ``buy_and_hold``); a sweep run has
``run.json`` (summary with out-of-sample metrics, PBO, DSR, verdict) + ``oos_equity.parquet``
+ ``folds.parquet``. Runs are listed with :func:`openalpha.research.runs.list_runs`.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from nicegui import ui
from openalpha.ui.components.charts import line_chart
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import badge, heading, table, text
from openalpha.ui.context import PageContext

from openalpha.research.runs import RunNotFound, list_runs, load_run

MAX_POINTS = 2000
MAX_RUNS = 100
HEADLINE = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "n_trades", "win_rate", "fees_paid")


@dataclass
class RunView:
    header: dict[str, Any]
    metrics: dict[str, Any]
    equity: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    folds: list[list[str]] = field(default_factory=list)
    fold_columns: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "—" if not math.isfinite(value) else f"{value:.4g}"
    return "—" if value is None else str(value)


def _series(frame: pd.DataFrame, column: str) -> list[tuple[int, float]]:
    values = frame[column].dropna()
    step = max(1, len(values) // MAX_POINTS)
    values = values.iloc[::step]
    index = pd.DatetimeIndex(values.index)
    stamps = index.as_unit("ms").asi8 if index.tz is not None else index.tz_localize("UTC").as_unit("ms").asi8
    return [(int(t), float(v)) for t, v in zip(stamps, values.to_numpy(), strict=True)]


def load_view(runs_dir: Path, run_id: str) -> RunView:
    """Everything the page shows of one run (blocking file reads; call in a thread)."""
    header = load_run(runs_dir, run_id)
    path = Path(header["path"])
    if header.get("kind") == "sweep":
        summary = header.get("summary") or {}
        metrics = dict(summary.get("oos_metrics") or {})
        for key in ("pbo", "dsr", "n_trials"):
            if key in summary:
                metrics[key] = summary[key]
    else:
        metrics = dict(header.get("metrics") or {})
    view = RunView(header, metrics)
    for name in ("equity.parquet", "oos_equity.parquet"):
        file = path / name
        if file.is_file():
            try:
                frame = pd.read_parquet(file)
                for column in frame.columns:
                    label = "out-of-sample equity" if name.startswith("oos") else str(column)
                    view.equity[label] = _series(frame, column)
            except (OSError, ValueError, KeyError, TypeError) as err:
                view.problems.append(f"{name}: {err}")
    folds_file = path / "folds.parquet"
    if folds_file.is_file():
        try:
            folds = pd.read_parquet(folds_file)
            view.fold_columns = [str(c) for c in folds.columns]
            view.folds = [[_cell(v) for v in row] for row in folds.itertuples(index=False)]
        except (OSError, ValueError) as err:
            view.problems.append(f"folds.parquet: {err}")
    return view


def _runs_table(runs: list[dict[str, Any]], selected: str | None) -> None:
    if not runs:
        text("p", "No runs yet: `openalpha backtest` and `openalpha sweep` save them here.", "oa-muted")
        return
    with ui.element("div").classes("oa-scroll"), ui.element("table").classes("oa-table"):
        text("caption", "Saved runs (newest first)", "oa-section-title text-left q-pb-sm")
        with ui.element("thead"), ui.element("tr"):
            for column in ("Run", "Kind", "Strategy", "Symbols", "Created"):
                text("th", column, "text-left q-px-sm").props('scope="col"')
        with ui.element("tbody"):
            for run in runs[:MAX_RUNS]:
                run_id = str(run.get("id"))
                symbols = run.get("symbols")
                with ui.element("tr").style("border-top: 1px solid var(--oa-grid)"):
                    with ui.element("td").classes("q-px-sm"):
                        link = ui.link(run_id, f"/research?run={quote(run_id)}")
                        if run_id == selected:
                            link.props('aria-current="true"')
                    for value in (run.get("kind"), run.get("strategy") or run.get("name"),
                                  ", ".join(symbols) if isinstance(symbols, list) else symbols, run.get("created")):  # fmt: skip
                        text("td", _cell(value), "q-px-sm")


def _run_detail(view: RunView) -> None:
    header = view.header
    with ui.card().classes("oa-card q-pa-md w-full").props(f'aria-label="Run {header.get("id")}"'):
        with ui.row().classes("items-center gap-2"):
            heading(str(header.get("id")), 3)
            badge(str(header.get("kind", "?")))
            if "verdict" in header:
                badge(f"verdict {header['verdict']}", "oa-pos" if header["verdict"] == "pass" else "oa-neg")
        metrics = view.metrics
        keys = [k for k in HEADLINE if k in metrics] + sorted(k for k in metrics if k not in HEADLINE)
        table("Metrics" + (" (out of sample)" if header.get("kind") == "sweep" else ""),
              ["Metric", "Value"], [[k, _cell(metrics[k])] for k in keys if not isinstance(metrics[k], dict | list)])  # fmt: skip
        if view.equity:
            ui.echart(line_chart("Equity", view.equity)).classes("oa-chart").props(
                'aria-label="Equity curve of the run"'
            )
        if view.folds:
            table("Walk-forward folds", view.fold_columns, view.folds)
        for problem in view.problems:
            text("p", problem, "oa-neg")


async def build(page: PageContext, live: Live) -> None:
    runs_dir = page.dash.paths.runs
    selected = page.query.get("run")
    runs = await asyncio.to_thread(list_runs, runs_dir)
    with ui.card().classes("oa-card q-pa-md w-full"):
        _runs_table(runs, selected)
    if selected:
        try:
            view = await asyncio.to_thread(load_view, runs_dir, selected)
        except RunNotFound as err:
            text("p", str(err), "oa-neg").props('role="alert"')
            return
        _run_detail(view)
