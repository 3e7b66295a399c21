"""Mutating actions through the pages: confirmation text, cancel, role checked server-side, audit."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.unit.ui.conftest import VIEWER_PASSWORD, Clock, sign_in
from tests.unit.ui.fake_runtime import FakeRuntime

ACTIONS = [
    # (page, button, consequence shown before anything happens, recorded command, audit message)
    ("/admin", "Engage kill switch", "Cancels every open order in paper, demo and blocks new orders. Positions stay open.",
     ("kill_switch", "", "ui:admin"), "kill switch engaged: orders cancelled"),
    ("/admin", "Kill switch and flatten", "closes every position with reduce-only market orders",
     ("kill_switch", "flatten", "ui:admin"), "orders cancelled and positions flattened"),
    ("/admin", "Cancel all orders on paper", "Cancels all 1 open orders on paper. Positions stay open.",
     ("cancel_all", "paper", "ui:admin"), "1 orders cancelled on paper"),
    ("/admin", "Close all positions on demo", "then closes all 1 positions with reduce-only market orders",
     ("close_all", "demo", "ui:admin"), "positions closed on demo"),
    ("/admin", "Wipe paper data", "Demo, testnet and mainnet are not touched.",
     ("wipe_paper", "", "ui:admin"), "paper data wiped"),
    ("/strategies", "Pause sma_btc", "sma_btc stops sending new orders on paper",
     ("pause", "sma_btc", "ui:admin"), "sma_btc paused"),
]  # fmt: skip


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


def dialog_open(user: User, label: str) -> bool:
    dialogs = [d for d in user.find(ui.dialog).elements if d.props.get("aria-label") == f"Confirm {label}"]
    assert len(dialogs) == 1
    return bool(dialogs[0].value)


def slug(label: str) -> str:
    from openalpha.ui.components.actions import slug as to_slug

    return to_slug(label)


@pytest.mark.parametrize(("page", "label", "consequence", "command", "audit"), ACTIONS)
async def test_action_is_confirmed_then_run_and_audited(
    user: User, runtime: FakeRuntime, page: str, label: str, consequence: str, command: tuple, audit: str
) -> None:
    await sign_in(user, page=page)
    assert not dialog_open(user, label)
    user.find(marker=f"action:{slug(label)}").click()
    assert dialog_open(user, label)
    await user.should_see(consequence)
    user.find(marker=f"cancel:{slug(label)}").click()
    assert not dialog_open(user, label)
    await asyncio.sleep(0.2)
    assert runtime.commands == []  # cancelling does nothing

    user.find(marker=f"action:{slug(label)}").click()
    user.find(marker=f"confirm:{slug(label)}").click()
    await wait_for(lambda: runtime.commands != [])
    assert runtime.commands == [command]
    await user.should_see(audit)  # the outcome, as a notification
    await user.open("/admin")
    await user.should_see("Audit log")
    await user.should_see("ui:admin")  # the audit row names who did it
    assert len(user.find(audit).elements) >= 1


async def test_release_appears_once_the_kill_switch_is_on(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, page="/admin")
    await user.should_not_see("Release kill switch")
    user.find(marker="action:engage-kill-switch").click()
    user.find(marker="confirm:engage-kill-switch").click()
    await user.should_see("ENGAGED: new orders are blocked", retries=50)  # live update, no reload
    user.find(marker="action:release-kill-switch").click()
    await user.should_see("Strategies may send new orders again.")
    user.find(marker="confirm:release-kill-switch").click()
    await wait_for(lambda: len(runtime.commands) == 2)
    assert runtime.commands[-1] == ("release_kill_switch", "", "ui:admin")
    await user.should_see("Off: strategies may trade.", retries=50)


async def test_resume_after_pause(user: User, runtime: FakeRuntime) -> None:
    runtime.paused.add("sma_btc")
    await sign_in(user, page="/strategies")
    await user.should_see("paused")
    user.find(marker="action:resume-sma-btc").click()
    user.find(marker="confirm:resume-sma-btc").click()
    await wait_for(lambda: runtime.commands != [])
    assert runtime.commands == [("resume", "sma_btc", "ui:admin")]
    await user.should_see("Pause sma_btc", retries=50)


@pytest.mark.parametrize(("page", "label"), [(a[0], a[1]) for a in ACTIONS])
async def test_viewer_cannot_run_any_action(user: User, runtime: FakeRuntime, page: str, label: str) -> None:
    await sign_in(user, password=VIEWER_PASSWORD, page=page)
    await user.should_see("viewer")
    user.find(marker=f"action:{slug(label)}").click()
    await user.should_see("admin only (you are signed in as viewer)")
    assert not any(dialog.value for dialog in user.find(ui.dialog).elements)  # no confirmation opened
    await asyncio.sleep(0.2)
    assert runtime.commands == []


async def test_the_role_is_checked_again_when_confirming(
    user: User, runtime: FakeRuntime, clock: Clock
) -> None:
    await sign_in(user, page="/admin")
    user.find(marker="action:engage-kill-switch").click()
    await user.should_see("blocks new orders")
    clock.now += 31 * 60  # the session (30 min) expires while the dialog is open
    user.find(marker="confirm:engage-kill-switch").click()
    await user.should_see("your session expired", retries=50)
    await asyncio.sleep(0.2)
    assert runtime.commands == []


async def test_a_failing_command_is_reported_not_swallowed(user: User, runtime: FakeRuntime, caplog) -> None:  # type: ignore[no-untyped-def]
    def broken(env, *, actor):  # type: ignore[no-untyped-def]
        raise ConnectionError("exchange actor timed out\nTraceback ...")

    runtime.cancel_all = broken  # type: ignore[method-assign]
    await sign_in(user, page="/admin")
    user.find(marker="action:cancel-all-orders-on-paper").click()
    user.find(marker="confirm:cancel-all-orders-on-paper").click()
    await user.should_see("Cancel all orders on paper failed: exchange actor timed out", retries=50)
    assert any("failed" in r.getMessage() for r in caplog.records if r.name == "openalpha.ui.audit")
