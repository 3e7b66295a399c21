"""Malformed requests and internal failures always get a Bybit envelope (BYBIT_V5.md §2), never a
traceback or an empty 500; the ``openalpha sim`` command itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from openalpha.data.store import ParquetStore
from tests.integration.sim_market.realstore import running_sim

ENVELOPE = {"retCode", "retMsg", "result", "retExtInfo", "time"}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v5/market/nothing", 404, 10017),
        ("GET", "/", 404, 10017),
        ("POST", "/v5/market/kline", 405, 10017),
        ("DELETE", "/v5/market/time", 405, 10017),
        ("GET", "/v5/market/kline?symbol=BTCUSDT&interval=5&limit=%00%ff", 200, 10001),
        ("GET", "/v5/market/kline?symbol=btcusdt&interval=5", 200, 10001),
        ("GET", "/v5/market/funding/history?category=linear&symbol=BTCUSDT&endTime=1e9", 200, 10001),
        ("GET", "/v5/market/instruments-info?category=linear&limit=-1", 200, 10001),
        ("GET", "/v5/market/tickers?category=nope", 200, 10001),
    ],
)
def test_malformed_requests_get_envelopes(
    sim_url: str, method: str, path: str, status: int, code: int
) -> None:
    resp = requests.request(method, sim_url + path, timeout=10, data=b"{not json")
    assert resp.status_code == status
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == ENVELOPE and body["retCode"] == code and body["retMsg"]


def test_a_failing_handler_answers_10016_not_a_traceback(tmp_path: Path, month_store: ParquetStore) -> None:
    """A corrupt dataset file makes the handler raise; the client still gets an envelope."""
    store = ParquetStore(tmp_path / "store")
    store.write(
        "linear", "kline", "BTCUSDT", "5", month_store.read("linear", "kline", "BTCUSDT", "5").iloc[:10]
    )
    with running_sim(store) as (url, _):
        store.path("linear", "kline", "BTCUSDT", "5").write_bytes(b"PAR1 this is not parquet")
        resp = requests.get(
            url + "/v5/market/kline", params={"symbol": "BTCUSDT", "interval": "5"}, timeout=10
        )
    assert resp.status_code == 200
    body = resp.json()
    assert body["retCode"] == 10016 and body["retMsg"] == "Server error" and "Traceback" not in resp.text


def test_cli_prints_listening_line_and_serves(tmp_path: Path, month_store: ParquetStore) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openalpha", "sim", "--port", "0", "--data", str(month_store.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.removeprefix("listening on ")
        body = requests.get(
            url + "/v5/market/kline", params={"symbol": "BTCUSDT", "interval": "5"}, timeout=10
        ).json()
        assert body["retCode"] == 0 and len(body["result"]["list"]) == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--data", "/nonexistent/store"], "--data: no store at"),
        (["--speed", "0"], "--speed"),
        (["--start", "next tuesday"], "--start"),
        (["--port", "70000"], "--port"),
        (["--api-key", "K"], "pairs"),
        (["--ip-limit", "5"], "--ip-limit"),
        (["--endpoint-limit", "kline=5"], "--endpoint-limit"),
        (["--faults", "/nonexistent.toml"], "--faults"),
        (["--port", "abc"], "invalid int"),
    ],
)
def test_cli_bad_arguments_exit_2_with_one_line(args: list[str], needle: str, oa_home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "openalpha", "sim", *args], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and proc.stdout == ""
