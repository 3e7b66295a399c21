"""Overview: every environment's money side by side, equity curves, risk and system health."""

from __future__ import annotations

from nicegui import ui
from openalpha.ui.components import fmt
from openalpha.ui.components.charts import line_chart
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import badge, heading, stat, table, text, tone_of
from openalpha.ui.context import PageContext

from openalpha.live.snapshot import EnvSnapshot, RuntimeSnapshot


def _drawdown_limit(snapshot: RuntimeSnapshot) -> float | None:
    limits = [lv.limit for lv in snapshot.risk.limits if "drawdown" in lv.name.lower() and lv.limit > 0]
    return min(limits) if limits else None


def env_card(env: EnvSnapshot, drawdown_limit: float | None) -> None:
    name = env.env.value
    if not env.active:
        with ui.card().classes("oa-card oa-card--inactive q-pa-md").props(f'aria-label="{name}: inactive"'):
            with ui.row().classes("items-center gap-2"):
                heading(name, 3)
                badge("inactive", "oa-muted")
            text("p", "not running in this runtime", "oa-muted q-ma-none")
        return
    with ui.card().classes("oa-card q-pa-md").props(f'aria-label="{name} balance"'):
        with ui.row().classes("items-center gap-2"):
            heading(name, 3)
            badge("active", "oa-pos")
            if env.kill_switch:
                badge("kill switch", "oa-neg")
        stat("Equity", fmt.money(env.equity))
        with ui.row().classes("gap-6"):
            stat("Wallet", fmt.money(env.wallet_balance))
            stat("Available", fmt.money(env.available))
        with ui.row().classes("gap-6"):
            stat("PnL today", fmt.signed_money(env.pnl_today), tone_of(env.pnl_today))
            stat("PnL total", fmt.signed_money(env.pnl_total), tone_of(env.pnl_total))
        with ui.row().classes("gap-6"):
            stat("Open risk", fmt.pct(env.open_risk), "oa-warn" if env.open_risk > 1 else "")
            over = drawdown_limit is not None and env.drawdown >= drawdown_limit
            limit = f" of {fmt.pct(drawdown_limit)}" if drawdown_limit is not None else ""
            stat("Drawdown", f"{fmt.pct(env.drawdown)}{limit}", "oa-neg" if over else "")


def _balances(snapshot: RuntimeSnapshot) -> None:
    limit = _drawdown_limit(snapshot)
    if snapshot.risk.kill_switch:
        text("div", "KILL SWITCH ENGAGED: new orders are blocked", "oa-banner").props('role="alert"')
    with ui.element("section").classes("oa-grid").props('aria-label="Balances of every environment"'):
        for env in snapshot.environments:
            env_card(env, limit)


def _equity(snapshot: RuntimeSnapshot) -> None:
    series = {e.env.value: e.equity_curve for e in snapshot.environments if e.active and e.equity_curve}
    with ui.card().classes("oa-card q-pa-sm w-full"):
        if not series:
            text("p", "No equity history yet.", "oa-muted")
            return
        ui.echart(line_chart("Equity (USDT)", series)).classes("oa-chart").props(
            'aria-label="Equity curves of the active environments"'
        )


def _health(snapshot: RuntimeSnapshot) -> None:
    with ui.card().classes("oa-card q-pa-md w-full"):
        heading("System health", 3)
        with ui.row().classes("gap-2 items-center").props('aria-label="Actors"'):
            text("span", "Actors:", "oa-label")
            if not snapshot.actors_alive:
                text("span", "no actor reported", "oa-warn")
            for actor, alive in sorted(snapshot.actors_alive.items()):
                badge(f"{actor} {'up' if alive else 'DOWN'}", "oa-pos" if alive else "oa-neg")
        rows, tones = [], []
        for env in snapshot.environments:
            if not env.active:
                continue
            h = env.health
            bars = ", ".join(f"{s} {fmt.ts(t)}" for s, t in sorted(h.last_bar_ts.items()))
            rows.append([
                env.env.value,
                "connected" if h.connected else f"DISCONNECTED {h.error}".strip(),
                "—" if h.latency_ms is None else f"{h.latency_ms:.0f} ms",
                fmt.pct(h.rate_limit_headroom, 0),
                bars or "—",
            ])  # fmt: skip
            tones.append(["", "oa-pos" if h.connected else "oa-neg", "", "", ""])
        table(
            "Connectivity",
            ["Environment", "Exchange", "Latency", "Rate-limit headroom", "Last bar"],
            rows,
            empty="no active environment",
            tones=tones,
        )


async def build(page: PageContext, live: Live) -> None:
    live.section(
        lambda s: (s.risk.kill_switch, s.risk.limits, [_card_key(e) for e in s.environments]), _balances
    )
    live.section(lambda s: [(e.env, e.active, e.equity_curve) for e in s.environments], _equity)
    live.section(lambda s: (s.actors_alive, [(e.env, e.active, e.health) for e in s.environments]), _health)


def _card_key(env: EnvSnapshot) -> tuple[object, ...]:
    return (env.env, env.active, env.equity, env.wallet_balance, env.available, env.pnl_today, env.pnl_total,
            env.open_risk, env.drawdown, env.kill_switch)  # fmt: skip
