"""Fills are idempotent on execId per environment; funding settlements are stored apart."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from openalpha.domain import Category, ExecType, Fill, Side
from openalpha.store import ConflictingRecord, Ledger, StoreError

SAMPLES = "nautilus_trader/api_samples/bybit"


def _bybit_execution(item: dict[str, Any], category: str) -> Fill:
    """Bybit V5 execution JSON (REST list item or WebSocket data item) -> Fill."""
    return Fill(
        exec_id=item["execId"],
        order_id=item["orderId"],
        order_link_id=item["orderLinkId"],
        symbol=item["symbol"],
        category=Category(item.get("category", category)),
        side=Side(item["side"]),
        exec_type=ExecType(item["execType"]),
        price=Decimal(item["execPrice"]),
        qty=Decimal(item["execQty"]),
        fee=Decimal(item["execFee"]),
        fee_rate=Decimal(item["feeRate"]),
        is_maker=bool(item["isMaker"]),
        ts=int(item["execTime"]),
    )


@pytest.fixture
def bybit_fills(shared_data: Path) -> list[Fill]:
    rest = json.loads((shared_data / SAMPLES / "http_get_executions.json").read_text())
    ws = json.loads((shared_data / SAMPLES / "ws_account_execution.json").read_text())
    fills = [_bybit_execution(i, rest["result"]["category"]) for i in rest["result"]["list"]]
    return fills + [_bybit_execution(i, "linear") for i in ws["data"]]


def _funding(exec_id: str, ts: int, fee: str = "0.4213") -> Fill:
    return Fill(
        exec_id=exec_id,
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        exec_type=ExecType.FUNDING,
        price=Decimal("95901.48"),
        qty=Decimal("0.5"),
        fee=Decimal(fee),
        fee_rate=Decimal("0.00000879"),
        ts=ts,
    )


def test_store_bybit_executions_round_trip_exactly(ledger: Ledger, bybit_fills: list[Fill]) -> None:
    for fill in bybit_fills:
        assert ledger.executions.record_fill("testnet", fill) is True
    stored = ledger.executions.fills("testnet")
    assert sorted(stored, key=lambda f: f.ts) == sorted(bybit_fills, key=lambda f: f.ts)
    assert str(stored[-1].fee) == "26.3725275"  # the WebSocket sample's fee, to the last digit


def test_store_record_fill_is_idempotent_per_env(ledger: Ledger, bybit_fills: list[Fill]) -> None:
    fill = bybit_fills[0]
    assert ledger.executions.record_fill("demo", fill) is True
    assert ledger.executions.record_fill("demo", fill) is False  # duplicate WebSocket delivery
    assert ledger.executions.record_execution("demo", fill) is False  # and again via REST polling
    assert ledger.executions.record_fill("mainnet", fill) is True  # another environment is independent
    assert len(ledger.executions.fills("demo")) == 1
    assert len(ledger.executions.fills("mainnet")) == 1
    assert ledger.executions.fills("paper") == []
    with pytest.raises(ConflictingRecord, match=fill.exec_id):
        ledger.executions.record_fill("demo", msgspec.structs.replace(fill, qty=fill.qty * 2))


def test_store_funding_is_never_a_fill(ledger: Ledger, bybit_fills: list[Fill]) -> None:
    payment = _funding("fund-1", 1_746_288_000_000)
    with pytest.raises(StoreError, match="funding settlement, not a fill"):
        ledger.executions.record_fill("paper", payment)
    with pytest.raises(StoreError, match="not a funding settlement"):
        ledger.executions.record_funding("paper", bybit_fills[0])
    assert ledger.executions.record_execution("paper", payment) is True
    assert ledger.executions.record_execution("paper", payment) is False
    assert ledger.executions.fills("paper") == []
    assert ledger.executions.funding_payments("paper") == [payment]
    assert ledger.executions.funding_payments("demo") == []


def test_store_fill_queries_and_resume_point(ledger: Ledger, bybit_fills: list[Fill]) -> None:
    assert ledger.executions.last_execution_ts("paper") is None
    for fill in bybit_fills:
        ledger.executions.record_fill("paper", fill)
    ledger.executions.record_funding("paper", _funding("fund-2", 1_800_000_000_000))
    ledger.executions.record_fill("demo", msgspec.structs.replace(bybit_fills[0], ts=1_900_000_000_000))
    assert ledger.executions.last_execution_ts("paper") == 1_800_000_000_000
    assert [f.symbol for f in ledger.executions.fills("paper", symbol="ETHUSDT")] == ["ETHUSDT"]
    by_order = ledger.executions.fills("paper", order_link_id="test-order-001")
    assert [f.exec_id for f in by_order] == [bybit_fills[0].exec_id]
    newest = ledger.executions.fills("paper", since=1_700_000_000_000)
    assert [f.exec_id for f in newest] == [bybit_fills[2].exec_id]
    assert len(ledger.executions.fills("paper", limit=2)) == 2


def test_store_concurrent_writers_store_each_execution_once(db_url: str, bybit_fills: list[Fill]) -> None:
    """Two ledgers on the same database (e.g. a restarted actor beside a stale one) racing on
    the same executions: every exec_id ends up stored exactly once, nobody sees an error."""
    from concurrent.futures import ThreadPoolExecutor

    fills = [msgspec.structs.replace(bybit_fills[0], exec_id=f"race-{i}", ts=i) for i in range(40)]
    with Ledger.open(db_url) as a, Ledger.open(db_url) as b:

        def write(ledger: Ledger) -> int:
            return sum(ledger.executions.record_fill("paper", f) for f in fills)

        with ThreadPoolExecutor(2) as pool:
            created = sum(pool.map(write, [a, b]))
        assert created == len(fills)
        assert sorted(f.exec_id for f in a.executions.fills("paper")) == sorted(f.exec_id for f in fills)
