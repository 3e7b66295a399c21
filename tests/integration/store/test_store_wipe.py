"""Wiping paper removes paper's trading history only; other environments and the audit log stay."""

from __future__ import annotations

from decimal import Decimal

from openalpha.domain import Category, Environment, Event, Fill, Order, OrderRequest, OrderType, Side
from openalpha.store.ledger import Ledger
from openalpha.store.wipe import wipe_paper


def _order(link: str) -> Order:
    request = OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        qty=Decimal("0.01"),
        order_link_id=link,
    )
    return Order.from_request(request, 1)


def _fill(exec_id: str, link: str) -> Fill:
    return Fill(
        exec_id=exec_id,
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        price=Decimal("60000"),
        qty=Decimal("0.01"),
        fee=Decimal("0.33"),
        ts=2,
        order_link_id=link,
    )


def test_wipe_paper_keeps_other_environments_and_the_audit_log(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Ledger.open(f"sqlite:///{tmp_path / 'l.db'}") as ledger:
        for env in (Environment.PAPER, Environment.TESTNET):
            ledger.orders.record_order(env, _order("a"))
            ledger.executions.record_fill(env, _fill("e1", "a"))
        ledger.journal.audit(Event(ts=3, kind="x", source="test", message="kept", env=Environment.PAPER))
        counts = wipe_paper(ledger)
        assert counts["orders"] == 1 and counts["fills"] == 1
        assert (
            ledger.orders.orders(Environment.PAPER) == [] and ledger.executions.fills(Environment.PAPER) == []
        )
        assert len(ledger.orders.orders(Environment.TESTNET)) == 1
        assert len(ledger.executions.fills(Environment.TESTNET)) == 1
        assert [e.message for e in ledger.journal.audit_events(Environment.PAPER)] == ["kept"]
