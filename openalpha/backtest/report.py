"""A self-contained HTML report of one backtest: inline SVG and CSS only, works offline."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

from openalpha.backtest.result import BacktestResult
from openalpha.backtest.svg import bar_chart, line_chart
from openalpha.metrics import drawdown

CSS = """
body{background:#0b0b0b;color:#ddd;font:14px system-ui,sans-serif;margin:24px;max-width:960px}
h1{color:#FF6B35}h2{color:#FFB74D;border-bottom:1px solid #333;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border:1px solid #333;text-align:right}
th{background:#1a1a1a}svg{width:100%;height:auto;background:#0b0b0b}svg text{fill:#aaa;font-size:11px}
.note{color:#888;font-size:12px}
"""

PERCENT = {"total_return", "cagr", "volatility", "max_drawdown", "win_rate", "exposure"}


def fmt(key: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            return "∞" if value > 0 else "n/a"
        return f"{value:.2%}" if key in PERCENT else f"{value:,.4g}"
    return escape(str(value))


def metrics_table(metrics: dict[str, Any], benchmark: dict[str, Any]) -> str:
    rows = ["<table><tr><th>metric</th><th>strategy</th><th>buy &amp; hold</th></tr>"]
    for key, value in metrics.items():
        bench = fmt(key, benchmark[key]) if key in benchmark else ""
        rows.append(f"<tr><th>{escape(key)}</th><td>{fmt(key, value)}</td><td>{bench}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def monthly_returns(equity: pd.Series, initial: float) -> pd.DataFrame:
    """Return of every calendar month (rows = years, columns = 1..12)."""
    month_end = equity.groupby([equity.index.year, equity.index.month]).last()
    prev = month_end.shift(1).fillna(initial)
    rets = month_end / prev - 1
    table = rets.unstack()
    table.index.name, table.columns.name = "year", "month"
    return table


def heatmap(table: pd.DataFrame) -> str:
    rows = ["<table><tr><th>year</th>" + "".join(f"<th>{m}</th>" for m in range(1, 13)) + "</tr>"]
    top = float(np.nanmax(np.abs(table.to_numpy()))) if table.size else 1.0
    for year, row in table.iterrows():
        cells = []
        for m in range(1, 13):
            v = row.get(m, np.nan)
            if pd.isna(v):
                cells.append("<td></td>")
                continue
            alpha = min(1.0, abs(v) / (top or 1.0))
            rgb = "0,255,65" if v >= 0 else "255,0,0"
            cells.append(f'<td style="background:rgba({rgb},{alpha * 0.6:.2f})">{v:.1%}</td>')
        rows.append(f"<tr><th>{year}</th>{''.join(cells)}</tr>")
    rows.append("</table>")
    return "".join(rows)


def _x_labels(index: pd.DatetimeIndex) -> list[str]:
    picks = np.linspace(0, len(index) - 1, 6).astype(int)
    return [index[i].strftime("%Y-%m-%d") for i in picks]


def _price_chart(result: BacktestResult, symbol: str) -> str:
    close = result.prices[symbol].to_numpy()
    x = np.arange(len(close), dtype=np.float64)
    fills = result.fills[result.fills["symbol"] == symbol]
    buys, sells = fills[fills["side"] == "Buy"], fills[fills["side"] == "Sell"]
    markers = [
        (buys["bar"].to_numpy(dtype=np.float64), buys["price"].to_numpy(), "#00FF41", "down"),
        (sells["bar"].to_numpy(dtype=np.float64), sells["price"].to_numpy(), "#FF0000", "up"),
    ]
    return line_chart(
        x,
        {symbol: (close, "#00FFFF")},
        _x_labels(result.equity.index),
        ",.2f",
        markers,
        title=f"{symbol} price with entries and exits",
    )


def render(result: BacktestResult, title: str | None = None) -> str:
    """The whole report as one HTML string."""
    eq = result.equity
    x = np.arange(len(eq), dtype=np.float64)
    labels = _x_labels(eq.index)
    initial = result.config.capital
    m = result.metrics
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title or result.strategy)}</title><style>{CSS}</style></head><body>",
        f"<h1>🔥 {escape(result.strategy)} on {escape(', '.join(result.symbols))} ({escape(result.interval)})</h1>",
        f"<p class='note'>{eq.index[0]:%Y-%m-%d %H:%M} → {eq.index[-1]:%Y-%m-%d %H:%M} UTC · params "
        f"{escape(str(result.params))} · capital {initial:,.0f} · leverage {result.config.leverage:g} · "
        f"fee tier {escape(result.config.fee_tier)} · slippage {result.config.slippage_bps:g} bps · "
        f"funding {'on' if result.config.funding else 'off'} · liquidation "
        f"{'on' if result.config.liquidation else 'off'}. Past results; not a forecast.</p>",
        "<h2>Equity vs buy &amp; hold</h2>",
        line_chart(
            x,
            {
                "strategy": (eq.to_numpy(), "#FF6B35"),
                "buy & hold": (result.benchmark_equity.to_numpy(), "#9C27B0"),
            },
            labels,
            title="equity vs buy and hold",
        ),
        "<h2>Drawdown</h2>",
        line_chart(
            x,
            {"drawdown %": (drawdown(eq.to_numpy(), initial) * 100, "#FF0000")},
            labels,
            ",.1f",
            title="drawdown",
        ),
    ]
    for symbol in result.symbols:
        parts += [
            f"<h2>{escape(symbol)}: price, entries (▼ green) and exits (▲ red)</h2>",
            _price_chart(result, symbol),
        ]
    parts += [
        "<h2>Monthly returns</h2>",
        heatmap(monthly_returns(eq, initial)),
        "<h2>Costs: fees and funding</h2>",
        bar_chart(
            ["fees paid", "funding paid", "funding received", "margin lost (liq.)"],
            [m["fees_paid"], m["funding_paid"], -m["funding_received"], m["margin_lost"]],
            title="fees and funding",
        ),
    ]
    if len(result.fills):
        by_kind = result.fills.groupby(["symbol", "kind"])["fee"].agg(["count", "sum"]).reset_index()
        parts.append("<table><tr><th>symbol</th><th>order kind</th><th>fills</th><th>fees</th></tr>")
        for _, r in by_kind.iterrows():
            parts.append(
                f"<tr><td>{escape(r['symbol'])}</td><td>{escape(r['kind'])}</td>"
                f"<td>{int(r['count'])}</td><td>{r['sum']:,.2f}</td></tr>"
            )
        parts.append("</table>")
    parts += ["<h2>Metrics</h2>", metrics_table(m, result.benchmark), "</body></html>"]
    return "".join(parts)


__all__ = ["monthly_returns", "render"]
