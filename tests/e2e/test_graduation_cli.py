"""``openalpha graduation`` as a user runs it, and the stage gate in a real ``openalpha trade``.

The ledger is seeded the way the runtime writes it (stage changes with evidence, an approval
request); the commands then read and change it, one line and exit 2 on every refusal. The last
test halts one of two strategies with the CLI, runs ``openalpha trade --env paper`` against
``openalpha sim`` replaying real Bybit data, and checks the halted one never traded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from openalpha.data.sample import SAMPLE_DIR
from openalpha.domain import Environment, Stage
from openalpha.graduation.ports import ApprovalRequest, StageRecord
from openalpha.live.ids import is_ours
from openalpha.live.stage_book import LedgerStageBook
from openalpha.store import Ledger

T0 = 1_780_272_000_000  # 2026-06-01 00:00 UTC
READY, FRESH = "sma_cross.BTCUSDT", "mean_reversion.ETHUSDT"


def cli(home: Path, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "OPENALPHA_HOME": str(home), "RAY_AUTH_MODE": "disabled", **env}
    environ.pop("OPENALPHA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "openalpha", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environ,
    )


def one_line_error(out: subprocess.CompletedProcess[str], words: str) -> None:
    assert out.returncode == 2, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openalpha: error: ") and words in lines[0], lines


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    with Ledger.open(f"sqlite:///{home / 'openalpha.db'}") as ledger:
        book = LedgerStageBook(ledger)
        evidence = {
            "days": 15.0,
            "days.threshold": 14,
            "tracking_error": 0.01,
            "tracking_error.threshold": 0.02,
        }
        for frm, to, ts in ((None, Stage.PAPER, T0), (Stage.PAPER, Stage.TESTNET, T0 + 86_400_000)):
            book.record(StageRecord(strategy=READY, from_stage=frm, to_stage=to, ts=ts, actor="graduation",
                                    reason="every paper criterion passed" if frm else "first start",
                                    evidence=evidence, capital=1000.0))  # fmt: skip
        book.request_approval(ApprovalRequest(strategy=READY, ts=T0 + 2 * 86_400_000, evidence=evidence,
                                              suggested_capital=100.0))  # fmt: skip
        book.record(StageRecord(strategy=FRESH, to_stage=Stage.BACKTEST, ts=T0, actor="graduation",
                                reason="first start", evidence={"configured_env": "testnet"}))  # fmt: skip
    return home


def test_list_and_show(seeded: Path) -> None:
    out = cli(seeded, "graduation", "list", "--offline")
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()[1:]}
    assert lines[READY].split()[1] == "testnet" and "MAINNET APPROVAL PENDING" in lines[READY]
    assert lines[FRESH].split()[1] == "backtest"
    out = cli(seeded, "graduation", "show", READY, "--offline")
    assert out.returncode == 0, out.stderr
    assert "criteria to reach mainnet (also needs a human approval)" in out.stdout
    assert f"openalpha graduation approve {READY} --capital USDT" in out.stdout
    assert "paper -> testnet  by graduation: every paper criterion passed" in out.stdout
    assert "tracking_error=0.01" in out.stdout
    doc = json.loads(cli(seeded, "graduation", "show", READY, "--offline", "--json").stdout)
    assert doc["stage"] == "testnet" and doc["pending_approval"]["suggested_capital"] == 100.0
    assert [h["to"] for h in doc["history"]] == ["paper", "testnet"] and doc["history"][1]["evidence"][
        "days"
    ] == 15.0


def test_backtest_gate_is_shown_from_the_newest_sweep(seeded: Path) -> None:
    run = seeded / "runs" / "20260601-sweep-mr"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({
        "id": run.name, "kind": "sweep", "strategy": "mean_reversion", "symbols": ["ETHUSDT"], "verdict": "fail",
        "summary": {"pbo": 0.7, "dsr": {"dsr": 0.99}, "oos_metrics": {"n_trades": 80, "max_drawdown": -0.12}},
    }))  # fmt: skip
    doc = json.loads(cli(seeded, "graduation", "show", FRESH, "--offline", "--json").stdout)
    checks = {c["name"]: c for c in doc["checks"]}
    assert doc["next_stage"] == "paper"
    assert (
        checks["verdict"]["passed"] is False and checks["pbo"]["value"] == 0.7 and not checks["pbo"]["passed"]
    )
    assert (
        checks["dsr"]["passed"]
        and checks["oos_trades"]["value"] == 80
        and checks["max_drawdown"]["value"] == 0.12
    )
    assert checks["pbo"]["progress"] == pytest.approx(0.5 / 0.7)


def test_approve_and_demote_are_recorded_with_the_user(seeded: Path) -> None:
    one_line_error(cli(seeded, "graduation", "approve", READY, "--capital", "0", "--offline"), "--capital")
    one_line_error(
        cli(seeded, "graduation", "approve", FRESH, "--capital", "50", "--offline"), "only a testnet"
    )
    one_line_error(
        cli(seeded, "graduation", "approve", READY, "--capital", "1e9", "--offline"), "mainnet_max"
    )
    one_line_error(
        cli(seeded, "graduation", "approve", "nope.X", "--capital", "5", "--offline"), "unknown strategy"
    )
    out = cli(seeded, "graduation", "approve", READY, "--capital", "250", "--user", "alice", "--offline")
    assert out.returncode == 0, out.stderr
    assert "testnet -> mainnet by alice" in out.stdout
    out = cli(seeded, "graduation", "demote", READY, "--offline")  # --reason is required
    assert out.returncode == 2 and "--reason" in out.stderr
    one_line_error(cli(seeded, "graduation", "demote", FRESH, "--to", "paper", "--reason", "x", "--offline"),
                   "paper is a promotion")  # fmt: skip
    out = cli(seeded, "graduation", "demote", READY, "--to", "paper", "--reason", "venue incident", "--user", "bob",
              "--offline")  # fmt: skip
    assert out.returncode == 0, out.stderr
    with Ledger.open(f"sqlite:///{seeded / 'openalpha.db'}") as ledger:
        history = LedgerStageBook(ledger).history(READY)
        assert [(h.to_stage, h.actor) for h in history[-2:]] == [
            (Stage.MAINNET, "alice"),
            (Stage.PAPER, "bob"),
        ]
        assert (
            history[-2].capital == 250 and history[-2].evidence["approval_request_ts"] == T0 + 2 * 86_400_000
        )
        assert history[-1].reason == "bob: venue incident" and history[-1].evidence
        events = ledger.journal.audit_events(None, kind="graduation.")
        assert [(e.kind, e.actor) for e in events[-2:]] == [
            ("graduation.approved", "alice"),
            ("graduation.demoted", "bob"),
        ]


def test_bad_criteria_file_is_one_line(seeded: Path) -> None:
    (seeded / "graduation.toml").write_text('[paper]\nmin_trades = "many"\n')
    one_line_error(cli(seeded, "graduation", "list", "--offline"), "paper.min_trades")


# -- the gate in a real `openalpha trade` --------------------------------------------------------
KEY, SECRET = "GRADE2EKEY000000001", "GRADE2ESECRET0000000000000000000001"
CONFIG = """
[environments.paper]
enabled = true
[risk]
max_orders_per_minute = 100000
[[strategies]]
name = "sma_cross"
symbols = ["BTCUSDT"]
interval = "5"
env = "paper"
[strategies.params]
fast = 3
slow = 8
[[strategies]]
name = "sma_cross"
symbols = ["ETHUSDT"]
interval = "5"
env = "paper"
[strategies.params]
fast = 3
slow = 8
"""


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openalpha", "sim", "--data", str(SAMPLE_DIR), "--api-key", KEY, "--api-secret",
         SECRET, "--balance", "10000", "--start", "2026-05-01T00:00:00+00:00", "--speed", "1800"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        env={**os.environ, "OPENALPHA_HOME": str(tmp_path)},
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    try:
        assert "listening on " in line, line
        yield line.split("listening on ", 1)[1].strip()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow  # a whole `openalpha trade` process: its own Ray, simulator replay, clean stop
def test_a_halted_strategy_never_trades_in_a_running_runtime(tmp_path: Path, sim: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    out = cli(home, "graduation", "demote", "sma_cross.BTCUSDT", "--config", str(config), "--reason",
              "keep it out", "--user", "carol", "--offline")  # fmt: skip
    assert out.returncode == 0 and "paper -> halted by carol" in out.stdout, out
    out = cli(home, "trade", "--env", "paper", "--paper-url", sim, "--config", str(config), "--no-ui",
              "--duration", "15", timeout=240, OPENALPHA_PAPER_API_KEY=KEY, OPENALPHA_PAPER_API_SECRET=SECRET)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    with Ledger.open(f"sqlite:///{home / 'openalpha.db'}") as ledger:
        fills = ledger.executions.fills(Environment.PAPER)
        denied = ledger.journal.audit_events(Environment.PAPER, kind="graduation.order_denied")
        stages = ledger.registry.current_stages()
    assert stages == {"sma_cross.BTCUSDT": Stage.HALTED, "sma_cross.ETHUSDT": Stage.PAPER}
    assert fills and all(is_ours(f.order_link_id, "sma_cross.ETHUSDT") for f in fills)
    assert denied and {e.data["strategy"] for e in denied} == {"sma_cross.BTCUSDT"}
    assert all("stage halted may not trade paper" in e.message for e in denied)
