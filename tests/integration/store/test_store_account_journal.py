"""Positions, balances, audit events, risk decisions, stages, runs and models."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openalpha.domain import (
    Balance,
    Category,
    Environment,
    Event,
    Position,
    RiskAction,
    RiskDecision,
    Stage,
)
from openalpha.store import ConflictingRecord, Ledger, ModelRecord, RunRecord, StageChange

T0 = 1_717_200_000_000


def _position(symbol: str, size: str, ts: int, category: Category = Category.LINEAR) -> Position:
    return Position(
        symbol=symbol,
        category=category,
        size=Decimal(size),
        entry_price=Decimal("3012.55"),
        mark_price=Decimal("3020.01"),
        liq_price=None if category is Category.SPOT else Decimal("2411.3"),
        unrealised_pnl=Decimal(size) * Decimal("7.46"),
        ts=ts,
    )


def _balance(env: Environment, equity: str, ts: int, coin: str = "USDT") -> Balance:
    value = Decimal(equity)
    return Balance(env=env, coin=coin, wallet_balance=value, equity=value, available=value - 100, ts=ts)


def test_store_latest_positions_per_instrument_and_env(ledger: Ledger) -> None:
    ledger.account.record_position("paper", _position("ETHUSDT", "1.5", T0))
    ledger.account.record_positions(
        "paper",
        [_position("ETHUSDT", "-0.25", T0 + 60_000), _position("ETHUSDT", "3", T0 + 1, Category.SPOT)],
    )
    ledger.account.record_position("paper", _position("ETHUSDT", "9", T0 - 5))  # late, older snapshot
    ledger.account.record_position("demo", _position("ETHUSDT", "7", T0 + 99_000))
    latest = ledger.account.latest_positions("paper")
    assert set(latest) == {"ETHUSDT", "ETHUSDT@spot"}
    assert latest["ETHUSDT"].size == Decimal("-0.25")
    assert latest["ETHUSDT@spot"].liq_price is None
    assert latest["ETHUSDT"] == _position("ETHUSDT", "-0.25", T0 + 60_000)
    history = ledger.account.position_history("paper", "ETHUSDT", since=T0)
    assert [p.size for p in history] == [Decimal("1.5"), Decimal("-0.25")]
    assert [p.size for p in ledger.account.position_history("paper", "ETHUSDT@spot")] == [Decimal("3")]
    assert ledger.account.latest_positions("testnet") == {}


def test_store_balances_history_per_env(ledger: Ledger) -> None:
    for i, equity in enumerate(["10000", "10012.5", "9987.123456789"]):
        ledger.account.record_balance(_balance(Environment.PAPER, equity, T0 + i))
    ledger.account.record_balance(_balance(Environment.PAPER, "0.5", T0 + 1, coin="BTC"))
    ledger.account.record_balance(_balance(Environment.TESTNET, "50", T0 + 9))
    usdt = ledger.account.balances_history("paper", coin="USDT")
    assert [b.equity for b in usdt] == [Decimal("10000"), Decimal("10012.5"), Decimal("9987.123456789")]
    assert all(b.env is Environment.PAPER for b in usdt)
    assert len(ledger.account.balances_history("paper", since=T0 + 1, until=T0 + 2)) == 2
    latest = ledger.account.latest_balances("paper")
    assert {c: b.equity for c, b in latest.items()} == {
        "BTC": Decimal("0.5"),
        "USDT": Decimal("9987.123456789"),
    }
    assert [b.equity for b in ledger.account.balances_history("testnet")] == [Decimal("50")]


def test_store_audit_events_filter_by_env_and_kind(ledger: Ledger) -> None:
    ledger.journal.audit(Event(ts=T0, kind="vault.key_set", source="cli", message="demo key stored"))
    ledger.journal.audit_many(
        [
            Event(ts=T0 + 1, kind="risk.halt", source="governor", message="h", env=Environment.DEMO,
                  data={"strategy": "mr", "drawdown": -0.11}),
            Event(ts=T0 + 2, kind="reconcile.position", source="ledger", message="r", env=Environment.DEMO),
            Event(ts=T0 + 3, kind="risk.param_change", source="governor", message="p", env=Environment.PAPER),
        ]
    )  # fmt: skip
    assert [e.kind for e in ledger.journal.audit_events(None)] == ["vault.key_set"]
    demo = ledger.journal.audit_events("demo")
    assert [e.kind for e in demo] == ["risk.halt", "reconcile.position"]
    assert demo[0].data == {"strategy": "mr", "drawdown": -0.11}
    assert [e.kind for e in ledger.journal.audit_events("demo", kind="risk.")] == ["risk.halt"]
    assert ledger.journal.audit_events("demo", kind="risk") == []
    assert [e.env for e in ledger.journal.audit_events("paper", since=T0 + 3)] == [Environment.PAPER]


def test_store_risk_decisions(ledger: Ledger) -> None:
    decision = RiskDecision(
        action=RiskAction.RESIZE, rule="max_order_notional", reason="order 80000 > 50000",
        strategy="momo", symbol="BTCUSDT", ts=T0, requested=0.8, approved=0.5,
    )  # fmt: skip
    ledger.journal.record_decision("testnet", decision)
    assert ledger.journal.decisions("testnet", strategy="momo") == [decision]
    assert ledger.journal.decisions("testnet", strategy="other") == []
    assert ledger.journal.decisions("paper") == []


def test_store_stage_history_and_current_stage(ledger: Ledger) -> None:
    changes = [
        StageChange(strategy="momo", to_stage=Stage.BACKTEST, ts=T0),
        StageChange(
            strategy="momo", from_stage=Stage.BACKTEST, to_stage=Stage.PAPER, ts=T0 + 1, reason="sharpe 1.9"
        ),
        StageChange(strategy="carry", to_stage=Stage.BACKTEST, ts=T0 + 2),
        StageChange(
            strategy="momo", from_stage=Stage.PAPER, to_stage=Stage.HALTED, ts=T0 + 3, actor="governor"
        ),
    ]
    for change in changes:
        ledger.registry.record_stage_change(change)
    assert ledger.registry.stage_history("momo") == [changes[0], changes[1], changes[3]]
    assert ledger.registry.current_stages() == {"momo": Stage.HALTED, "carry": Stage.BACKTEST}


def test_store_runs_index(ledger: Ledger) -> None:
    run = RunRecord(run_id="bt-001", kind="backtest", strategy="momo", created_ts=T0, path="bt-001",
                    params={"fast": 20, "slow": 100})  # fmt: skip
    ledger.registry.record_run(run)
    ledger.registry.record_run(
        RunRecord(run_id="sw-001", kind="sweep", strategy="momo", created_ts=T0 + 5, path="s")
    )
    with pytest.raises(ConflictingRecord, match="bt-001"):
        ledger.registry.record_run(run)
    done = ledger.registry.finish_run(
        "bt-001", status="finished", finished_ts=T0 + 9, metrics={"sharpe": 1.42}
    )
    assert done.metrics == {"sharpe": 1.42} and done.params == {"fast": 20, "slow": 100}
    assert ledger.registry.get_run("bt-001") == done
    assert [r.run_id for r in ledger.registry.runs()] == ["sw-001", "bt-001"]
    assert [r.run_id for r in ledger.registry.runs(kind="backtest")] == ["bt-001"]
    assert ledger.registry.get_run("nope") is None


def test_store_model_registry_versions(ledger: Ledger) -> None:
    assert ledger.registry.next_model_version("trend") == 1
    for version in (1, 2):
        ledger.registry.register_model(
            ModelRecord(name="trend", version=version, kind="lightgbm", path=f"trend/v{version}.txt",
                        sha256="ab" * 32, created_ts=T0 + version, metrics={"auc": 0.5 + version / 100})
        )  # fmt: skip
    with pytest.raises(ConflictingRecord, match="trend v2"):
        ledger.registry.register_model(
            ModelRecord(name="trend", version=2, kind="xgboost", path="x", sha256="cd" * 32, created_ts=T0)
        )
    assert ledger.registry.next_model_version("trend") == 3
    latest = ledger.registry.latest_model("trend")
    assert latest is not None and latest.version == 2 and latest.metrics == {"auc": 0.52}
    assert ledger.registry.latest_model("missing") is None
