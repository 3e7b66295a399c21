"""Done-when of issue 9, on real Ray and the simulator, accelerated.

A ``sma_cross`` strategy registered at ``backtest`` trades paper on real Bybit BTCUSDT 5-minute
bars (replayed at 2 500x): its orders are denied by the runtime's stage gate until a passing
sweep verdict is recorded; the ``GraduationSupervisor`` then promotes it to ``paper``, and to
``testnet`` on its live record (criteria TOML with fractions of a day and one trade), asks for
a human approval instead of promoting to ``mainnet`` — and demotes it to ``paper`` when a
crafted segment of the replayed market gaps 10 % against its long position. Every transition
is in the ledger with its evidence.

The sweep run is crafted: its out-of-sample trades, drawdown and Sharpe come from a real
backtest of the same strategy on the week before the replay; verdict, PBO and DSR are set.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from openalpha.domain import Environment, Stage
from openalpha.graduation import IllegalStageChange
from openalpha.live.stage_book import LedgerStageBook
from openalpha.store import Ledger
from tests.integration.graduation.replay import STEP, SteeredClock, crafted_store, write_sweep_run

START = int(pd.Timestamp("2026-06-01", tz="UTC").value // 1_000_000)
CRASH = START + 16 * 3_600_000
SID = "sma_cross.BTCUSDT"
PARAMS = {"fast": 3, "slow": 8}
CRITERIA = """
[backtest]
max_pbo = 0.5
min_dsr = 0.95
min_trades = 5
max_drawdown = 0.9
[paper]
min_days = 0.1
min_trades = 1
min_sharpe = -1000.0
max_drawdown = 0.2
min_win_rate = 0.0
min_profit_factor = 0.0
max_tracking_error = 0.05
[testnet]
min_days = 0.1
min_trades = 1
min_sharpe = -1000.0
max_drawdown = 0.2
min_win_rate = 0.0
min_profit_factor = 0.0
max_tracking_error = 0.05
[demotion]
max_drawdown = 0.04
below_mc_p5 = true
max_tracking_error = 0.08
max_risk_denials = 1000
denial_window_days = 1
"""
CONFIG = """
[environments.paper]
enabled = true
[risk]
risk_per_trade = 1.0
max_strategy_capital = 1.0
strategy_drawdown_stop = 0.5
account_drawdown_limit = 0.9
daily_loss_limit = 0.9
max_leverage = 10.0
target_volatility = 100.0
max_orders_per_minute = 100000
[[strategies]]
name = "sma_cross"
symbols = ["BTCUSDT"]
interval = "5"
env = "paper"
capital_fraction = 0.3
[strategies.params]
fast = 3
slow = 8
"""


def wait_for(what: str, predicate: Callable[[], Any], timeout: float, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    os.environ["RAY_AUTH_MODE"] = "disabled"
    import ray
    from openalpha.actors.names import NAMESPACE

    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, log_to_driver=False)
    yield
    if started:
        ray.shutdown()


class Replay:
    """Simulator (steered clock, crafted store) + the runtime + a view of the ledger."""

    def __init__(self, tmp: Path) -> None:
        from openalpha.actors.graduation_actor import GraduationOptions
        from openalpha.actors.launch import start_runtime

        from openalpha.config import load_config
        from openalpha.live.settings import EnvSettings
        from openalpha.sim.server import start_sim_in_thread
        from openalpha.sim.state import SimAccount, SimState

        self.url_db = f"sqlite:///{tmp / 'ledger.db'}"
        self.runs = tmp / "runs"
        self.runs.mkdir()
        self.store = crafted_store(tmp / "data", START, CRASH)
        self.clock = SteeredClock(START, speed=2500.0)
        key, secret = f"grad-{secrets.token_hex(4)}", secrets.token_hex(16)
        state = SimState(store=self.store, clock=self.clock, accounts=[SimAccount(key, secret, 10_000.0)])
        self.url, self.stop_sim = start_sim_in_thread(state)
        with Ledger.open(self.url_db) as ledger:  # registered earlier, at backtest
            from openalpha.graduation.ports import StageRecord

            LedgerStageBook(ledger).record(
                StageRecord(strategy=SID, to_stage=Stage.BACKTEST, ts=START - 86_400_000, actor="tester",
                            reason="registered for research", evidence={"configured_env": "paper"})
            )  # fmt: skip
        (tmp / "graduation.toml").write_text(CRITERIA)
        (tmp / "config.toml").write_text(CONFIG)
        settings = [EnvSettings(env=Environment.PAPER, base_url=self.url, sim_api_key=key, sim_api_secret=secret,
                                account_every_s=0.5)]  # fmt: skip
        options = GraduationOptions(
            criteria_path=str(tmp / "graduation.toml"), every_s=0.3, runs_dir=str(self.runs)
        )
        self.control = start_runtime(load_config(tmp / "config.toml"), settings, self.url_db, options)
        import ray
        from openalpha.actors import names

        self.graduation = ray.get_actor(names.GRADUATION, namespace=names.NAMESPACE)

    def history(self) -> list[Any]:
        import ray

        return ray.get(self.graduation.history.remote(SID))  # type: ignore[no-any-return]

    def stage(self) -> Stage:
        return self.history()[-1].to_stage  # type: ignore[no-any-return]

    def at(self, stage: Stage) -> Any:
        return next((r for r in self.history() if r.to_stage is stage and r.from_stage is not None), None)

    def ledger(self) -> Ledger:
        return Ledger.open(self.url_db)

    def close(self) -> None:
        import ray
        from openalpha.actors.launch import stop_runtime

        stop_runtime(self.control)
        ray.kill(self.control.supervisor, no_restart=True)
        self.stop_sim()


@pytest.fixture
def replay(tmp_path: Path, ray_session: None) -> Iterator[Replay]:
    r = Replay(tmp_path)
    try:
        yield r
    finally:
        r.close()


def test_backtest_to_testnet_refuses_mainnet_and_demotes_on_a_crash(
    replay: Replay, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ray

    assert replay.stage() is Stage.BACKTEST
    replay.clock.steer(paused=False)

    # 1. At backtest the runtime itself refuses the strategy's orders (rule graduation, audited).
    def denied() -> bool:
        with replay.ledger() as ledger:
            return any(e.data.get("strategy") == SID for e in ledger.journal.audit_events(
                Environment.PAPER, kind="graduation.order_denied"))  # fmt: skip

    wait_for("a stage-gate denial at backtest", denied, timeout=30)
    with replay.ledger() as ledger:
        assert ledger.executions.fills(Environment.PAPER) == [], "an order got through at backtest"
    snap = wait_for(
        "the gate's checks in the snapshot",
        lambda: (s := replay.control.snapshot().strategies[0]).criteria and s,
        10,
    )
    assert snap.stage is Stage.BACKTEST and [c.name for c in snap.criteria][:1] == ["verdict"]
    assert not snap.criteria[0].passed and snap.criteria[0].progress == 0.0

    # 2. A passing sweep verdict is recorded: promoted to paper on it, and orders flow.
    run_id = write_sweep_run(replay.runs, replay.url_db, replay.store, START, PARAMS)
    paper = wait_for("promotion to paper", lambda: replay.at(Stage.PAPER), timeout=15)
    assert paper.from_stage is Stage.BACKTEST and paper.actor == "graduation" and run_id in paper.reason
    assert paper.evidence["verdict"] == 1.0 and paper.evidence["pbo"] == 0.2 and paper.evidence["dsr"] == 0.97
    assert paper.evidence["backtest.oos_trades"] >= 5

    # 3. Paper -> testnet by the criteria, measured live against the backtest of the same period.
    testnet = wait_for("promotion to testnet", lambda: replay.at(Stage.TESTNET), timeout=40)
    ev = testnet.evidence
    assert ev["days"] >= 0.1 and ev["trades"] >= 1 and ev["live.trades"] >= 1
    assert ev["tracking_error"] is not None and 0 <= ev["tracking_error"] <= 0.05
    assert testnet.capital == 1000.0
    with replay.ledger() as ledger:
        assert ledger.executions.fills(Environment.PAPER), "no paper trade after the promotion"

    # 4. Ready for mainnet: an approval request, never a promotion by itself.
    with pytest.raises(IllegalStageChange, match="no pending approval"):
        replay.control.approve(SID, actor="alice", capital=100.0)
    pending = wait_for(
        "a mainnet approval request", lambda: ray.get(replay.graduation.pending.remote()), timeout=40
    )
    assert pending[0].strategy == SID and pending[0].evidence["tracking_error"] <= 0.05
    assert replay.clock.now_ms() < CRASH - 16 * STEP, (
        "too slow: the crafted crash came before testnet finished"
    )
    wait_for("the snapshot to show the pending approval",
             lambda: replay.control.snapshot().strategies[0].pending_approval, timeout=10)  # fmt: skip
    time.sleep(1.0)  # several more ticks
    assert replay.stage() is Stage.TESTNET and replay.at(Stage.MAINNET) is None

    # 5. The market gaps 10 % against the long position: demoted to paper on its drawdown.
    replay.clock.steer(speed=6000.0)
    wait_for(
        "the replay to reach the crafted segment", lambda: replay.clock.now_ms() >= CRASH - 20 * STEP, 30
    )
    replay.clock.steer(speed=2500.0)
    down = wait_for("demotion", lambda: next((r for r in replay.history() if r.kind == "demoted"), None), 30)
    assert (down.from_stage, down.to_stage) == (Stage.TESTNET, Stage.PAPER)
    assert "drawdown" in down.reason and down.evidence["live.max_drawdown"] > 0.04
    assert down.evidence["live.tracking_error"] < 0.08  # the backtest saw the same crash: not a model error
    snap = wait_for("the runtime to apply the demotion",
                    lambda: (s := replay.control.snapshot().strategies[0]).stage is Stage.PAPER and s, 10)  # fmt: skip
    assert snap.capital == 3000.0  # paper grants 10 000, capped by 30 % of the account

    # 6. The CLI finds the running runtime on the same ledger and tells it: halted at once.
    from openalpha.cli import main

    monkeypatch.setenv("OPENALPHA_DATABASE_URL", replay.url_db)
    assert main(["graduation", "demote", SID, "--reason", "end of test", "--user", "tester"]) == 0
    assert "paper -> halted" in capsys.readouterr().out
    snap = replay.control.snapshot().strategies[0]
    assert snap.stage is Stage.HALTED and snap.capital == 0.0

    # 7. Every transition in the ledger carries its evidence, and is audited.
    history = replay.history()
    assert [r.to_stage for r in history] == [
        Stage.BACKTEST,
        Stage.PAPER,
        Stage.TESTNET,
        Stage.PAPER,
        Stage.HALTED,
    ]
    assert history[-1].actor == "tester" and history[-1].evidence["stage_before"] == "paper"
    assert all(r.evidence for r in history)
    with replay.ledger() as ledger:
        kinds = [e.kind for e in ledger.journal.audit_events(None, kind="graduation.")]
        assert kinds.count("graduation.promoted") == 2 and kinds.count("graduation.demoted") == 2
        assert "graduation.approval_requested" in kinds
