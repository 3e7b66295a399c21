"""A Ray actor crash: the exchange actor killed by Ray (``no_restart=False``) while it trades.

Ray restarts it; it rebuilds its per-strategy book from the ledger, reconciles with the
simulator, re-attaches the strategy actors and trades on — and no decision reaches the
exchange twice. The ledger ends equal to the simulator's truth.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import ray
from openalpha.actors import names

from .harness import (
    InProcessRuntime,
    assert_ledger_matches,
    flip_config,
    ledger_state,
    sim_in_thread,
    sim_truth,
    wait_for,
)


def test_runtime_exchange_actor_crash_restarts_and_reconciles(ray_address: str, tmp_path: Path) -> None:
    config = flip_config(tmp_path)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with sim_in_thread(speed=1800) as (url, state):
        runtime = InProcessRuntime(config, url, db)
        try:
            exchange = runtime.actor(names.exchange("paper"))
            wait_for(
                "fills before the crash", lambda: len(ledger_state(db).fills) >= 6, timeout=60, every=0.5
            )
            before = ray.get(exchange.snapshot.remote())
            pid = _pid(exchange)
            ray.kill(exchange, no_restart=False)
            wait_for("the restarted exchange actor", lambda: _pid(exchange) not in (None, pid), timeout=90)
            after_restart = ray.get(exchange.snapshot.remote())
            crashed_at = len(ledger_state(db).fills)
            wait_for(
                "fills after the restart",
                lambda: len(ledger_state(db).fills) >= crashed_at + 6,
                timeout=60,
                every=0.5,
            )
            state.clock.freeze()
            wait_for(
                "no order in flight", lambda: not ray.get(exchange.snapshot.remote()).open_orders, timeout=10
            )
            final = ray.get(exchange.snapshot.remote())
        finally:
            state.clock.freeze()
            runtime.stop()
        truth = sim_truth(url)
    ledger = ledger_state(db)
    assert before.positions, "nothing was held when the actor crashed"
    # rebuilt from the ledger: Flip always holds both symbols, and so does the restarted book
    assert {p.symbol for p in after_restart.positions} == {"BTCUSDT", "ETHUSDT"}
    # ... and its per-strategy book still sums to what the exchange holds at the end
    assert {p.symbol: Decimal(str(p.size)) for p in final.positions} == truth.positions
    restarts = [e for e in ledger.audit if e.kind == "runtime_started"]
    assert len(restarts) == 1, "the supervisor was not restarted, only the exchange actor"
    assert truth.duplicate_link_ids() == [] and truth.decisions_placed_twice() == []
    assert_ledger_matches(truth, ledger)
    assert ledger.positions == truth.positions
    print(f"{len(truth.orders)} orders, {len(truth.trades)} fills; {crashed_at} before the crash")


def _pid(actor: Any) -> int | None:
    """The process id of the actor's worker, or None while it does not answer."""
    try:
        return int(ray.get(actor.__ray_call__.remote(lambda _self: os.getpid()), timeout=5))
    except Exception:
        return None
