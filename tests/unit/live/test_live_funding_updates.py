"""Funding settlements on the account reach the strategies: the runtime queues each newly
recorded funding execution's rate once, and the strategy runner's data carries it."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from openalpha.domain import Balance, Bar, Category, Environment, ExecType, Fill, MarketData, Side
from openalpha.live.env_runtime import EnvRuntime, StrategyPlan
from openalpha.live.journal import MemoryJournal
from openalpha.live.strategy_runner import StrategyRunner
from openalpha.strategies.base import Strategy

HOUR = 3_600_000


class _Wallet:
    def wallet(self) -> list[Balance]:
        d = Decimal(10_000)
        return [Balance(env=Environment.PAPER, coin="USDT", wallet_balance=d, equity=d, available=d, ts=1)]


def _funding(exec_id: str, ts: int, rate: str) -> Fill:
    return Fill(exec_id=exec_id, symbol="BTCUSDT", category=Category.LINEAR, side=Side.BUY, price=Decimal(60_000),
                qty=Decimal("0.1"), fee=Decimal("0.6"), ts=ts, fee_rate=Decimal(rate), exec_type=ExecType.FUNDING)  # fmt: skip


class _FundingFollower(Strategy):
    """Long when the last known funding rate is negative (shorts pay), flat otherwise."""

    name = "funding_follower_for_tests"

    def targets(self, data: MarketData) -> pd.DataFrame:
        index = data.bars["BTCUSDT"].index
        rates = data.funding.get("BTCUSDT")
        if rates is None or rates.empty:
            return pd.DataFrame({"BTCUSDT": 0.0}, index=index)
        last = rates.reindex(index, method="ffill").fillna(0.0)
        return pd.DataFrame({"BTCUSDT": (last < 0).astype(float)}, index=index)


def test_recorded_funding_is_queued_once_for_the_strategies() -> None:
    plan = StrategyPlan(strategy_id="s1", name="x", symbols=["BTCUSDT"], interval="60", capital_fraction=0.5)
    rt = EnvRuntime(Environment.PAPER, _Wallet(), MemoryJournal(), lambda *_: None, [plan])  # type: ignore[arg-type]
    rt.on_fill(_funding("f1", 8 * HOUR, "0.0001"))
    rt.on_fill(_funding("f1", 8 * HOUR, "0.0001"))  # a re-delivered settlement
    assert rt.drain_funding_updates() == [("BTCUSDT", 8 * HOUR, 0.0001)]
    assert rt.drain_funding_updates() == []
    rt.on_fill(_funding("f2", 16 * HOUR, "-0.0003"))
    assert rt.drain_funding_updates() == [("BTCUSDT", 16 * HOUR, -0.0003)]


def test_a_funding_update_changes_what_the_strategy_sees() -> None:
    runner = StrategyRunner("s1", _FundingFollower(), ["BTCUSDT"], "60")

    def bar(ts: int) -> Bar:
        return Bar(symbol="BTCUSDT", interval="60", ts=ts, open=1.0, high=1.0, low=1.0, close=1.0, volume=1.0)

    assert [s.target for s in runner.on_bar("BTCUSDT", bar(0))] == [0.0]
    runner.on_funding("BTCUSDT", HOUR, -0.0003)  # from EnvRuntime.drain_funding_updates
    assert [s.target for s in runner.on_bar("BTCUSDT", bar(HOUR))] == [1.0]
