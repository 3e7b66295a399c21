"""The runtime's own denials land in the ledger's risk-decision table (SQLite and PostgreSQL),
where graduation's denial count reads them."""

from __future__ import annotations

from decimal import Decimal

from openalpha.domain import Balance, Environment, RiskAction, RiskDecision, Signal, Stage
from openalpha.live.env_runtime import EnvRuntime, StrategyPlan
from openalpha.live.ledger_journal import LedgerJournal
from openalpha.store import Ledger


class _Wallet:
    def wallet(self) -> list[Balance]:
        d = Decimal(10_000)
        return [Balance(env=Environment.PAPER, coin="USDT", wallet_balance=d, equity=d, available=d, ts=1)]

    def positions(self, *_a: object, **_k: object) -> list[object]:
        return []


def _never(*_a: object) -> RiskDecision:
    raise AssertionError("the governor is not asked when the runtime denies")


def test_store_runtime_denials_are_risk_decisions(ledger: Ledger) -> None:
    plan = StrategyPlan(
        strategy_id="s1", name="sma_cross", symbols=["BTCUSDT"], interval="60", capital_fraction=0.5
    )
    rt = EnvRuntime(
        Environment.PAPER, _Wallet(), LedgerJournal(ledger), _never, [plan], stages={"s1": Stage.PAPER}
    )  # type: ignore[arg-type]
    rt.refresh_account()
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
