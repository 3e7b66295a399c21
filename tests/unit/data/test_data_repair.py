"""repair_gaps with a stand-in exchange: fills what it has, records what it lacks, touches no import."""

from __future__ import annotations

import pandas as pd

from openalpha.data.repair import repair_gaps
from openalpha.data.store import ParquetStore
from openalpha.data.verify import verify_store

M5 = 300_000


async def test_refetch_fills_and_records_the_exchange_gap(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    exchange = btc_5m.iloc[:300].drop(index=range(100, 112))  # the exchange itself lacks one hour
    local = exchange.drop(index=range(200, 230))  # our copy also lost 30 bars the exchange has
    store.write("linear", "kline", "BTCUSDT", "5", local)
    report = verify_store(store)
    assert [(f.check, f.count) for f in report.findings] == [("gap", 12), ("gap", 30)]
    calls: list[tuple[str, str, str, str, int, int]] = []

    async def fetch(cat: str, kind: str, sym: str, ivl: str, start: int, end: int) -> None:
        calls.append((cat, kind, sym, ivl, start, end))
        rows = exchange[(exchange.ts >= start) & (exchange.ts < end)]
        store.write(cat, kind, sym, ivl, rows)

    [outcome] = await repair_gaps(store, report.findings, fetch)
    t0 = int(btc_5m.ts.iloc[0])
    assert calls == [("linear", "kline", "BTCUSDT", "5", t0 + 100 * M5, t0 + 230 * M5)]
    assert outcome.filled == 30 and outcome.known == [(t0 + 100 * M5, t0 + 112 * M5)]
    after = verify_store(store)
    assert after.ok and [(f.check, f.count, f.known) for f in after.findings] == [("known-gap", 12, True)]
    # nothing was invented: the store holds exactly the exchange's rows
    pd.testing.assert_series_equal(
        store.read("linear", "kline", "BTCUSDT", "5")["close"], exchange["close"].reset_index(drop=True)
    )


async def test_imported_datasets_are_not_refetched(store: ParquetStore, btc_5m: pd.DataFrame) -> None:
    store.write("linear", "kline", "BTCUSDT", "5", btc_5m.iloc[:50].drop(index=[10]))
    store.record_sources({"linear/kline/BTCUSDT/5": "binance"})

    async def fetch(*args: object) -> None:
        raise AssertionError("must not fetch Binance data from Bybit")

    [outcome] = await repair_gaps(store, verify_store(store).findings, fetch)
    assert "imported from binance" in outcome.skipped and outcome.known == []
    assert store.known_gaps("linear", "kline", "BTCUSDT", "5") == []
