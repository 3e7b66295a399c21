"""The runtime's commands as a user runs them: ``openalpha status``, ``openalpha kill-switch``
against a running runtime (and with none running), and ``openalpha trade --paper-url`` refusing
bad input in one line. (``trade --paper-url`` trading for real, killed and restarted, is
``tests/integration/runtime/test_runtime_sigkill.py``.)"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.runtime.harness import (
    KEY,
    SECRET,
    InProcessRuntime,
    cli_env,
    flip_config,
    ledger_state,
    local_ray,
    pybit_client,
    sim_in_thread,
    sim_truth,
    wait_for,
)


def _run(args: list[str], home: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openalpha", *args],
        capture_output=True,
        text=True,
        env=cli_env(home, **env),
        timeout=timeout,
    )


def _one_line_error(out: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert out.returncode == code, (out.returncode, out.stdout[-500:], out.stderr[-2000:])
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    with local_ray() as address:
        yield address


def test_runtime_cli_status_with_nothing_running_is_one_line_exit_1(tmp_path: Path, ray_address: str) -> None:
    nobody = f"127.0.0.1:{_free_port()}"
    _one_line_error(_run(["status", "--address", nobody], tmp_path), 1, f"no Ray cluster at {nobody}")
    # a Ray cluster without an Open Alpha runtime on it
    out = _run(["status", "--address", ray_address], tmp_path)
    _one_line_error(out, 1, "no Open Alpha runtime is running")
    out = _run(["kill-switch", "--address", ray_address], tmp_path)
    _one_line_error(out, 1, "no Open Alpha runtime is running")


@pytest.mark.slow
def test_runtime_cli_status_and_kill_switch_flatten(tmp_path: Path, ray_address: str) -> None:
    config = flip_config(tmp_path)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with sim_in_thread(speed=1800) as (url, _state):
        runtime = InProcessRuntime(config, url, db)
        try:
            wait_for("positions on the simulator", lambda: any(sim_truth(url).positions.values()), timeout=60)
            out = _run(["status", "--address", ray_address], tmp_path)
            assert out.returncode == 0, out.stderr[-2000:]
            assert "paper    running" in out.stdout and "Flip.BTCUSDT+ETHUSDT" in out.stdout
            assert "kill switch off" in out.stdout
            snap = json.loads(_run(["status", "--address", ray_address, "--json"], tmp_path).stdout)
            paper = next(e for e in snap["environments"] if e["env"] == "paper")
            assert paper["active"] and paper["positions"]
            # a resting limit order far from the market (placed by hand), then the kill switch
            s = pybit_client(url)
            s.place_order(category="linear", symbol="ETHUSDT", side="Buy", orderType="Limit", qty="0.1",
                          price="100", orderLinkId="by-hand-1")  # fmt: skip
            out = _run(["kill-switch", "--flatten", "--address", ray_address], tmp_path)
            assert out.returncode == 0, out.stderr[-2000:]
            assert "cancelled 1 orders" in out.stdout, out.stdout
            truth = sim_truth(url)
            assert [o for o in truth.orders if o["orderStatus"] in ("New", "PartiallyFilled")] == []
            by_hand = next(o for o in truth.orders if o["orderLinkId"] == "by-hand-1")
            assert by_hand["orderStatus"] == "Cancelled"
            assert all(size == Decimal(0) for size in truth.positions.values()), truth.positions
            # nothing new goes out while it is engaged: every later decision is denied
            sent = len(truth.orders)
            seen = len(ledger_state(db).decisions)
            wait_for(
                "two decisions denied by the kill switch",
                lambda: sum(d.rule == "kill_switch" for d in ledger_state(db).decisions[seen:]) >= 2,
                timeout=30,
            )
            assert len(sim_truth(url).orders) == sent
            status = _run(["status", "--address", ray_address], tmp_path).stdout
            assert "KILLED" in status and "kill switch ENGAGED" in status
            out = _run(["kill-switch", "--release", "--address", ray_address], tmp_path)
            assert out.returncode == 0 and "orders allowed again" in out.stdout
            wait_for("trading again", lambda: len(sim_truth(url).orders) > sent, timeout=30)
        finally:
            runtime.stop()
    events = {e.kind for e in ledger_state(db).audit}
    assert {"kill_switch", "kill_switch_released", "risk.kill_switch"} <= events, events


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--paper-url", "http://127.0.0.1:1"],
            {},
            "needs the simulator's key pair in OPENALPHA_PAPER_API_KEY",
        ),
        (["--paper-url", "127.0.0.1:1"], {"k": "k"}, "--paper-url: expected http://HOST:PORT"),
        (["--paper-url", "http://127.0.0.1:{free}"], {"k": "k"}, "cannot reach the simulator at"),
        (["--paper-url", "{sim}"], {"k": "wrong"}, "refused the key in OPENALPHA_PAPER_API_KEY"),
        (["--env", "demo", "--paper-url", "{sim}"], {"k": "k"}, "--paper-url only applies to --env paper"),
    ],
)
def test_runtime_cli_trade_paper_url_bad_input_is_one_line_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    with sim_in_thread(speed=1.0) as (url, _state):
        argv = ["trade", "--no-ui"] + ([] if "--env" in args else ["--env", "paper"])
        argv += [a.format(free=_free_port(), sim=url) for a in args]
        keys = {}
        if env:
            keys = {"OPENALPHA_PAPER_API_KEY": KEY if env["k"] == "k" else "NOT" + KEY,
                    "OPENALPHA_PAPER_API_SECRET": SECRET}  # fmt: skip
        out = _run(argv, tmp_path, timeout=60, **keys)
    _one_line_error(out, 2, message)
    assert not (tmp_path / "openalpha.db").exists(), "a refused start wrote a ledger"
