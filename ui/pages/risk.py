"""Risk: every limit with its utilisation, the kill switch / reduce-only state, recent denials."""

from __future__ import annotations

from nicegui import ui
from openalpha.ui.components import fmt
from openalpha.ui.components.charts import bar_colour, utilisation_bars
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import badge, heading, table, text
from openalpha.ui.context import PageContext

from openalpha.live.snapshot import RuntimeSnapshot

MAX_DENIALS = 50
_TONE = {"#FF5252": "oa-neg", "#FF6B35": "oa-fire", "#FFB74D": "oa-warn", "#00FF41": "oa-pos"}


def _state(snapshot: RuntimeSnapshot) -> None:
    with ui.row().classes("gap-2 items-center"):
        risk = snapshot.risk
        badge(
            "kill switch ON" if risk.kill_switch else "kill switch off",
            "oa-neg" if risk.kill_switch else "oa-pos",
        )
        badge(
            "reduce-only" if risk.reduce_only else "new risk allowed",
            "oa-warn" if risk.reduce_only else "oa-pos",
        )


def _limits(snapshot: RuntimeSnapshot) -> None:
    limits = snapshot.risk.limits
    with ui.card().classes("oa-card q-pa-md w-full"):
        heading("Limits", 3)
        if not limits:
            text("p", "The governor reported no limits.", "oa-muted")
            return
        ui.echart(utilisation_bars("Utilisation", [(lv.name, lv.utilisation) for lv in limits])).classes(
            "oa-chart"
        ).props('aria-label="Utilisation of each risk limit"')
        table(
            "Every limit",
            ["Limit", "Current", "Limit value", "Utilisation"],
            [[lv.name, f"{fmt.number(lv.current)} {lv.unit}".strip(), f"{fmt.number(lv.limit)} {lv.unit}".strip(),
              fmt.pct(lv.utilisation, 1)] for lv in limits],
            tones=[["", "", "", _TONE.get(bar_colour(lv.utilisation), "")] for lv in limits],
        )  # fmt: skip


def _denials(snapshot: RuntimeSnapshot) -> None:
    denials = sorted(snapshot.risk.recent_denials, key=lambda d: d.ts, reverse=True)[:MAX_DENIALS]
    with ui.card().classes("oa-card q-pa-md w-full"):
        table(
            "Recent denials",
            ["Time", "Strategy", "Symbol", "Rule", "Reason", "Requested", "Approved"],
            [[fmt.ts(d.ts), d.strategy, d.symbol, d.rule, d.reason, f"{d.requested:+.4f}", f"{d.approved:+.4f}"]
             for d in denials],
            empty="none",
        )  # fmt: skip


async def build(page: PageContext, live: Live) -> None:
    live.section(lambda s: (s.risk.kill_switch, s.risk.reduce_only), _state)
    live.section(lambda s: s.risk.limits, _limits)
    live.section(lambda s: s.risk.recent_denials, _denials)
