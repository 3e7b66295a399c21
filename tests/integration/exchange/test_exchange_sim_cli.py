"""``openalpha sim`` as a user runs it: two key pairs, a replay clock at speed, a fault file."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pybit.exceptions import FailedRequestError
from pybit.unified_trading import HTTP

from openalpha.data.store import ParquetStore

from .conftest import KEY, KEY2, SECRET, SECRET2


@pytest.fixture
def sim_cli(sim_store: ParquetStore, tmp_path: Path) -> Iterator[str]:
    faults = tmp_path / "faults.toml"
    faults.write_text('[http_5xx]\nrate = 1.0\ncount = 1\npaths = ["/v5/account/wallet-balance"]\n')
    cmd = [
        sys.executable,
        "-m",
        "openalpha",
        "sim",
        "--port",
        "0",
        "--data",
        str(sim_store.root),
        "--api-key",
        KEY,
        "--api-secret",
        SECRET,
        "--api-key",
        KEY2,
        "--api-secret",
        SECRET2,
        "--balance",
        "5000",
        "--start",
        "2025-05-01",
        "--speed",
        "6000",
        "--seed",
        "3",
        "--faults",
        str(faults),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line + (
            proc.stderr.read() if proc.stderr else ""
        )
        yield line.split()[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_exchange_sim_cli_accounts_replay_and_faults(sim_cli: str) -> None:
    a = HTTP(api_key=KEY, api_secret=SECRET, max_retries=1)
    b = HTTP(api_key=KEY2, api_secret=SECRET2, max_retries=1)
    a.endpoint = b.endpoint = sim_cli
    with pytest.raises(FailedRequestError) as err:  # the fault file's one injected 503
        a.get_wallet_balance(accountType="UNIFIED")
    assert err.value.status_code == 503
    for s in (a, b):
        assert (
            s.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]["totalWalletBalance"] == "5000"
        )
    a.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.01")
    assert (
        b.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"][0]["size"] == "0"
    )  # separate accounts
    # speed 6000: 100 minutes of market per second -> new closed bars, funding at 08:00 within ~5 s
    t0 = int(a.get_server_time()["time"])
    time.sleep(1.0)
    t1 = int(a.get_server_time()["time"])
    assert 4_000_000 < t1 - t0 < 9_000_000
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if a.get_executions(category="linear", execType="Funding")["result"]["list"]:
            break
        time.sleep(0.2)
    funding = a.get_executions(category="linear", execType="Funding")["result"]["list"]
    assert funding and int(funding[-1]["execTime"]) == 1_746_057_600_000 + 8 * 3_600_000
