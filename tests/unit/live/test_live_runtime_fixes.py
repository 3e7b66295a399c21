"""Fixes found by the runtime's reliability tests, pinned as unit tests (no Ray, no sockets):

* the exchange reports a market order as ``IOC`` with a protection price; merging that report
  must not rewrite what we journaled (the ledger refused the change: ``time_in_force cannot
  change``, and the order stayed unrecorded);
* :func:`with_retries` retries transient failures only, honours ``retry_after_ms`` and gives up;
* reconciliation reaches back for an execution older than the newest one recorded.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from openalpha.domain import Category, Environment, OrderRequest, OrderStatus, OrderType, Side, TimeInForce
from openalpha.exchange.errors import RejectedError, RetryableError
from openalpha.live.ids import order_link_id
from openalpha.live.journal import MemoryJournal
from openalpha.live.order_manager import OrderManager
from openalpha.live.reconcile import reconcile
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


def test_reconcile_reaches_back_for_an_execution_older_than_the_newest_recorded() -> None:
    """The fault test lost one: its execution push was delayed, a newer fill was recorded first,
    and the 60 s look-back from the newest fill no longer reached it."""
    exchange, journal = ScriptedExchange(), MemoryJournal()
    manager = OrderManager(Environment.PAPER, exchange, journal, clock=lambda: 1_000)  # type: ignore[arg-type]
    old = manager.submit(_request(1)).order_link_id
    new = manager.submit(_request(2)).order_link_id
    exchange.fill(old, "0.010", "60000", "e-old", 1_000_000)  # its push never arrives
    manager.on_order(exchange.book[old])  # ... but the order update does: Filled
    manager.on_fill(exchange.fill(new, "0.010", "61000", "e-new", 9_000_000))  # an hour later
    assert [o.order_link_id for o in manager.unaccounted_orders()] == [old]
    report = reconcile(manager, [(Category.LINEAR, "BTCUSDT")])
    assert report.new_fills == 1 and (Environment.PAPER, "e-old") in journal.fills
    assert manager.unaccounted_orders() == []


def test_recorded_history_accounts_for_orders_after_a_restart() -> None:
    exchange, journal = ScriptedExchange(), MemoryJournal()
    manager = OrderManager(Environment.PAPER, exchange, journal, clock=lambda: 1_000)  # type: ignore[arg-type]
    link = manager.submit(_request(1)).order_link_id
    manager.on_fill(exchange.fill(link, "0.010", "60000", "e1", 5_000))
    restarted = OrderManager(Environment.PAPER, exchange, journal, clock=lambda: 2_000)  # type: ignore[arg-type]
    assert [o.order_link_id for o in restarted.unaccounted_orders()] == [link]
    restarted.note_recorded(list(journal.fills.values()))
    assert restarted.unaccounted_orders() == []


def _request(seq: int) -> OrderRequest:
    return OrderRequest(symbol="BTCUSDT", category=Category.LINEAR, side=Side.BUY, order_type=OrderType.MARKET,
                        qty=Decimal("0.010"), order_link_id=order_link_id("mr", "BTCUSDT", seq), strategy="mr")  # fmt: skip


def test_restart_does_not_count_past_pnl_twice() -> None:
    """A restarted runtime rebuilds each strategy's book from the ledger's fills; the account's
    base must then be today's equity minus that PnL, or the PnL would be counted twice."""
    from decimal import Decimal

    from openalpha.domain import Balance, Category, Environment, Fill, Side
    from openalpha.live.env_runtime import EnvRuntime, StrategyPlan
    from openalpha.live.ids import order_link_id
    from openalpha.live.journal import MemoryJournal

    class Wallet:
        def __init__(self, equity: str) -> None:
            self.equity = Decimal(equity)

        def wallet(self) -> list[Balance]:
            return [
                Balance(
                    env=Environment.PAPER,
                    coin="USDT",
                    wallet_balance=self.equity,
                    equity=self.equity,
                    available=self.equity,
                    ts=1,
                )
            ]

        def positions(self, *_a: object, **_k: object) -> list[object]:
            return []

    plan = StrategyPlan(
        strategy_id="s1", name="sma_cross", symbols=["BTCUSDT"], interval="60", capital_fraction=0.5
    )
    rt = EnvRuntime(Environment.PAPER, Wallet("10100"), MemoryJournal(), lambda *_: None, [plan])  # type: ignore[arg-type]
    # history: bought 0.1 BTC at 60,000 (fee 3), price now 61,000 → strategy PnL = +100 − 3 = 97
    rt.book.apply(
        "BTCUSDT",
        Fill(
            exec_id="e1",
            symbol="BTCUSDT",
            category=Category.LINEAR,
            side=Side.BUY,
            price=Decimal(60000),
            qty=Decimal("0.1"),
            fee=Decimal(3),
            ts=1,
            order_link_id=order_link_id("s1", "BTCUSDT", 1),
        ),
    )
    assert rt.refresh_account() == 10100.0 and rt.base_equity is None  # no price yet: wait, do not guess
    rt.prices["BTCUSDT"] = 61000.0
    rt.refresh_account()
    assert rt.base_equity == 10100.0 - 97.0
    assert rt.strategy_capital("s1") is not None


def test_adapter_retries_server_time_and_instruments_itself() -> None:
    """The runtime reads server time and instruments without its own retry wrapper: the adapter
    rides out transient failures (5xx, 10006, network) and raises anything else at once."""
    from typing import Any

    from openalpha.exchange.bybit.adapter import BybitExchange

    class FlakyRest:
        def __init__(self) -> None:
            self.failures = {"get_server_time": 2, "get_instruments_info": 3}
            self.calls: list[str] = []

        def _maybe_fail(self, method: str) -> None:
            self.calls.append(method)
            if self.failures[method]:
                self.failures[method] -= 1
                raise RetryableError(f"{method}: HTTP 503")

        def sync_time(self) -> int:
            self._maybe_fail("get_server_time")
            return 1_700_000_000_000

        def call(self, method: str, **_params: Any) -> dict[str, Any]:
            self._maybe_fail(method)
            return {"result": {"list": []}}

    ex = BybitExchange("paper", "k", "s", base_url="http://127.0.0.1:9", backoff_s=0.0)
    try:
        ex.rest = FlakyRest()  # type: ignore[assignment]
        assert ex.server_time_ms() == 1_700_000_000_000
        assert ex.instruments(Category.LINEAR) == []
        assert ex.rest.calls.count("get_server_time") == 3  # type: ignore[attr-defined]
        assert ex.rest.calls.count("get_instruments_info") == 4  # type: ignore[attr-defined]
        ex.rest.failures["get_server_time"] = 4  # type: ignore[attr-defined]
        with pytest.raises(RetryableError):  # four attempts, then the error
            ex.server_time_ms()
    finally:
        ex.close()
