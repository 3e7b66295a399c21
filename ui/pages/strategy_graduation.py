"""The graduation part of a strategy card: its stage, the capital the stage grants, a bar per
criterion of the gate out of the stage (current value against threshold), the evidence of the
last stage change, and — for the admin — approve-for-mainnet and demote/halt.

The buttons open a dialog with the inputs (capital, reason); the role is checked on the server
when the dialog is confirmed (:func:`openalpha.ui.components.actions.run_action`), and the
runtime records the change with the signed-in user as the actor, audited with its evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui
from openalpha.ui.auth import PermissionDenied, Role
from openalpha.ui.components import fmt
from openalpha.ui.components.actions import TEXT_ON, run_action, slug
from openalpha.ui.components.widgets import badge, text
from openalpha.ui.context import PageContext

from openalpha.domain import Stage
from openalpha.live.snapshot import StrategySnapshot

Form = Callable[[str, dict[str, Any]], str]  # (actor, inputs) -> outcome


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def form_button(
    page: PageContext, label: str, *, consequence: str, fields: dict[str, tuple[str, Any]], command: Form,
    icon: str, colour: str,
) -> ui.button:  # fmt: skip
    """Like ``confirm_button``, with inputs: ``fields`` maps a name to (kind "number"/"text", default)."""
    with ui.dialog().props(f'aria-label="Confirm {label}"') as dialog, ui.card().classes("oa-card q-pa-md"):
        dialog.on_value_change(
            lambda e: (page.open_dialogs.add if e.value else page.open_dialogs.discard)(id(dialog))
        )
        ui.label(f"{label}?").classes("oa-section-title")
        ui.label(consequence).classes("q-my-sm").style("max-width: 32rem")
        inputs: dict[str, Any] = {}
        for name, (kind, default) in fields.items():
            widget = ui.number(name, value=default) if kind == "number" else ui.input(name, value=default)
            inputs[name] = widget.props(f'aria-label="{name}"').mark(f"{slug(label)}:{slug(name)}")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props(f'flat aria-label="Cancel {label}"')

            async def confirmed() -> None:
                values = {name: widget.value for name, widget in inputs.items()}
                dialog.close()
                await run_action(page, label, lambda actor: command(actor, values))

            ui.button(f"Confirm: {label}", on_click=confirmed, color=colour).props(
                f'aria-label="Confirm {label}" text-color={TEXT_ON.get(colour, "white")}'
            ).mark(f"confirm:{slug(label)}")

    def open_dialog() -> None:
        try:  # fail early for the wrong role; run_action checks again on confirmation
            page.dash.auth.require(page.browser_id, Role.ADMIN, label)
        except PermissionDenied as err:
            ui.notify(str(err), type="negative")
            return
        dialog.open()

    button = ui.button(label, icon=icon, on_click=open_dialog, color=colour).props(
        f'aria-label="{label}" text-color={TEXT_ON.get(colour, "white")}'
    )
    return button.mark(f"action:{slug(label)}")


def criteria_bars(s: StrategySnapshot) -> None:
    if not s.criteria or s.next_stage is None:
        return
    extra = " (and a human approval)" if s.next_stage is Stage.MAINNET else ""
    text("p", f"Progress to {s.next_stage.value}{extra}:", "q-ma-none oa-muted")
    for c in s.criteria:
        words = f"{c.name}: {_num(c.value)} (needs {c.op} {_num(c.threshold)})"
        with ui.row().classes("items-center gap-2 w-full no-wrap"):
            ui.label(words).classes("oa-criterion").style("min-width: 16rem")
            ui.linear_progress(
                value=c.progress, show_value=False, color="positive" if c.passed else "warning"
            ).props(f'aria-label="{words}: {c.progress:.0%}"').classes("oa-criterion-bar").style(
                "max-width: 16rem"
            )
            badge("ok" if c.passed else "not yet", "oa-pos" if c.passed else "oa-warn")


def evidence_line(s: StrategySnapshot) -> None:
    shown = [f"{k} {_num(v) if isinstance(v, float | int) else v}" for k, v in s.stage_evidence.items()
             if f"{k}.threshold" in s.stage_evidence]  # fmt: skip
    if shown:
        text("p", "Evidence of the last change: " + ", ".join(shown), "q-ma-none oa-muted")


def graduation_panel(page: PageContext, s: StrategySnapshot) -> None:
    sid = s.strategy_id
    since = f" since {fmt.ts(s.stage_since)}" if s.stage_since else ""
    capital = "—" if s.capital is None else f"{s.capital:,.0f} USDT"
    with ui.row().classes("items-center gap-2"):
        text("p", f"Stage {s.stage.value}{since} · capital granted {capital}", "q-ma-none")
        if s.pending_approval:
            badge("mainnet approval pending", "oa-fire")
    if s.stage_reason:
        text("p", f"Why: {s.stage_reason}", "q-ma-none oa-muted")
    for reason in s.demotion:
        text("p", f"Degrading: {reason}", "q-ma-none oa-neg")
    criteria_bars(s)
    evidence_line(s)
    control: Any = page.dash.control
    with ui.row().classes("gap-2"):
        if s.pending_approval and hasattr(control, "approve"):
            form_button(
                page, f"Approve {sid} for mainnet",
                consequence=f"{sid} may trade mainnet with real money, starting with the capital below (USDT).",
                fields={"capital (USDT)": ("number", 100.0)},
                command=lambda actor, v: control.approve(sid, actor=actor, capital=float(v["capital (USDT)"] or 0)),
                icon="verified", colour="primary",
            )  # fmt: skip
        if not hasattr(control, "demote"):
            return
        if s.stage in (Stage.TESTNET, Stage.MAINNET):
            form_button(
                page, f"Demote {sid} to paper",
                consequence=f"{sid} goes back to paper; its {s.env.value} positions are closed if paper cannot trade there.",
                fields={"reason": ("text", "")},
                command=lambda actor, v: control.demote(sid, actor=actor, to=Stage.PAPER, reason=str(v["reason"])),
                icon="south", colour="warning",
            )  # fmt: skip
        if s.stage not in (Stage.HALTED, Stage.RETIRED):
            form_button(
                page, f"Halt {sid}",
                consequence=f"{sid} stops trading everywhere and its positions are closed; only a human restarts it.",
                fields={"reason": ("text", "")},
                command=lambda actor, v: control.demote(sid, actor=actor, to=Stage.HALTED, reason=str(v["reason"])),
                icon="block", colour="negative",
            )  # fmt: skip
