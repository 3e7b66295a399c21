"""Fault injection: the adapter recovers without duplicate orders and without missing events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from openalpha.data.store import ParquetStore
from openalpha.domain import Category, Fill, Order, OrderRequest, OrderStatus, OrderType, Side
from openalpha.exchange import PrivateHandlers
from openalpha.exchange.bybit.adapter import BybitExchange
from openalpha.sim.faults import FaultConfig, FaultRule, Faults, load_faults

from .conftest import KEY, SECRET, RunningSim, start


def req(link: str, qty: str = "0.01") -> OrderRequest:
    return OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        order_type=OrderType.MARKET,
        qty=D(qty),
        order_link_id=link,
    )


def wait_for(cond: Callable[[], bool], timeout: float = 8.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@contextmanager
def faulty(store: ParquetStore, config: FaultConfig, **kw: Any) -> Iterator[tuple[RunningSim, BybitExchange]]:
    sim, stop = start(store, fault_config=config)
    ex = BybitExchange("paper", KEY, SECRET, base_url=sim.url, **kw)
    try:
        yield sim, ex
    finally:
        ex.close()
        stop()


def orders_named(sim: RunningSim, link: str) -> int:
    acct = sim.engine.accounts[KEY]
    return sum(1 for o in acct.orders.values() if o.order_link_id == link)


def test_exchange_faults_timeout_after_processing_does_not_duplicate(sim_store: ParquetStore) -> None:
    rule = FaultRule(rate=1.0, count=1, ms=1500, paths=["/v5/order/create"], processed=True)
    with faulty(sim_store, FaultConfig(timeout=rule), timeout_s=0.5) as (sim, ex):
        order = ex.place_order(req("to-1"))
        assert order.order_link_id == "to-1" and order.status is OrderStatus.FILLED  # found by lookup
        assert orders_named(sim, "to-1") == 1
        assert len(ex.executions_since(Category.LINEAR, 0)) == 1
        assert sim.state.extensions["faults"].fired("timeout") == 1


def test_exchange_faults_5xx_and_rate_limit_bursts(sim_store: ParquetStore) -> None:
    config = FaultConfig(
        http_5xx=FaultRule(rate=1.0, count=2, paths=["/v5/order/create"]),
        rate_limit=FaultRule(rate=1.0, count=1, paths=["/v5/order/create"]),
    )
    with faulty(sim_store, config) as (sim, ex):
        ex.place_order(req("x-1"))
        ex.place_order(req("x-2"))
        assert orders_named(sim, "x-1") == 1 and orders_named(sim, "x-2") == 1
        faults: Faults = sim.state.extensions["faults"]
        assert faults.fired("http_5xx") == 2 and faults.fired("rate_limit") == 1
        assert ex.rest.limiter.throttled >= 1  # the 10006 paused the client until the reset time


def test_exchange_faults_dropped_socket_is_backfilled(sim_store: ParquetStore) -> None:
    config = FaultConfig(ws_drop=FaultRule(rate=1.0, count=1))
    with faulty(sim_store, config) as (sim, ex):
        fills: list[Fill] = []
        orders: list[Order] = []
        ex.subscribe_private(PrivateHandlers(on_order=orders.append, on_fill=fills.append))
        time.sleep(0.3)
        ex.place_order(req("d-1"))  # its pushes hit the dropped socket
        wait_for(lambda: ex.backfills >= 1 and any(f.order_link_id == "d-1" for f in fills))
        ex.place_order(req("d-2"))  # after the reconnect the stream works again
        wait_for(lambda: any(f.order_link_id == "d-2" for f in fills))
        assert sorted(f.order_link_id for f in fills) == ["d-1", "d-2"]  # nothing missed, nothing twice
        assert sim.state.extensions["faults"].fired("ws_drop") == 1


def test_exchange_faults_duplicate_reordered_delayed_messages(sim_store: ParquetStore) -> None:
    config = FaultConfig(
        ws_duplicate=FaultRule(rate=1.0),
        ws_reorder=FaultRule(rate=0.5),
        execution_delay=FaultRule(rate=0.5, ms=150),
    )
    with faulty(sim_store, config) as (_sim, ex):
        fills: list[Fill] = []
        last: dict[str, Order] = {}
        ex.subscribe_private(
            PrivateHandlers(on_order=lambda o: last.__setitem__(o.order_link_id, o), on_fill=fills.append)
        )
        time.sleep(0.3)
        for i in range(6):
            ex.place_order(req(f"m-{i}"))
        wait_for(lambda: len(fills) >= 6 and len(last) == 6)
        time.sleep(0.5)
        assert sorted(f.order_link_id for f in fills) == [f"m-{i}" for i in range(6)]
        assert all(o.status is OrderStatus.FILLED for o in last.values())
        assert ex.dedupe.dropped > 0


def test_exchange_faults_file_errors_are_one_line(tmp_path: Path) -> None:
    good = tmp_path / "f.toml"
    good.write_text("[latency]\nrate = 0.5\nms = 10\n[ws_drop]\nevery_ms = 1000\nlength_ms = 10\n")
    cfg = load_faults(good)
    assert cfg.latency is not None and cfg.latency.ms == 10
    for text, fragment in (
        ("[latency]\nrate = 2\n", "rate must be within [0, 1]"),
        ("[nonsense]\nrate = 1\n", "nonsense"),
        ("[latency\n", "not valid TOML"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ValueError) as err:
            load_faults(bad)
        assert fragment in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ValueError):
        load_faults(tmp_path / "missing.toml")


def test_exchange_faults_are_seeded() -> None:
    def draws(seed: int) -> list[bool]:
        f = Faults(FaultConfig(http_5xx=FaultRule(rate=0.3)), seed=seed)
        return [f.fires("http_5xx") is not None for _ in range(200)]

    assert draws(1) == draws(1) and draws(1) != draws(2)
    assert 30 < sum(draws(1)) < 90


@pytest.mark.parametrize("path", ["/v5/market/time", "/v5/market/instruments-info"])
def test_exchange_faults_5xx_on_reference_reads_are_retried(sim_store: ParquetStore, path: str) -> None:
    """Server time and instruments ride out 5xx bursts inside the adapter (3 of 4 attempts fail)."""
    config = FaultConfig(http_5xx=FaultRule(rate=1.0, count=3, paths=[path]))
    with faulty(sim_store, config, backoff_s=0.01) as (sim, ex):
        assert ex.server_time_ms() > 0
        assert ex.instrument("BTCUSDT").symbol == "BTCUSDT"
        assert sim.state.extensions["faults"].fired("http_5xx") == 3
