"""The runtime's own denials land in the ledger's risk-decision table (SQLite and PostgreSQL),
where graduation's denial count reads them."""

from __future__ import annotations

from openalpha.domain import Environment, RiskAction, RiskDecision, Signal
from openalpha.live.ledger_journal import LedgerJournal
from openalpha.store import Ledger
from tests.unit.live.one_strategy_runtime import one_strategy_runtime


def _never(*_a: object) -> RiskDecision:
    raise AssertionError("the governor is not asked when the runtime denies")


def test_store_runtime_denials_are_risk_decisions(ledger: Ledger) -> None:
    rt = one_strategy_runtime(LedgerJournal(ledger), _never)
    rt.unknown.add("BTCUSDT")
    rt.apply_signal(Signal(strategy="s1", symbol="BTCUSDT", ts=10, target=0.5), price=60_000.0)
    rt.unknown.clear()
    rt.paused.add("s1")
    rt.apply_signal(Signal(strategy="s1", symbol="BTCUSDT", ts=20, target=0.5), price=60_000.0)
    stored = ledger.journal.decisions(Environment.PAPER, strategy="s1")
    assert [(d.ts, d.rule, d.action) for d in stored] == [
        (10, "runtime", RiskAction.DENY),
        (20, "runtime", RiskAction.DENY),
    ]
    assert stored[1].reason == "strategy paused"
