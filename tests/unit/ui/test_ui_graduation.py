"""The Strategies page's graduation panel: stage, a bar per criterion with value and threshold,
the evidence of the last change, and approve/demote for the admin only (checked server-side)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest
from nicegui import ui
from nicegui.testing import User

from openalpha.domain import Stage
from openalpha.graduation.evaluate import CriterionCheck
from openalpha.graduation.stages import IllegalStageChange
from openalpha.live.snapshot import RuntimeSnapshot
from tests.unit.ui.conftest import VIEWER_PASSWORD, sign_in
from tests.unit.ui.fake_runtime import FakeRuntime

CHECKS = [
    CriterionCheck(name="days", value=7.0, threshold=14.0, op=">=", passed=False),
    CriterionCheck(name="tracking_error", value=0.01, threshold=0.02, op="<=", passed=True),
]


class GraduationRuntime(FakeRuntime):
    """The dashboard's runtime double, with a strategy at testnet awaiting mainnet approval."""

    def __init__(self, shared_data: Path) -> None:
        super().__init__(shared_data)
        self.stage = Stage.TESTNET

    def snapshot(self) -> RuntimeSnapshot:
        snap = super().snapshot()
        first, *rest = snap.strategies
        first = msgspec.structs.replace(
            first, stage=self.stage, capital=1000.0, stage_since=first.recent_decisions[0].ts,
            stage_reason="every paper criterion passed", next_stage=Stage.MAINNET, criteria=CHECKS,
            pending_approval=self.stage is Stage.TESTNET,
            stage_evidence={"days": 15.0, "days.threshold": 14, "trades": 31.0, "trades.threshold": 20},
        )  # fmt: skip
        return msgspec.structs.replace(snap, strategies=[first, *rest])

    def approve(self, strategy_id: str, *, actor: str, capital: float) -> str:
        if capital <= 0:
            raise IllegalStageChange("capital must be > 0")
        self.stage = Stage.MAINNET
        return self._record("approve", f"{strategy_id}:{capital:g}", actor, f"{strategy_id} approved", None)

    def demote(self, strategy_id: str, *, actor: str, to: Stage, reason: str) -> str:
        if not reason.strip():
            raise IllegalStageChange("a demotion needs a reason")
        self.stage = to
        return self._record("demote", f"{strategy_id}:{to}:{reason}", actor, f"{strategy_id} -> {to}", None)


@pytest.fixture
def runtime(shared_data: Path) -> FakeRuntime:
    return GraduationRuntime(shared_data)


async def until(predicate: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_stage_and_progress_bars_with_values_and_thresholds(user: User) -> None:
    await sign_in(user, page="/strategies")
    await user.should_see("Stage testnet since")
    await user.should_see("capital granted 1,000 USDT")
    await user.should_see("mainnet approval pending")
    await user.should_see("Progress to mainnet (and a human approval):")
    await user.should_see("days: 7 (needs >= 14)")
    await user.should_see("tracking_error: 0.01 (needs <= 0.02)")
    bars = {b.props.get("aria-label"): b.value for b in user.find(ui.linear_progress).elements}
    assert (
        bars["days: 7 (needs >= 14): 50%"] == 0.5
        and bars["tracking_error: 0.01 (needs <= 0.02): 100%"] == 1.0
    )
    await user.should_see("Evidence of the last change: days 15, trades 31")


async def test_admin_approves_with_capital_then_demotes_with_a_reason(
    user: User, runtime: FakeRuntime
) -> None:
    await sign_in(user, page="/strategies")
    user.find(marker="action:approve-sma-btc-for-mainnet").click()
    await user.should_see("may trade mainnet with real money")
    user.find(marker="approve-sma-btc-for-mainnet:capital-usdt").clear().type("250")
    user.find(marker="confirm:approve-sma-btc-for-mainnet").click()
    await until(lambda: runtime.commands != [])
    assert runtime.commands == [("approve", "sma_btc:250", "ui:admin")]
    await user.should_see("Demote sma_btc to paper", retries=50)  # now at mainnet
    user.find(marker="action:halt-sma-btc").click()
    user.find(marker="confirm:halt-sma-btc").click()  # no reason: refused by the runtime
    await user.should_see("a demotion needs a reason")
    user.find(marker="action:halt-sma-btc").click()
    user.find(marker="halt-sma-btc:reason").type("venue incident")
    user.find(marker="confirm:halt-sma-btc").click()
    await until(lambda: len(runtime.commands) == 2)
    assert runtime.commands[-1] == ("demote", "sma_btc:halted:venue incident", "ui:admin")


async def test_viewer_cannot_approve(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, password=VIEWER_PASSWORD, page="/strategies")
    await user.should_see("mainnet approval pending")
    user.find(marker="action:approve-sma-btc-for-mainnet").click()
    await asyncio.sleep(0.2)
    assert runtime.commands == []
    dialogs = [d for d in user.find(ui.dialog).elements if "Approve" in str(d.props.get("aria-label"))]
    assert dialogs and not any(d.value for d in dialogs)
