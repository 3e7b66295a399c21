"""A self-contained, offline HTML report of a sweep (inline CSS and SVG, no scripts, no CDN)."""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np
import pandas as pd

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1d232a;background:#fafbfc;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#eef1f4}td.l,th.l{text-align:left}.pass{color:#0a7a32;font-weight:600}.fail{color:#b42318;font-weight:600}
.note{color:#555;font-size:.85rem}svg{background:#fff;border:1px solid #ddd}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return _esc(value)


def equity_svg(equity: pd.Series, width: int = 1000, height: int = 260) -> str:
    """An SVG polyline of ``equity`` with min/max labels."""
    if equity is None or len(equity) < 2:
        return "<p class='note'>No out-of-sample equity.</p>"
    values = equity.to_numpy(dtype=float)
    step = max(1, len(values) // 2000)
    values = values[::step]
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo or 1.0
    xs = np.linspace(40, width - 10, len(values))
    ys = height - 20 - (values - lo) / span * (height - 40)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    first, last = equity.index[0], equity.index[-1]
    return (
        f"<svg width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img'>"
        f"<polyline fill='none' stroke='#2563eb' stroke-width='1.5' points='{points}'/>"
        f"<text x='2' y='16' font-size='11'>{hi:,.0f}</text><text x='2' y='{height - 22}' font-size='11'>{lo:,.0f}</text>"
        f"<text x='40' y='{height - 4}' font-size='11'>{first:%Y-%m-%d}</text>"
        f"<text x='{width - 80}' y='{height - 4}' font-size='11'>{last:%Y-%m-%d}</text></svg>"
    )


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_num(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_report(meta: dict[str, Any], summary: dict[str, Any], equity: pd.Series) -> str:
    """The HTML page for a sweep run (``meta``: run.json header; ``summary``: its summary)."""
    verdict = summary["verdict"]
    word = "<span class='pass'>PASS</span>" if verdict["passed"] else "<span class='fail'>FAIL</span>"
    checks = [
        [c["name"], c["value"], f"{c['direction']} {c['threshold']:g}", "ok" if c["passed"] else "FAIL"]
        for c in verdict["checks"]
    ]
    folds = [
        [
            f["fold"] + 1,
            f["train_start"][:10],
            f["test_start"][:10],
            f["test_end"][:10],
            json.dumps(f["best_params"]),
            f["is_score"],
            f["pbo"],
            f["oos"]["total_return"],
            f["oos"]["sharpe"],
            f["oos"]["max_drawdown"],
            f["oos"]["n_trades"],
        ]
        for f in summary["folds"]
    ]
    mc = [
        [m["method"], m["n_sims"]]
        + [m["total_return"]["percentiles"][k] for k in ("p5", "p50", "p95")]
        + [m["max_drawdown"]["percentiles"][k] for k in ("p5", "p50", "p95")]
        + [m["prob_loss"]]
        for m in summary["montecarlo"]
    ]
    stab = [[s["name"], json.dumps(s["values"]), s["dispersion"]] for s in summary["stability"]]
    oos = summary["oos_metrics"]
    dsr = summary.get("dsr") or {}
    headline = [
        ["total return", oos.get("total_return")],
        ["Sharpe (annualised)", oos.get("sharpe")],
        ["max drawdown", oos.get("max_drawdown")],
        ["trades", oos.get("n_trades")],
        ["PBO (CSCV, mean of folds)", summary.get("pbo")],
        ["DSR", dsr.get("dsr")],
        ["trials", summary.get("n_trials")],
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{_esc(meta['id'])}</title><style>{_CSS}</style></head><body>"
        f"<h1>Sweep {_esc(meta['name'])}: {_esc(meta['strategy'])} on {_esc(', '.join(meta['symbols']))} "
        f"({_esc(meta['interval'])})</h1><p>Verdict: {word} · run {_esc(meta['id'])} · {_esc(meta['created'])}</p>"
        "<p class='note'>Out-of-sample results of a walk-forward optimisation after fees, slippage and funding. "
        "Past results are a measurement, not a forecast.</p>"
        "<h2>Stitched out-of-sample equity</h2>"
        + equity_svg(equity)
        + "<h2>Headline</h2>"
        + _table(["statistic", "value"], headline)
        + "<h2>Verdict checks</h2>"
        + _table(["check", "value", "threshold", "result"], checks)
        + "<h2>Folds</h2>"
        + _table(
            [
                "fold",
                "train from",
                "test from",
                "test to",
                "best params",
                "IS score",
                "PBO",
                "OOS return",
                "OOS Sharpe",
                "OOS max DD",
                "OOS trades",
            ],
            folds,
        )
        + "<h2>Monte Carlo</h2>"
        + _table(
            [
                "method",
                "sims",
                "return p5",
                "return p50",
                "return p95",
                "max DD p5",
                "max DD p50",
                "max DD p95",
                "P(loss)",
            ],
            mc,
        )
        + "<h2>Parameter stability</h2>"
        + _table(["parameter", "best per fold", "dispersion"], stab)
        + "</body></html>"
    )


__all__ = ["equity_svg", "render_report"]
