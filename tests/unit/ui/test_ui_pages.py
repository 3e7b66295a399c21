"""Every page, as NiceGUI's simulated user sees it, over the real-data runtime double."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from openalpha.ui.components import fmt
from openalpha.ui.context import Dashboard

from openalpha.domain import Environment
from openalpha.security import Secret, Vault
from tests.unit.ui.conftest import FAST_KDF, sign_in
from tests.unit.ui.fake_runtime import FakeRuntime

PAGES = ["/", "/positions", "/strategies", "/research", "/risk", "/admin"]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_requires_sign_in(user: User, path: str) -> None:
    await user.open(path)
    await user.should_see("Sign in to the dashboard.")
    await user.should_not_see("Skip to content")
    await user.should_not_see("paper")  # no runtime data leaks to the login page


@pytest.mark.parametrize("path", PAGES)
async def test_sign_in_returns_to_the_page_asked_for(user: User, path: str) -> None:
    await sign_in(user, page=path)
    await user.should_see("Sign out")
    current = next(el for el in user.find(ui.link).elements if el.props.get("aria-current") == "page")
    assert current.props["href"] == path


async def test_login_ignores_foreign_redirect_targets(user: User) -> None:
    await sign_in(user, page="//evil.example/steal")
    await user.should_see("System health")  # landed on the overview


async def test_overview_shows_every_environment_side_by_side(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user)
    snap = runtime.snapshot()
    paper, demo = snap.env(Environment.PAPER), snap.env(Environment.DEMO)
    assert paper.active and demo.active and paper.recent_fills  # real trades on real prices
    for env in (paper, demo):
        await user.should_see(fmt.money(env.equity))
        await user.should_see(fmt.signed_money(env.pnl_total))
        await user.should_see(fmt.signed_money(env.pnl_today))
        await user.should_see(fmt.pct(env.open_risk))
    await user.should_see(f"{fmt.pct(paper.drawdown)} of 15.00 %")  # drawdown against the governor's limit
    await user.should_see("testnet")
    await user.should_see("mainnet")
    assert len(user.find("not running in this runtime").elements) == 2  # testnet and mainnet inactive
    await user.should_see(kind=ui.echart)
    chart = user.find(ui.echart).elements.pop()
    names = [s["name"] for s in chart.options["series"]]
    assert names == ["paper", "demo"]
    assert chart.options["series"][0]["data"][-1] == list(paper.equity_curve[-1])
    for actor in ("supervisor up", "governor up", "ledger up"):
        await user.should_see(actor)
    await user.should_see("42 ms")
    await user.should_see("90 %")
    await user.should_see(f"BTCUSDT {fmt.ts(paper.health.last_bar_ts['BTCUSDT'])}")


async def test_positions_page_lists_positions_orders_fills_and_funding(
    user: User, runtime: FakeRuntime
) -> None:
    await sign_in(user, page="/positions")
    snap = runtime.snapshot()
    paper = snap.env(Environment.PAPER)
    assert paper.recent_funding, "the real 8 h settlements in the window must produce funding payments"
    await user.should_see("paper positions")
    await user.should_see("demo open orders")
    await user.should_see("virtual money")
    await user.should_see(fmt.number(paper.positions[0].size))
    await user.should_see(paper.open_orders[0].order_link_id)
    await user.should_see(paper.recent_fills[0].exec_id.replace("paper-", "oa-paper-"))
    newest_funding = max(paper.recent_funding, key=lambda f: f.ts)
    await user.should_see(fmt.signed_money(-newest_funding.fee))
    await user.should_see("Inactive: testnet, mainnet")


async def test_strategies_page_shows_stage_decisions_and_reasons(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, page="/strategies")
    await user.should_see("sma_btc")
    await user.should_see("stage paper")
    await user.should_see("stage testnet")
    await user.should_see("capped at 30 % of equity")  # the governor's reason
    await user.should_see("daily loss limit of 3 % reached")
    await user.should_see("ML predictions")  # trend_eth carries predictions
    ml = next(s for s in runtime.snapshot().strategies if s.predictions)
    await user.should_see(fmt.pct(ml.predictions["ETHUSDT"], 1))  # a real model's P(up)
    await user.should_see("Backtest, same period")
    await user.should_see("Pause sma_btc")


async def test_risk_page_shows_every_limit_with_utilisation(user: User, runtime: FakeRuntime) -> None:
    await sign_in(user, page="/risk")
    snap = runtime.snapshot()
    for limit in snap.risk.limits:
        await user.should_see(limit.name)
        await user.should_see(fmt.pct(limit.utilisation, 1))
    await user.should_see("Recent denials")
    await user.should_see("daily_loss")
    await user.should_see("kill switch off")
    chart = user.find(ui.echart).elements.pop()
    assert [round(u["value"], 2) for u in chart.options["series"][0]["data"]] == [
        round(lv.utilisation * 100, 2) for lv in snap.risk.limits
    ]


async def test_admin_page_shows_key_status_masked_never_the_secret(user: User, dash: Dashboard) -> None:
    vault = Vault(dash.paths.vault, Secret("master-key-for-test"), kdf=FAST_KDF)
    vault.set(Environment.TESTNET, "TESTNETKEY123456789", Secret("super-secret-value-xyz"))
    await sign_in(user, page="/admin")
    await user.should_see("stored: TEST…6789")
    await user.should_see("no key")
    await user.should_see("not needed (simulator)")
    await user.should_not_see("super-secret-value-xyz")
    await user.should_not_see("TESTNETKEY123456789")


async def test_research_page_lists_runs_and_opens_a_backtest(
    user: User, dash: Dashboard, research_runs: Path
) -> None:
    shutil.copytree(research_runs, dash.paths.runs)
    backtest = next(p.name for p in research_runs.iterdir() if "backtest" in p.name)
    await sign_in(user, page="/research")
    await user.should_see(backtest)
    user.find(backtest).click()
    await user.should_see("Metrics")
    await user.should_see("sharpe")
    chart = user.find(ui.echart).elements.pop()
    assert [s["name"] for s in chart.options["series"]] == ["equity", "buy_and_hold"]


async def test_research_page_shows_walk_forward_folds_of_a_sweep(
    user: User, dash: Dashboard, research_runs: Path
) -> None:
    shutil.copytree(research_runs, dash.paths.runs)
    sweep = next(p.name for p in research_runs.iterdir() if "sweep" in p.name)
    await sign_in(user, page=f"/research?run={sweep}")
    await user.should_see("Walk-forward folds")
    await user.should_see("Metrics (out of sample)")
    await user.should_see("verdict")
    chart = user.find(ui.echart).elements.pop()
    assert [s["name"] for s in chart.options["series"]] == ["out-of-sample equity"]


async def test_research_page_reports_an_unknown_run_in_one_line(user: User) -> None:
    await sign_in(user, page="/research?run=no-such-run")
    await user.should_see("No runs yet")
    await user.should_see("no run 'no-such-run'")
