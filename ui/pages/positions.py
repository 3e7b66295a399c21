"""Positions & orders: per environment, live — positions, open orders, fills, funding payments."""

from __future__ import annotations

from nicegui import ui
from openalpha.ui.components import fmt
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import badge, heading, table, text, tone_of
from openalpha.ui.context import PageContext

from openalpha.live.snapshot import EnvSnapshot, FillView, RuntimeSnapshot

MAX_ROWS = 50
REAL_MONEY = {"mainnet"}


def _fills_rows(fills: list[FillView]) -> list[list[str]]:
    newest = sorted(fills, key=lambda f: f.ts, reverse=True)[:MAX_ROWS]
    return [
        [fmt.ts(f.ts), f.symbol, f.side, fmt.number(f.qty), fmt.number(f.price, 8), fmt.number(f.fee), f.exec_type,
         f.order_link_id or "—"]
        for f in newest
    ]  # fmt: skip


def _funding_rows(payments: list[FillView]) -> list[list[str]]:
    newest = sorted(payments, key=lambda f: f.ts, reverse=True)[:MAX_ROWS]
    # For a funding execution ``fee`` is what was paid (negative = received), as Bybit reports execFee.
    return [[fmt.ts(f.ts), f.symbol, f.side, fmt.number(f.qty), fmt.number(f.price, 8), fmt.signed_money(-f.fee)]
            for f in newest]  # fmt: skip


def env_panel(env: EnvSnapshot) -> None:
    name = env.env.value
    with ui.card().classes("oa-card q-pa-md w-full").props(f'aria-label="{name} positions and orders"'):
        with ui.row().classes("items-center gap-2"):
            heading(name, 3)
            badge(
                "real money" if name in REAL_MONEY else "virtual money",
                "oa-neg" if name in REAL_MONEY else "oa-cyan",
            )
        positions = sorted(env.positions, key=lambda p: p.symbol)
        table(
            f"{name} positions",
            ["Symbol", "Size", "Entry", "Mark", "Unrealised PnL", "Liq. price", "Leverage"],
            [[p.symbol, fmt.number(p.size), fmt.number(p.entry_price, 8), fmt.number(p.mark_price, 8),
              fmt.signed_money(p.unrealised_pnl), fmt.number(p.liq_price, 8), f"{p.leverage:g}x"]
             for p in positions],
            empty="flat",
            tones=[["", tone_of(p.size), "", "", tone_of(p.unrealised_pnl), "", ""] for p in positions],
        )  # fmt: skip
        orders = sorted(env.open_orders, key=lambda o: o.created_ts, reverse=True)
        table(
            f"{name} open orders",
            ["Created", "Symbol", "Side", "Type", "Price", "Qty", "Filled", "Status", "Strategy", "Link id"],
            [[fmt.ts(o.created_ts), o.symbol, o.side, o.order_type, fmt.number(o.price, 8), fmt.number(o.qty),
              fmt.number(o.filled_qty), o.status, o.strategy or "—", o.order_link_id] for o in orders],
            empty="none",
        )  # fmt: skip
        table(
            f"{name} fills",
            ["Time", "Symbol", "Side", "Qty", "Price", "Fee", "Type", "Link id"],
            _fills_rows(env.recent_fills),
            empty="none yet",
        )
        table(
            f"{name} funding payments",
            ["Time", "Symbol", "Side", "Size", "Mark", "Received (+) / paid (−)"],
            _funding_rows(env.recent_funding),
            empty="none yet",
        )


def _inactive(snapshot: RuntimeSnapshot) -> None:
    names = [e.env.value for e in snapshot.environments if not e.active]
    if names:
        text("p", f"Inactive: {', '.join(names)}", "oa-muted")


async def build(page: PageContext, live: Live) -> None:
    for env in live.snapshot.environments:
        if env.active:
            key = env.env

            def render(snapshot: RuntimeSnapshot, key: object = key) -> None:
                current = next((e for e in snapshot.environments if e.env == key), None)
                if current is not None and current.active:
                    env_panel(current)
                else:
                    text("p", f"{key} is no longer active", "oa-muted")

            live.section(
                lambda s, key=key: [
                    (e.positions, e.open_orders, e.recent_fills, e.recent_funding, e.active)
                    for e in s.environments
                    if e.env == key
                ],
                render,
            )
    live.section(lambda s: [(e.env, e.active) for e in s.environments], _inactive)
