"""The ML page, as NiceGUI's simulated user sees it: a real (tiny) LightGBM model's predictions,
confidence, feature importance, age and out-of-sample score, updated live as bars close."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from openalpha.ui.components import fmt

from openalpha.domain import Environment
from tests.unit.ui.conftest import VIEWER_PASSWORD, sign_in
from tests.unit.ui.fake_runtime import ML_FEATURES, FakeRuntime
from tests.unit.ui.test_ui_live import see_within, texts


def _ml(runtime: FakeRuntime):  # type: ignore[no-untyped-def]
    return next(s for s in runtime.snapshot().strategies if s.name == "ml_trend")


async def test_ml_page_requires_sign_in(user: User) -> None:
    await user.open("/ml")
    await user.should_see("Sign in to the dashboard.")
    await user.should_not_see("eth_trend")


async def test_ml_page_shows_predictions_confidence_and_the_model(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, VIEWER_PASSWORD, page="/ml")
    s = _ml(runtime)
    m = s.model
    assert m is not None and m.version == 1 and m.oos_score is not None
    p = s.predictions["ETHUSDT"]
    await user.should_see("Machine learning")
    await user.should_see("trend_eth")
    await user.should_see("eth_trend v1")
    await user.should_see(fmt.pct(p, 1))  # P(up)
    await user.should_see(fmt.pct(abs(2 * p - 1), 1))  # confidence
    assert ("up" if p > 0.5 else "down") in texts(user)  # the "Leans" cell, exactly
    await user.should_see(fmt.ts(s.predictions_ts))
    await user.should_see("Out-of-sample log loss")
    await user.should_see(fmt.number(m.oos_score, 4))
    await user.should_see(fmt.pct(m.oos_accuracy, 1))
    await user.should_see(fmt.age(m.created_ts, runtime.snapshot().ts))  # model age on the runtime's clock
    await user.should_see(f"{fmt.ts(m.train_start_ms)[:10]} → {fmt.ts(m.train_end_ms)[:10]}")
    # feature importance: a chart and a table of the model's own features, largest first
    chart = user.find(ui.echart).elements.pop()
    bars = chart.options["series"][0]["data"]
    assert chart.options["yAxis"]["data"] == [n for n, _ in reversed(m.importance)]
    assert bars == sorted(bars) and bars[-1] == round(m.importance[0][1] * 100, 2)
    assert set(chart.options["yAxis"]["data"]) <= set(ML_FEATURES)
    await user.should_see(m.importance[0][0])
    await user.should_see(fmt.pct(m.importance[0][1], 1))
    await user.should_not_see("sma_btc")  # not an ML strategy


async def test_ml_page_follows_new_predictions(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, page="/ml")
    before = _ml(runtime)
    shown = fmt.ts(before.predictions_ts)
    await user.should_see(shown)
    runtime.add_fill(Environment.DEMO)  # the next real ETHUSDT bar closes: a new prediction
    after = _ml(runtime)
    assert after.predictions_ts == before.predictions_ts + 3_600_000
    await see_within(user, fmt.ts(after.predictions_ts), timeout=5.0)
    await see_within(user, fmt.pct(after.predictions["ETHUSDT"], 1), timeout=5.0)


async def test_ml_page_without_ml_strategies(
    user: User, runtime: FakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "ml_fields", lambda: {})
    await sign_in(user, page="/ml")
    await user.should_see("No ML strategy is running.")
