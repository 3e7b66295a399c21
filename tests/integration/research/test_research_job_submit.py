"""`openalpha sweep` submitted with `ray job submit` to a local `ray start --head` with token auth.

The head runs in its own process group with ``--block`` and its own temp dir and ports (other
Ray clusters may be running on this machine); the test ends it by that process group only.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import SMALL_SWEEP

pytestmark = [pytest.mark.ray, pytest.mark.slow]
BIN = Path(sys.executable).parent


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@pytest.fixture
def head(tmp_path: Path, research_home: Path) -> Iterator[tuple[str, dict[str, str]]]:
    token = tmp_path / "auth_token"
    token.write_text(secrets.token_hex(32))
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "OPENALPHA_HOME": str(research_home),
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN_PATH": str(token),
        "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
    }
    env.pop("RAY_ADDRESS", None)
    gcs, dash, agent, grpc, metrics, client, rt_env = _free_ports(7)
    temp = Path("/tmp") / f"oa-ray-{secrets.token_hex(4)}"  # short: Ray's socket paths have a length limit
    proc = subprocess.Popen(
        [str(BIN / "ray"), "start", "--head", "--block", f"--port={gcs}", f"--dashboard-port={dash}",
         "--dashboard-host=127.0.0.1", f"--dashboard-agent-listen-port={agent}", f"--dashboard-agent-grpc-port={grpc}",
         f"--metrics-export-port={metrics}", f"--ray-client-server-port={client}", f"--runtime-env-agent-port={rt_env}",
         "--num-cpus=2", "--disable-usage-stats", f"--temp-dir={temp}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{dash}", env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        time.sleep(2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stragglers of our own group only


def _submit(address: str, env: dict[str, str], args: list[str]) -> subprocess.CompletedProcess[str]:
    deadline = time.monotonic() + 90
    while True:
        done = subprocess.run(
            [str(BIN / "ray"), "job", "submit", "--address", address, "--", *args],
            env=env, capture_output=True, text=True, timeout=400,
        )  # fmt: skip
        retry = "No available agent" in done.stderr or "Connection refused" in done.stderr + done.stdout
        if not retry or time.monotonic() > deadline:
            return done
        time.sleep(3)


def test_sweep_through_ray_job_submit(
    head: tuple[str, dict[str, str]], tmp_path: Path, research_home: Path
) -> None:
    address, env = head
    config = tmp_path / "job.toml"
    config.write_text(
        SMALL_SWEEP.replace("{algorithm}", "optuna").replace('end = "2026-02-10"', 'end = "2026-02-01"')
    )
    # without RAY_AUTH_MODE=token the client does not send the token and the head refuses
    refused = subprocess.run(
        [str(BIN / "ray"), "job", "list", "--address", address],
        env={**env, "RAY_AUTH_MODE": "disabled"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    done = _submit(address, env, ["openalpha", "sweep", str(config), "--quiet"])
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "succeeded" in output and "verdict:" in output and "PBO" in output
    runs = [p for p in (research_home / "runs").iterdir() if p.name.endswith("sweep-itest")]
    assert runs, output[-2000:]
    doc = json.loads((max(runs) / "run.json").read_text())
    assert doc["folds"] == 1 and doc["trials"] == 4
    assert refused.returncode != 0
