"""Fault injection: an accelerated paper session through 5xx answers, 10006 bursts, dropped
sockets and duplicate / out-of-order stream messages ends with the ledger equal to the
simulator's truth (every order, fill, funding payment, position and the balance), read with
pybit's own client once the faults are switched off."""

from __future__ import annotations

from pathlib import Path

from openalpha.sim.faults import FaultConfig, FaultRule
from openalpha.store.ledger import Ledger

from .harness import (
    FAST_ORDERS,
    PAPER,
    InProcessRuntime,
    assert_ledger_matches,
    ledger_state,
    sim_in_thread,
    sim_truth,
    strategy_entry,
    wait_for,
    write_config,
)

FAULTS = FaultConfig(
    http_5xx=FaultRule(rate=0.08),
    rate_limit=FaultRule(every_ms=2_000, length_ms=150),
    latency=FaultRule(rate=0.1, ms=40),
    ws_drop=FaultRule(rate=0.02),
    ws_duplicate=FaultRule(rate=0.08),
    ws_reorder=FaultRule(rate=0.08),
    execution_delay=FaultRule(rate=0.3, ms=300),
)
FILLS = 60


def _fills(url: str) -> int:
    with Ledger.open(url) as ledger:
        return len(ledger.executions.fills(PAPER))


def test_runtime_faults_ledger_equals_simulator(ray_address: str, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "faults.toml",
        [strategy_entry("Flip", ["BTCUSDT"], "15"), strategy_entry("Flip", ["ETHUSDT"], "15")],
        risk=FAST_ORDERS,
    )
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with sim_in_thread(speed=1800, fault_config=FAULTS, seed=11) as (url, state):
        runtime = InProcessRuntime(config, url, db)
        try:
            wait_for(f"{FILLS} fills in the ledger", lambda: _fills(db) >= FILLS, timeout=90, every=1.0)
        finally:
            state.clock.freeze()  # the market stops: balances can be compared exactly
            runtime.stop()
        faults = state.extensions["faults"]
        fired = {name: faults.fired(name) for name in FaultConfig.__struct_fields__}
        faults.config = FaultConfig()  # the truth is read without faults
        truth = sim_truth(url)
    ledger = ledger_state(db)
    for name in ("http_5xx", "rate_limit", "ws_drop", "ws_duplicate", "ws_reorder", "execution_delay"):
        assert fired[name] > 0, f"fault {name} never fired: {fired}"
    assert len(truth.trades) >= FILLS
    assert truth.duplicate_link_ids() == [] and truth.decisions_placed_twice() == []
    assert_ledger_matches(truth, ledger)
    retried = [e for e in ledger.audit if e.kind in ("order_retry", "order_unknown")]
    print(
        f"faults fired {fired}; {len(truth.orders)} orders, {len(truth.trades)} fills, {len(retried)} retries"
    )
