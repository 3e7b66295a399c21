"""Dashboard fixtures: the real-data runtime double, a dashboard with known passwords, and
NiceGUI's simulated ``User`` (no browser, no sockets: requests go through an ASGI transport).

The NiceGUI pytest plugin is not registered in this repository, so :func:`simulate` does what
``nicegui.testing.user_simulation`` does, but registers our pages instead of a main file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from nicegui import core, ui
from nicegui.functions.download import download
from nicegui.functions.navigate import Navigate
from nicegui.functions.notify import notify
from nicegui.testing.general import nicegui_reset_globals, prepare_simulation
from nicegui.testing.user import User
from openalpha.ui.app import make_dashboard, register
from openalpha.ui.auth import PasswordStore, Role
from openalpha.ui.context import Dashboard

from openalpha.config import Paths
from openalpha.config.schema import UiConfig
from openalpha.security import KdfParams
from tests.unit.ui.fake_runtime import FakeRuntime

ADMIN_PASSWORD = "fire-and-ice-admin"
VIEWER_PASSWORD = "just-looking-viewer"
FAST_KDF = KdfParams(n=2**10, r=8, p=1)  # tests only; production keeps the default cost


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def build_research_runs(shared_data: Path, runs: Path) -> Path:
    """A real backtest run and a real (small) walk-forward sweep run in ``runs``, as the CLI saves them."""
    from openalpha.backtest import make_config, run_backtest
    from openalpha.backtest.artifacts import save_run
    from openalpha.research.analysis import summarise
    from openalpha.research.local_search import OptunaLocalSearch
    from openalpha.research.runs import write_sweep_run
    from openalpha.research.sweep_config import Objective, ParamRange, Searcher, SweepConfig, WalkForward
    from openalpha.research.walkforward import run_walk_forward
    from openalpha.strategies import get_strategy_class
    from tests.unit.backtest.realdata import perp_1h

    data = perp_1h(shared_data, "BTCUSDT", "2025-09-01", "2025-12-01")
    save_run(run_backtest(get_strategy_class("sma_cross")(fast=20, slow=100), data, make_config()), runs)
    cfg = SweepConfig(
        name="ui", strategy="sma_cross", symbols=["BTCUSDT"],
        search={"fast": ParamRange(low=5, high=40), "slow": ParamRange(low=60, high=200)},
        objective=Objective(min_trades=2), walk_forward=WalkForward(train="30D", test="15D", inner_folds=2),
        searcher=Searcher(algorithm="optuna", trials_per_fold=3, grid_points=2),
    )  # fmt: skip
    wf = run_walk_forward(cfg, data, OptunaLocalSearch(cfg.searcher), lambda _: None, max_folds=3)
    write_sweep_run(runs, wf, summarise(wf), symbols=["BTCUSDT"])
    return runs


@pytest.fixture(scope="session")
def research_runs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_research_runs(shared_data, tmp_path_factory.mktemp("ui_runs"))


@pytest.fixture
def runtime(shared_data: Path) -> FakeRuntime:
    return FakeRuntime(shared_data)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dash(runtime: FakeRuntime, oa_home: Path, clock: Clock) -> Dashboard:
    store, _ = PasswordStore.create(oa_home / "ui_auth.json", FAST_KDF)
    store.set_password(Role.ADMIN, ADMIN_PASSWORD)
    store.set_password(Role.VIEWER, VIEWER_PASSWORD)
    config = UiConfig(session_minutes=30, max_login_failures=3)
    return make_dashboard(
        runtime, config=config, paths=Paths(oa_home), store=store, push_interval_s=0.1, clock=clock
    )


@asynccontextmanager
async def simulate(dash: Dashboard) -> AsyncIterator[User]:
    saved = dict(sys.modules)
    try:
        with nicegui_reset_globals():
            os.environ["NICEGUI_USER_SIMULATION"] = "true"
            try:
                prepare_simulation()
                register(dash)
                ui.run(storage_secret="simulated secret")
                async with core.app.router.lifespan_context(core.app):
                    transport = httpx.ASGITransport(core.app)
                    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                        yield User(client)
            finally:
                os.environ.pop("NICEGUI_USER_SIMULATION", None)
                ui.navigate = Navigate()
                ui.notify = notify
                ui.download = download
    finally:
        # NiceGUI forgets the modules that defined pages; keep ours (one class identity per session).
        for name, module in saved.items():
            sys.modules.setdefault(name, module)


@pytest.fixture
async def user(dash: Dashboard) -> AsyncIterator[User]:
    async with simulate(dash) as simulated:
        yield simulated


async def sign_in(user: User, password: str = ADMIN_PASSWORD, page: str = "/") -> None:
    await user.open(f"/login?redirect_to={page}")
    user.find("Password").type(password).trigger("keydown.enter")
    await user.should_see("Skip to content", retries=50)  # only signed-in pages have it
