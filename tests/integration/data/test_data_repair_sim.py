"""verify --repair against the simulator over loopback: real Bybit candles, a real exchange-side hole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from openalpha.data.repair import bybit_fetcher, repair_gaps
from openalpha.data.store import ParquetStore
from openalpha.data.verify import verify_store
from openalpha.sim.server import start_sim_in_thread
from openalpha.sim.state import SimState

M5 = 300_000
FILE = Path("Dkotl_trade_bot/bybit/futures/BTC_USDT_USDT-5m-futures.feather")


@pytest.fixture(scope="module")
def bars(shared_data: Path) -> pd.DataFrame:
    raw = pd.read_feather(shared_data / FILE).iloc[:600]
    frame = pd.DataFrame({"ts": raw["date"].dt.as_unit("ms").astype("int64")})
    for col in ("open", "high", "low", "close", "volume"):
        frame[col] = raw[col].astype("float64")
    return frame


@pytest.fixture(scope="module")
def exchange(
    bars: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The simulator serving the real candles minus one hour (a hole in the exchange's own history)."""
    served = bars.drop(index=range(240, 252)).reset_index(drop=True)
    store = ParquetStore(tmp_path_factory.mktemp("exchange"))
    store.write("linear", "kline", "BTCUSDT", "5", served)
    url, stop = start_sim_in_thread(SimState(store=store))
    try:
        yield url, served
    finally:
        stop()


async def test_repair_refetches_and_records_exchange_gap(
    exchange: tuple[str, pd.DataFrame], bars: pd.DataFrame, tmp_path: Path
) -> None:
    url, served = exchange
    local = ParquetStore(tmp_path / "local")
    local.write("linear", "kline", "BTCUSDT", "5", served.drop(index=range(400, 450)))
    report = verify_store(local)
    assert sorted(f.count for f in report.findings) == [12, 50]

    [outcome] = await repair_gaps(local, report.findings, bybit_fetcher(local, url))
    t0 = int(bars.ts.iloc[0])
    assert outcome.filled == 50
    assert outcome.known == [(t0 + 240 * M5, t0 + 252 * M5)]
    stored = local.read("linear", "kline", "BTCUSDT", "5")
    pd.testing.assert_frame_equal(stored.drop(columns="turnover"), served, check_dtype=True)
    after = verify_store(local)
    assert after.ok and [(f.check, f.count) for f in after.findings] == [("known-gap", 12)]


def test_verify_repair_cli_against_the_simulator(
    exchange: tuple[str, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openalpha.cli import main

    url, served = exchange
    local = ParquetStore(tmp_path / "local")
    local.write("linear", "kline", "BTCUSDT", "5", served.drop(index=range(10, 20)))
    args = ["data", "verify", "--data", str(local.root), "--env", "paper", "--base-url", url]
    assert main(args) == 1  # the exchange-side hole and our own
    assert main([*args, "--repair"]) == 0
    out = capsys.readouterr().out
    assert "repair linear/kline/BTCUSDT/5: 10 rows re-fetched, 1 range(s) the exchange lacks recorded" in out
    assert "1 datasets checked: 0 problem(s), 1 known exchange gap(s)" in out
    assert main(args) == 0  # known gaps are reported, not failures
    assert (
        main(["data", "verify", "--data", str(local.root), "--repair", "--env", "paper"]) == 0
    )  # clean: no fetch
