"""Fixes found by the runtime's reliability tests, pinned as unit tests (no Ray, no sockets):

* the exchange reports a market order as ``IOC`` with a protection price; merging that report
  must not rewrite what we journaled (the ledger refused the change: ``time_in_force cannot
  change``, and the order stayed unrecorded);
* :func:`with_retries` retries transient failures only, honours ``retry_after_ms`` and gives up.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from openalpha.domain import Category, Environment, OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from openalpha.exchange.errors import RejectedError, RetryableError
from openalpha.live.journal import MemoryJournal
from openalpha.live.order_manager import OrderManager
from openalpha.live.retry import with_retries

from .scripted_exchange import ScriptedExchange


def test_exchange_report_keeps_the_journaled_request() -> None:
    exchange, journal = ScriptedExchange(), MemoryJournal()
    manager = OrderManager(Environment.PAPER, exchange, journal, clock=lambda: 1_000)  # type: ignore[arg-type]
    request = OrderRequest(symbol="BTCUSDT", category=Category.LINEAR, side=Side.BUY, order_type=OrderType.MARKET,
                           qty=Decimal("0.01"), order_link_id="oa-00000000-BTCUSDT-1", strategy="s")  # fmt: skip
    placed = manager.submit(request)
    report = msgspec.structs.replace(
        placed,
        time_in_force=TimeInForce.IOC,
        price=Decimal("93000.5"),
        status=OrderStatus.FILLED,
        filled_qty=Decimal("0.01"),
        avg_price=Decimal("92990"),
        strategy="",
    )
    merged = manager.on_order(report)
    assert (merged.status, merged.filled_qty, merged.avg_price) == (
        OrderStatus.FILLED,
        Decimal("0.01"),
        92990,
    )
    assert (merged.time_in_force, merged.price, merged.strategy) == (TimeInForce.GTC, None, "s")
    assert journal.orders[(Environment.PAPER, request.order_link_id)] == merged


def test_with_retries_retries_transient_failures_then_gives_up() -> None:
    waits: list[float] = []
    calls = iter([RetryableError("503", 10016), RetryableError("10006", 10006, retry_after_ms=1500), 7])

    def flaky() -> int:
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    assert with_retries(flaky, sleep=waits.append) == 7
    assert waits == [0.2, 1.5]  # backoff, then the rate limit's own reset time

    def always() -> int:
        raise RetryableError("503", 10016)

    with pytest.raises(RetryableError):
        with_retries(always, attempts=3, sleep=waits.append)

    def rejected() -> int:
        raise RejectedError("bad", 10001)

    with pytest.raises(RejectedError):
        with_retries(rejected, sleep=lambda _s: pytest.fail("a rejection is not retried"))
