"""Mutating actions: confirmation naming what will happen, server-side role check, audit.

The role is checked when the action is confirmed (not when the button was drawn), so an
expired or read-only session can never run it. The runtime receives the signed-in role as
``actor`` and writes its own audit event; the dashboard also logs every attempt.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from nicegui import ui
from openalpha.ui.auth import PermissionDenied, Role
from openalpha.ui.context import PageContext

log = logging.getLogger("openalpha.ui.audit")
Command = Callable[[str], str]  # actor -> outcome
TEXT_ON = {"warning": "dark", "positive": "dark", "primary": "dark", "secondary": "dark", "negative": "white"}


async def run_action(page: PageContext, label: str, command: Command, role: Role = Role.ADMIN) -> str | None:
    """Check the role now, run ``command(actor)`` off the event loop, report the outcome."""
    dash = page.dash
    try:
        session = dash.auth.require(page.browser_id, role, label)
    except PermissionDenied as err:
        log.warning("dashboard refused %r: %s", label, err)
        ui.notify(str(err), type="negative")
        return None
    log.info("dashboard action %r by %s", label, session.user)
    try:
        outcome = await asyncio.to_thread(command, session.user)
    except Exception as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        log.error("dashboard action %r by %s failed: %s", label, session.user, message)
        ui.notify(f"{label} failed: {message}", type="negative")
        return None
    log.info("dashboard action %r by %s: %s", label, session.user, outcome)
    ui.notify(f"{label}: {outcome}", type="positive")
    await dash.hub.latest(force=True)
    return outcome


def slug(label: str) -> str:
    """``"Cancel all orders on paper"`` → ``"cancel-all-orders-on-paper"`` (test markers)."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def confirm_button(
    page: PageContext,
    label: str,
    *,
    consequence: str,
    command: Command,
    icon: str = "warning",
    colour: str = "negative",
    role: Role = Role.ADMIN,
) -> ui.button:
    """A button that opens a dialog stating ``consequence``; only "Confirm" runs the action."""
    with ui.dialog().props(f'aria-label="Confirm {label}"') as dialog, ui.card().classes("oa-card q-pa-md"):
        dialog.on_value_change(
            lambda e: (page.open_dialogs.add if e.value else page.open_dialogs.discard)(id(dialog))
        )
        ui.label(f"{label}?").classes("oa-section-title")
        ui.label(consequence).classes("q-my-sm").style("max-width: 32rem")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props(f'flat aria-label="Cancel {label}"').mark(
                f"cancel:{slug(label)}"
            )

            async def confirmed() -> None:
                dialog.close()
                await run_action(page, label, command, role)

            ui.button(f"Confirm: {label}", on_click=confirmed, color=colour).props(
                f'aria-label="Confirm {label}" text-color={TEXT_ON.get(colour, "white")}'
            ).mark(f"confirm:{slug(label)}")

    def open_dialog() -> None:
        # Fail early for the wrong role; run_action checks again on confirmation.
        try:
            page.dash.auth.require(page.browser_id, role, label)
        except PermissionDenied as err:
            log.warning("dashboard refused %r: %s", label, err)
            ui.notify(str(err), type="negative")
            return
        dialog.open()

    button = ui.button(label, icon=icon, on_click=open_dialog, color=colour).props(
        f'aria-label="{label}" text-color={TEXT_ON.get(colour, "white")}'
    )
    return button.mark(f"action:{slug(label)}")
