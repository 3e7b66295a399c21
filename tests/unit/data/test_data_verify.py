"""verify: the real holes in shared files, and every check on deliberately broken rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openalpha.data.importers import import_files
from openalpha.data.sample import sample_store
from openalpha.data.store import ParquetStore
from openalpha.data.verify import verify_store

H = 3_600_000
MOHS_BINANCE = Path("mohsenjfar_trade/17ea10e9/binance/futures")


def _ms(text: str) -> int:
    return int(pd.Timestamp(text, tz="UTC").value // 10**6)


def test_finds_the_two_500_bar_holes_in_binance_1h(shared_data: Path, store: ParquetStore) -> None:
    import_files(
        [shared_data / MOHS_BINANCE / f"{c}_USDT_USDT-1h-futures.feather" for c in ("BTC", "ETH")], store
    )
    report = verify_store(store)
    assert not report.ok
    for sym in ("BTCUSDT", "ETHUSDT"):
        gaps = [
            (f.first_ms, f.last_ms, f.count) for f in report.findings if f.label == f"linear/kline/{sym}/60"
        ]
        # MANIFEST: holes after 2024-11-11 15:00 and 2025-01-13 03:00, 500 bars each
        assert gaps == [
            (_ms("2024-11-11 16:00"), _ms("2024-12-02 12:00"), 500),
            (_ms("2025-01-13 04:00"), _ms("2025-02-03 00:00"), 500),
        ]
    assert {f.check for f in report.findings} == {"gap"}


def test_same_commit_5m_and_15m_files_are_complete(shared_data: Path, store: ParquetStore) -> None:
    import_files([shared_data / MOHS_BINANCE / "BTC_USDT_USDT-5m-futures.feather",
                  shared_data / MOHS_BINANCE / "BTC_USDT_USDT-15m-futures.feather"], store)  # fmt: skip
    assert verify_store(store).findings == []


def test_finds_the_holes_in_xrp_eth_1m(shared_data: Path, store: ParquetStore) -> None:
    import_files([shared_data / "freqtrade/binance/XRP_ETH-1m.feather"], store)
    gaps = [f for f in verify_store(store).findings if f.check == "gap"]
    assert len(gaps) == 676 and sum(f.count for f in gaps) == 1091  # as the MANIFEST counts them


def test_shipped_sample_is_clean() -> None:
    report = verify_store(sample_store())
    assert len(report.datasets) == 14 and report.findings == []


def _write_raw(
    store: ParquetStore, kind: str, interval: str, frame: pd.DataFrame, category: str = "linear"
) -> None:
    """Bypass the store's validation, as a foreign tool or a bad disk might."""
    path = store.path(category, kind, "BTCUSDT", interval)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def _bars(n: int, price: float = 100.0) -> pd.DataFrame:
    ts = _ms("2026-01-01") + np.arange(n, dtype=np.int64) * H
    px = np.full(n, price)
    return pd.DataFrame(
        {"ts": ts, "open": px, "high": px + 1, "low": px - 1, "close": px, "volume": 1.0, "turnover": 100.0}
    )


def test_every_candle_check_fires(store: ParquetStore) -> None:
    bars = _bars(10)
    bars.loc[2, "low"] = 101.0  # low above open
    bars.loc[3, "high"] = 99.5  # high below close
    bars.loc[4, "volume"] = -1.0
    bars.loc[5, "ts"] += 60_000  # off the hourly grid
    broken = pd.concat([bars, bars.iloc[[7]]])  # duplicate at the end: also goes backwards
    _write_raw(store, "kline", "60", broken.reset_index(drop=True))
    found = {(f.check, f.count) for f in verify_store(store).findings}
    assert {("ohlc", 2), ("volume", 1), ("misaligned", 1), ("duplicate", 1), ("non-monotonic", 1)} <= found


def test_mark_divergence(store: ParquetStore) -> None:
    store.write("linear", "kline", "BTCUSDT", "60", _bars(24))
    mark = _bars(24).drop(columns=["volume", "turnover"])
    mark.loc[5, ["open", "high", "low", "close"]] = [103.0, 104.0, 102.0, 103.0]  # 3 % off the trade close
    store.write("linear", "mark", "BTCUSDT", "60", mark)
    report = verify_store(store, max_divergence=0.01)
    [f] = report.findings
    assert f.check == "divergence" and f.count == 1 and f.first_ms == int(mark.ts[5]) and "3.00%" in f.detail
    assert verify_store(store, max_divergence=0.05).ok


def test_funding_anomalies(store: ParquetStore) -> None:
    t0 = _ms("2026-01-01")
    ts = [t0, t0 + 8 * H, t0 + 16 * H, t0 + 40 * H, t0 + 48 * H + 7, t0 + 56 * H + 30 * 60_000]
    rates = [1e-4, 1e-4, 0.2, 1e-4, 1e-4, 1e-4]
    store.write("linear", "funding", "BTCUSDT", "funding", pd.DataFrame({"ts": ts, "rate": rates}))
    found = {(f.check, f.first_ms) for f in verify_store(store).findings}
    assert ("funding-gap", t0 + 16 * H + 1) in found  # 24 h without a settlement
    assert ("funding-interval", t0 + 56 * H + 30 * 60_000) in found  # off the hour
    assert ("funding-rate", t0 + 16 * H) in found  # 20 % per interval
    assert not any(first == t0 + 48 * H + 7 for _, first in found)  # a few ms late is Binance's normal


def test_known_gaps_are_reported_not_failed(store: ParquetStore) -> None:
    bars = _bars(10).drop(index=[4, 5])
    store.write("linear", "kline", "BTCUSDT", "60", bars)
    assert [f.check for f in verify_store(store).findings] == ["gap"]
    store.record_known_gap("linear", "kline", "BTCUSDT", "60", int(_bars(10).ts[4]), int(_bars(10).ts[6]))
    report = verify_store(store)
    assert report.ok and [(f.check, f.count, f.known) for f in report.findings] == [("known-gap", 2, True)]


def test_selection_by_symbol_and_interval(store: ParquetStore) -> None:
    store.write("linear", "kline", "BTCUSDT", "60", _bars(3))
    store.write("spot", "kline", "BTCUSDT", "60", _bars(3))
    store.write("linear", "mark", "BTCUSDT", "60", _bars(3).drop(columns=["volume", "turnover"]))
    assert len(verify_store(store, symbols=["BTCUSDT@spot"]).datasets) == 3  # a symbol means both markets
    assert verify_store(store, symbols=["ETHUSDT"]).datasets == []
    assert len(verify_store(store, intervals=["1h"]).datasets) == 3
    assert verify_store(store, intervals=["5"]).datasets == []


@pytest.mark.parametrize("bad", [np.nan, 0.0])
def test_nonpositive_or_nan_prices_are_ohlc_findings(store: ParquetStore, bad: float) -> None:
    bars = _bars(3)
    bars.loc[1, "low"] = bad
    _write_raw(store, "kline", "60", bars)
    assert [f.check for f in verify_store(store).findings] == ["ohlc"]
