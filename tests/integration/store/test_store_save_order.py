"""``save_order``: the write-ahead record and every later state of an order, one transaction each."""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import event

from openalpha.domain import (
    Environment,
    IllegalTransition,
    Order,
    OrderStatus,
    Side,
)
from openalpha.live.ledger_journal import LedgerJournal
from openalpha.store import ConflictingRecord, Ledger
from tests.integration.store.order_builder import T0, new_order


def _created(link: str = "fl-BTCUSDT-7") -> Order:
    return new_order(link, qty="0.01", price=None, side=Side.SELL, strategy="flip")


def _transactions(ledger: Ledger) -> list[str]:
    """Every transaction the engine begins from now on, and how it ends."""
    seen: list[str] = []
    for name in ("begin", "commit", "rollback"):
        event.listen(ledger.engine, name, lambda _conn, name=name: seen.append(name))
    return seen


def test_store_write_ahead_is_one_transaction_and_a_retry_adds_nothing(ledger: Ledger) -> None:
    journal = LedgerJournal(ledger)
    created = _created()
    seen = _transactions(ledger)
    journal.save_order(Environment.PAPER, created)
    assert seen == ["begin", "commit"]  # no separate look-up before the record
    assert ledger.orders.get_order("paper", created.order_link_id) == created
    seen.clear()
    journal.save_order(Environment.PAPER, created)  # the write-ahead again (a retried call)
    assert seen == ["begin", "commit"]
    assert len(ledger.orders.orders("paper")) == 1
    history = ledger.orders.status_history("paper", created.order_link_id)
    assert [(h.status, h.reason) for h in history] == [(OrderStatus.CREATED, "recorded")]


def test_store_save_order_records_then_follows_the_state_machine(ledger: Ledger) -> None:
    created = _created()
    assert ledger.orders.save_order("paper", created) is True
    accepted = created.transition(OrderStatus.NEW, T0 + 3, order_id="sim-1")
    assert ledger.orders.save_order("paper", accepted) is False
    cancelled = accepted.transition(OrderStatus.CANCELLED, T0 + 9, reason="ioc")
    ledger.orders.save_order("paper", cancelled)
    with pytest.raises(IllegalTransition):
        ledger.orders.save_order("paper", accepted.transition(OrderStatus.FILLED, T0 + 12))
    with pytest.raises(ConflictingRecord, match="side cannot change"):
        ledger.orders.save_order("paper", msgspec.structs.replace(cancelled, side=Side.BUY))
    assert ledger.orders.get_order("paper", created.order_link_id) == cancelled  # refusals wrote nothing
    history = ledger.orders.status_history("paper", created.order_link_id)
    assert [(h.status, h.ts, h.reason) for h in history] == [
        (OrderStatus.CREATED, T0, "recorded"),
        (OrderStatus.NEW, T0 + 3, ""),
        (OrderStatus.CANCELLED, T0 + 9, "ioc"),
    ]


def test_store_save_order_keeps_environments_apart(ledger: Ledger) -> None:
    created = _created()
    assert ledger.orders.save_order("paper", created) is True
    assert ledger.orders.save_order("testnet", created) is True
    ledger.orders.save_order("paper", created.transition(OrderStatus.NEW, T0 + 1))
    testnet = ledger.orders.get_order("testnet", created.order_link_id)
    assert testnet is not None and testnet.status is OrderStatus.CREATED
