"""An ``EnvRuntime`` for one strategy (``s1``, sma_cross on BTCUSDT, half the capital) over a
flat 10,000 USDT paper account, for tests of the runtime's own decisions (the unit test with an
in-memory journal, the store test with the real ledger on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from openalpha.domain import Balance, Environment, RiskDecision, Stage
from openalpha.live.env_runtime import EnvRuntime, StrategyPlan
from openalpha.risk.core import RiskRequest, RiskState


class FlatAccount:
    """The exchange's account view: 10,000 USDT, no positions."""

    def wallet(self) -> list[Balance]:
        d = Decimal(10_000)
        return [Balance(env=Environment.PAPER, coin="USDT", wallet_balance=d, equity=d, available=d, ts=1)]

    def positions(self, *_a: object, **_k: object) -> list[object]:
        return []


def one_strategy_runtime(
    journal: object,
    evaluate: Callable[[RiskRequest, RiskState], RiskDecision],
    stage: Stage = Stage.PAPER,
) -> EnvRuntime:
    plan = StrategyPlan(
        strategy_id="s1", name="sma_cross", symbols=["BTCUSDT"], interval="60", capital_fraction=0.5
    )
    rt = EnvRuntime(Environment.PAPER, FlatAccount(), journal, evaluate, [plan], stages={"s1": stage})  # type: ignore[arg-type]
    rt.refresh_account()
    return rt
