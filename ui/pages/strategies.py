"""Strategies: stage, what the governor decided and why, live vs backtest, pause / resume."""

from __future__ import annotations

from nicegui import ui
from openalpha.ui.components import fmt
from openalpha.ui.components.actions import confirm_button
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import badge, heading, stat, table, text, tone_of
from openalpha.ui.context import PageContext
from openalpha.ui.pages.strategy_graduation import graduation_panel

from openalpha.live.snapshot import RuntimeSnapshot, StrategySnapshot, failure_text

STAGE_TONE = {"backtest": "oa-muted", "paper": "oa-cyan", "testnet": "oa-warn", "mainnet": "oa-fire",
              "halted": "oa-neg", "retired": "oa-muted"}  # fmt: skip
MAX_DECISIONS = 20


def _tracking(s: StrategySnapshot) -> str:
    if s.live_return is None or s.backtest_return is None:
        return "—"
    return fmt.pct(s.live_return - s.backtest_return)


def strategy_card(page: PageContext, s: StrategySnapshot) -> None:
    with ui.card().classes("oa-card q-pa-md w-full").props(f'aria-label="Strategy {s.strategy_id}"'):
        with ui.row().classes("items-center gap-2"):
            heading(f"{s.strategy_id}", 3)
            text("span", f"{s.name} · {s.env.value} · {', '.join(s.symbols)}", "oa-muted")
            badge(f"stage {s.stage.value}", STAGE_TONE.get(s.stage.value, "oa-cyan"))
            if s.paused:
                badge("paused", "oa-warn")
            if s.halted_reason:
                badge("halted", "oa-neg")
            if s.error:
                badge("failing", "oa-neg")
        if s.halted_reason:
            text("p", f"Halted: {s.halted_reason}", "oa-neg q-ma-none")
        if s.errors:
            text("p", failure_text(s), "oa-neg q-ma-none" if s.error else "oa-muted q-ma-none")
        with ui.row().classes("gap-6"):
            stat("Capital", fmt.pct(s.capital_fraction))
            stat("Live return", fmt.pct(s.live_return), tone_of(s.live_return))
            stat("Backtest, same period", fmt.pct(s.backtest_return), tone_of(s.backtest_return))
            stat("Live − backtest", _tracking(s))
        graduation_panel(page, s)
        if s.last_targets:
            text(
                "p",
                "Targets: " + ", ".join(f"{k} {v:+.3f}" for k, v in sorted(s.last_targets.items())),
                "q-ma-none",
            )
        if s.predictions:
            table(
                "ML predictions",
                ["Symbol", "Probability up", "Confidence"],
                [
                    [k, fmt.pct(v, 1), fmt.pct(s.confidence.get(k), 1)]
                    for k, v in sorted(s.predictions.items())
                ],
            )
        decisions = sorted(s.recent_decisions, key=lambda d: d.ts, reverse=True)[:MAX_DECISIONS]
        table(
            "Recent governor decisions",
            ["Time", "Symbol", "Decision", "Rule", "Reason", "Requested", "Approved"],
            [[fmt.ts(d.ts), d.symbol, d.action.value, d.rule, d.reason, f"{d.requested:+.4f}", f"{d.approved:+.4f}"]
             for d in decisions],
            empty="none yet",
            tones=[["", "", {"allow": "oa-pos", "resize": "oa-warn", "deny": "oa-neg"}.get(d.action.value, ""),
                    "", "", "", ""] for d in decisions],
        )  # fmt: skip
        control = page.dash.control
        sid = s.strategy_id
        if s.paused:
            confirm_button(
                page, f"Resume {sid}", consequence=f"{sid} starts sending orders again on {s.env.value}.",
                command=lambda actor: control.resume(sid, actor=actor), icon="play_arrow", colour="positive",
            )  # fmt: skip
        else:
            confirm_button(
                page, f"Pause {sid}",
                consequence=f"{sid} stops sending new orders on {s.env.value}; open positions and orders stay.",
                command=lambda actor: control.pause(sid, actor=actor), icon="pause", colour="warning",
            )  # fmt: skip


async def build(page: PageContext, live: Live) -> None:
    def render(snapshot: RuntimeSnapshot) -> None:
        if not snapshot.strategies:
            text("p", "No strategy is running.", "oa-muted")
        for s in sorted(snapshot.strategies, key=lambda x: x.strategy_id):
            strategy_card(page, s)

    live.section(lambda s: s.strategies, render)
