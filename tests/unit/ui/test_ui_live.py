"""Live updates pushed to open pages, the login flow, sign-out and expiry — simulated user."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement
from nicegui.testing import User
from openalpha.ui.app import make_dashboard
from openalpha.ui.components import fmt
from openalpha.ui.context import Dashboard
from openalpha.ui.hub import SnapshotHub

from openalpha.domain import Environment
from tests.unit.ui.conftest import ADMIN_PASSWORD, Clock, sign_in
from tests.unit.ui.fake_runtime import FakeRuntime

REPO = Path(__file__).resolve().parents[3]


def texts(user: User) -> dict[str, int]:
    """Visible text -> element id, to see which elements were rebuilt."""
    return {
        el.text: el.id for el in user.current_layout.descendants() if isinstance(el, TextElement) and el.text
    }


async def see_within(user: User, text: str, timeout: float) -> float:
    """Seconds until ``text`` is on the page (fails after ``timeout``)."""
    start = time.perf_counter()
    while True:
        if any(text in t for t in texts(user)):
            return time.perf_counter() - start
        if time.perf_counter() - start > timeout:  # a liveness deadline, not a speed target
            pytest.fail(f"{text!r} not on the page after {timeout} s")
        await asyncio.sleep(0.005)


async def test_a_new_fill_is_pushed_to_the_open_page(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, page="/positions")
    before = texts(user)
    fill = runtime.add_fill(Environment.PAPER, qty=0.02)  # the next real bar trades
    latency = await see_within(user, fill.order_link_id, timeout=5.0)
    # Report the number (speed is never asserted in tests; the Chromium test measures it end to end).
    record = {"what": "fill_to_page_simulated", "push_interval_s": 0.1, "latency_s": round(latency, 4)}
    (REPO / "artifacts").mkdir(exist_ok=True)
    (REPO / "artifacts" / "ui_latency_simulated.json").write_text(json.dumps(record))
    print(json.dumps(record))
    after = texts(user)
    # Only the changed section was rebuilt: the demo panel kept its elements, the paper panel did not.
    assert after["demo open orders"] == before["demo open orders"]
    assert after["paper fills"] != before["paper fills"]
    assert fmt.number(fill.price, 8) in after


async def test_equity_chart_and_balance_follow_the_runtime(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user)
    runtime.add_fill(Environment.DEMO, qty=0.5)
    new = runtime.snapshot().env(Environment.DEMO)
    await see_within(user, fmt.money(new.equity), timeout=5.0)
    chart = user.find(ui.echart).elements.pop()
    assert chart.options["series"][1]["data"][-1] == list(new.equity_curve[-1])


async def test_runtime_outage_shows_a_banner_and_keeps_the_last_data(
    user: User, runtime: FakeRuntime
) -> None:
    await sign_in(user)
    equity = fmt.money(runtime.snapshot().env(Environment.PAPER).equity)
    runtime.fail_snapshots = True
    await see_within(user, "Runtime not answering (supervisor actor unreachable)", timeout=5.0)
    await user.should_see(equity)
    runtime.fail_snapshots = False
    for _ in range(200):
        if not any("Runtime not answering" in t for t in texts(user)):
            break
        await asyncio.sleep(0.02)
    await user.should_not_see("Runtime not answering")


async def test_wrong_password_then_lockout_on_the_login_page(user: User) -> None:
    await user.open("/login")
    for _ in range(2):
        user.find("Password").type("wrong-password").trigger("keydown.enter")
        await user.should_see("wrong password", retries=50)
    user.find("Password").type("wrong-password").trigger("keydown.enter")
    await user.should_see("too many failed logins: locked for 300 seconds", retries=50)
    user.find("Password").type(ADMIN_PASSWORD).trigger("keydown.enter")
    await user.should_see("more seconds", retries=50)
    await user.open("/")
    await user.should_see("Sign in to the dashboard.")


async def test_sign_out_ends_the_session(user: User) -> None:
    await sign_in(user)
    user.find(marker="sign-out").click()
    await user.should_see("Sign in to the dashboard.", retries=50)
    await user.open("/admin")
    await user.should_see("Sign in to the dashboard.")


async def test_an_expired_session_stops_updates_and_returns_to_login(user: User, clock: Clock) -> None:
    await sign_in(user, page="/risk")
    clock.now += 31 * 60
    await user.should_see("Sign in to the dashboard.", retries=100)


async def test_many_pages_share_one_runtime_snapshot_per_interval(runtime: FakeRuntime) -> None:
    hub = SnapshotHub(runtime, max_age=60.0)
    results = await asyncio.gather(*(hub.latest() for _ in range(20)))
    assert runtime.snapshot_calls == 1 and all(r is results[0] for r in results)
    await hub.latest(force=True)
    assert runtime.snapshot_calls == 2
    runtime.fail_snapshots = True
    kept = await hub.latest(force=True)
    assert kept is not None and hub.error == "supervisor actor unreachable"  # the last good one stays


def test_push_interval_above_half_a_second_is_refused(runtime: FakeRuntime, dash: Dashboard) -> None:
    store = dash.auth.store
    with pytest.raises(ValueError, match=r"push_interval_s must be in \(0, 0.5\]"):
        make_dashboard(runtime, config=dash.config, paths=dash.paths, store=store, push_interval_s=0.6)
