"""Machine learning: each ML strategy's latest predictions and confidence, and its model —
where it comes from, its age, training window, out-of-sample score and feature importance."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from openalpha.ui.components import fmt
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import badge, heading, stat, table, text
from openalpha.ui.context import PageContext
from openalpha.ui.theme import PALETTE

from openalpha.live.snapshot import ModelView, RuntimeSnapshot, StrategySnapshot

LEAN = 0.5  # P(up) above: the model leans up; below: down


def is_ml(s: StrategySnapshot) -> bool:
    return s.model is not None or bool(s.predictions)


def lean(probability: float) -> tuple[str, str]:
    """(words, tone) for a probability: which way the model leans."""
    if probability > LEAN:
        return "up", "oa-pos"
    if probability < LEAN:
        return "down", "oa-neg"
    return "undecided", "oa-muted"


def importance_chart(model: ModelView) -> dict[str, Any]:
    """Horizontal bars: each top feature's share of the model's split gain (largest on top)."""
    rows = list(reversed(model.importance))
    return {
        "backgroundColor": "transparent",
        "aria": {"enabled": True, "decal": {"show": False}},
        "animation": False,
        "title": {"text": "Feature importance (share of split gain)", "left": 8,
                  "textStyle": {"color": PALETTE["text"], "fontSize": 14}},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 24, "containLabel": True},
        "tooltip": {"trigger": "item", "backgroundColor": PALETTE["surface"], "textStyle": {"color": PALETTE["text"]}},
        "xAxis": {"type": "value", "axisLabel": {"color": PALETTE["muted"], "formatter": "{value} %"},
                  "splitLine": {"lineStyle": {"color": PALETTE["grid"], "type": "dashed"}}},
        "yAxis": {"type": "category", "data": [n for n, _ in rows], "axisLabel": {"color": PALETTE["muted"]},
                  "axisLine": {"lineStyle": {"color": PALETTE["grid"]}}},
        "series": [{"type": "bar", "data": [round(g * 100, 2) for _, g in rows],
                    "itemStyle": {"color": PALETTE["cyan"]}}],
    }  # fmt: skip


def _model(m: ModelView, now_ms: int) -> None:
    with ui.row().classes("gap-6"):
        stat("Model", f"{m.name} v{m.version}" if m.version is not None else m.name)
        stat("Library", m.kind)
        stat("Model age", fmt.age(m.created_ts, now_ms) if m.created_ts else "—")
        stat(
            "Trained on",
            f"{fmt.ts(m.train_start_ms)[:10]} → {fmt.ts(m.train_end_ms)[:10]}" if m.train_end_ms else "—",
        )
        stat(f"Out-of-sample {m.oos_metric}".strip(), fmt.number(m.oos_score, 4))
        stat("Out-of-sample accuracy", fmt.pct(m.oos_accuracy, 1))
        stat("Features", str(m.n_features) if m.n_features else "—")
    text("p", f"Source: {m.source}", "oa-muted q-ma-none")
    if m.importance:
        ui.echart(importance_chart(m)).classes("oa-chart").props(
            f'aria-label="Feature importance of {m.name}"'
        )
        table(
            "Most important features",
            ["Feature", "Share of split gain"],
            [[name, fmt.pct(gain, 1)] for name, gain in m.importance],
        )


def ml_card(s: StrategySnapshot, now_ms: int) -> None:
    with ui.card().classes("oa-card q-pa-md w-full").props(f'aria-label="ML strategy {s.strategy_id}"'):
        with ui.row().classes("items-center gap-2"):
            heading(s.strategy_id, 3)
            text("span", f"{s.name} · {s.env.value} · {', '.join(s.symbols)}", "oa-muted")
            badge(f"stage {s.stage.value}")
        rows, tones = [], []
        for key, p in sorted(s.predictions.items()):
            words, tone = lean(p)
            rows.append(
                [key, fmt.pct(p, 1), fmt.pct(s.confidence.get(key), 1), words, fmt.ts(s.predictions_ts)]
            )
            tones.append(["", "", "", tone, ""])
        table(
            "Latest predictions",
            ["Symbol", "P(up)", "Confidence", "Leans", "Bar"],
            rows,
            empty="no prediction yet (warming up, or a feature is not defined at the last bar)",
            tones=tones,
        )
        text("p", "Confidence = |2 × P(up) − 1|: 0 % is a coin flip, 100 % certainty.", "oa-muted q-ma-none")
        if s.model is not None:
            _model(s.model, now_ms)


async def build(page: PageContext, live: Live) -> None:
    def render(snapshot: RuntimeSnapshot) -> None:
        strategies = sorted((s for s in snapshot.strategies if is_ml(s)), key=lambda s: s.strategy_id)
        if not strategies:
            text("p", "No ML strategy is running.", "oa-muted")
        for s in strategies:
            ml_card(s, snapshot.ts)

    live.section(lambda s: ([x for x in s.strategies if is_ml(x)], s.ts // 60_000), render)
