"""Admin: kill switch, close all, cancel all, wipe paper — each confirmed; key status; audit log."""

from __future__ import annotations

from nicegui import ui
from openalpha.ui.components import fmt
from openalpha.ui.components.actions import confirm_button
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import heading, table, text
from openalpha.ui.context import PageContext

from openalpha.domain import Environment
from openalpha.live.snapshot import ENVIRONMENTS, RuntimeSnapshot
from openalpha.security import KEYED_ENVS, SecurityError, Vault

MAX_AUDIT = 100


def _kill_switch(page: PageContext, snapshot: RuntimeSnapshot) -> None:
    control = page.dash.control
    with ui.card().classes("oa-card q-pa-md w-full").props('aria-label="Kill switch"'):
        heading("Kill switch", 3)
        engaged = snapshot.risk.kill_switch
        text("p", "ENGAGED: new orders are blocked" if engaged else "Off: strategies may trade.",
             "oa-neg" if engaged else "oa-pos")  # fmt: skip
        active = ", ".join(e.env.value for e in snapshot.environments if e.active) or "no environment"
        with ui.row().classes("gap-2"):
            confirm_button(
                page, "Engage kill switch",
                consequence=f"Cancels every open order in {active} and blocks new orders. Positions stay open.",
                command=lambda actor: control.kill_switch(actor=actor, flatten=False), icon="front_hand",
            )  # fmt: skip
            confirm_button(
                page, "Kill switch and flatten",
                consequence=f"Cancels every open order in {active}, blocks new orders and closes every position "
                "with reduce-only market orders.",
                command=lambda actor: control.kill_switch(actor=actor, flatten=True), icon="dangerous",
            )  # fmt: skip
            if engaged:
                confirm_button(
                    page, "Release kill switch",
                    consequence="Strategies may send new orders again.",
                    command=lambda actor: control.release_kill_switch(actor=actor), icon="lock_open",
                    colour="positive",
                )  # fmt: skip


def _env_actions(page: PageContext, snapshot: RuntimeSnapshot) -> None:
    control = page.dash.control
    with (
        ui.card().classes("oa-card q-pa-md w-full").props('aria-label="Orders and positions per environment"')
    ):
        heading("Per environment", 3)
        for env in snapshot.environments:
            if not env.active:
                continue
            name, e = env.env.value, env.env
            with ui.row().classes("items-center gap-2 q-my-xs"):
                text("span", f"{name}: {len(env.open_orders)} open orders, {len(env.positions)} positions",
                     "q-mr-md")  # fmt: skip
                confirm_button(
                    page, f"Cancel all orders on {name}",
                    consequence=f"Cancels all {len(env.open_orders)} open orders on {name}. Positions stay open.",
                    command=lambda actor, e=e: control.cancel_all(e, actor=actor), icon="cancel", colour="warning",
                )  # fmt: skip
                confirm_button(
                    page, f"Close all positions on {name}",
                    consequence=f"Cancels the open orders on {name}, then closes all {len(env.positions)} "
                    "positions with reduce-only market orders.",
                    command=lambda actor, e=e: control.close_all(e, actor=actor), icon="block",
                )  # fmt: skip
        paper = next((e for e in snapshot.environments if e.env is Environment.PAPER), None)
        if paper is not None and paper.active:
            confirm_button(
                page, "Wipe paper data",
                consequence="Closes every paper position and cancels every paper order first, then deletes the "
                "paper trading history. Demo, testnet and mainnet are not touched.",
                command=lambda actor: control.wipe_paper(actor=actor), icon="delete_forever",
            )  # fmt: skip


def _keys(page: PageContext) -> None:
    with ui.card().classes("oa-card q-pa-md w-full").props('aria-label="API keys"'):
        try:
            entries = {e.env: e for e in Vault(page.dash.paths.vault, None).entries()}
            error = ""
        except SecurityError as err:
            entries, error = {}, str(err)
        rows = []
        for env in ENVIRONMENTS:
            if env not in KEYED_ENVS:
                rows.append([env.value, "not needed (simulator)", "—"])
            elif env in entries:
                rows.append([env.value, f"stored: {entries[env].key_id}", fmt.ts(entries[env].created_ts)])
            else:
                rows.append([env.value, "no key", "—"])
        table("API keys (secrets are never shown)", ["Environment", "Key", "Added"], rows)
        if error:
            text("p", f"Vault problem: {error}", "oa-neg")
        text("p", "Add or replace keys with `openalpha keys set ENV`.", "oa-muted q-ma-none")


def _audit(snapshot: RuntimeSnapshot) -> None:
    events = sorted(snapshot.audit, key=lambda e: e.ts, reverse=True)[:MAX_AUDIT]
    with ui.card().classes("oa-card q-pa-md w-full"):
        table(
            "Audit log",
            ["Time", "Kind", "Environment", "Who", "Source", "What"],
            [
                [fmt.ts(e.ts), e.kind, e.env.value if e.env else "—", e.actor, e.source, e.message]
                for e in events
            ],
            empty="empty",
        )


async def build(page: PageContext, live: Live) -> None:
    live.section(
        lambda s: (s.risk.kill_switch, [(e.env, e.active) for e in s.environments]),
        lambda s: _kill_switch(page, s),
    )
    live.section(
        lambda s: [(e.env, e.active, len(e.open_orders), len(e.positions)) for e in s.environments],
        lambda s: _env_actions(page, s),
    )
    _keys(page)
    live.section(lambda s: s.audit, _audit)
