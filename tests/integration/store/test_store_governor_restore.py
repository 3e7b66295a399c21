"""A governor's audit trail survives the ledger and rebuilds the governor after a restart."""

from __future__ import annotations

from openalpha.config import RiskConfig
from openalpha.domain import Environment, RiskAction
from openalpha.risk import ManualClock, RiskGovernor, RiskRequest, RiskState
from openalpha.store import Ledger

T0 = 1_717_200_000_000
HEALTHY = RiskState(
    equity=20_000.0, peak_equity=20_000.0, day_start_equity=20_000.0,
    strategy_equity=6_000.0, strategy_peak_equity=6_000.0, strategy_other_notional=0.0,
)  # fmt: skip


def _request(target: float, current: float = 0.0) -> RiskRequest:
    return RiskRequest(strategy="momo", symbol="BTCUSDT", ts=T0, target=target, current=current,
                       volatility=0.5, stop_distance=0.05)  # fmt: skip


def test_store_governor_state_round_trips_through_the_audit_log(ledger: Ledger) -> None:
    gov = RiskGovernor(RiskConfig(), ManualClock(T0), env=Environment.TESTNET)
    gov.halt("momo", actor="alice", reason="manual review")
    gov.set_param("account_drawdown_limit", 0.1, actor="alice", reason="tighter")
    gov.set_param("max_orders_per_minute", 20, actor="alice", reason="calmer")
    decision = gov.evaluate(_request(0.5), HEALTHY)
    ledger.journal.record_decision("testnet", decision)
    ledger.journal.audit_many(gov.drain_events())

    restarted = RiskGovernor(RiskConfig(), ManualClock(T0 + 1), env=Environment.TESTNET)
    restarted.restore(ledger.journal.audit_events("testnet", kind="risk."))
    assert restarted.halted == {"momo": "manual review"}
    assert (restarted.config.account_drawdown_limit, restarted.config.max_orders_per_minute) == (0.1, 20)
    assert restarted.evaluate(_request(0.5), HEALTHY).rule == "strategy_halted"
    assert restarted.evaluate(_request(0.0, current=0.5), HEALTHY).action is RiskAction.ALLOW
    assert ledger.journal.decisions("testnet")[0].rule == "strategy_halted"
    assert ledger.journal.audit_events("paper", kind="risk.") == []
