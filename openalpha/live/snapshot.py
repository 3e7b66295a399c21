"""The runtime's read model: what ``openalpha status`` and the dashboard show.

Actors produce these Structs (``state()`` methods); readers never reach the exchange or the
database behind the actors' backs (ARCHITECTURE §4). Everything is plain data, so a snapshot
encodes to JSON for the CLI and pushes to the browser unchanged. Money is ``float`` here: a
snapshot is for display, never for orders.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

from openalpha.domain import Environment, RiskDecision, Stage
from openalpha.domain.events import Event
from openalpha.graduation.evaluate import CriterionCheck

ENVIRONMENTS: tuple[Environment, ...] = (
    Environment.PAPER,
    Environment.DEMO,
    Environment.TESTNET,
    Environment.MAINNET,
)


class PositionView(msgspec.Struct, frozen=True, kw_only=True):
    symbol: str
    size: float
    entry_price: float
    mark_price: float
    unrealised_pnl: float
    liq_price: float | None = None
    leverage: float = 1.0


class OrderView(msgspec.Struct, frozen=True, kw_only=True):
    order_link_id: str
    symbol: str
    side: str
    order_type: str
    qty: float
    filled_qty: float
    status: str
    created_ts: int
    price: float | None = None
    strategy: str = ""


class FillView(msgspec.Struct, frozen=True, kw_only=True):
    exec_id: str
    symbol: str
    side: str
    qty: float
    price: float
    fee: float
    ts: int
    exec_type: str = "Trade"
    order_link_id: str = ""


class Health(msgspec.Struct, frozen=True, kw_only=True):
    connected: bool
    latency_ms: float | None = None
    rate_limit_headroom: float | None = None  # fraction of the endpoint limit still free
    last_bar_ts: dict[str, int] = {}
    error: str = ""


class EnvSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """One environment's money and activity. ``active=False`` environments carry nothing else."""

    env: Environment
    active: bool
    ts: int = 0
    equity: float = 0.0
    wallet_balance: float = 0.0
    available: float = 0.0
    pnl_today: float = 0.0
    pnl_total: float = 0.0
    drawdown: float = 0.0  # fraction below the equity peak
    open_risk: float = 0.0  # gross notional of open positions / equity
    equity_curve: list[tuple[int, float]] = []
    positions: list[PositionView] = []
    open_orders: list[OrderView] = []
    recent_fills: list[FillView] = []
    recent_funding: list[FillView] = []
    health: Health = Health(connected=False)
    kill_switch: bool = False


class ModelView(msgspec.Struct, frozen=True, kw_only=True):
    """An ML strategy's model (``openalpha.ml.live.model_card``): registry version, training
    window, out-of-sample (purged CV) score and the features it relies on most (split gain)."""

    name: str
    kind: str
    source: str
    version: int | None = None
    created_ts: int = 0  # ms UTC; the model's age is measured from here
    train_start_ms: int = 0
    train_end_ms: int = 0
    n_samples: int = 0
    n_features: int = 0
    oos_metric: str = ""
    oos_score: float | None = None
    oos_accuracy: float | None = None
    importance: list[tuple[str, float]] = []


class StrategySnapshot(msgspec.Struct, frozen=True, kw_only=True):
    strategy_id: str
    name: str
    env: Environment
    symbols: list[str]
    stage: Stage
    paused: bool = False
    halted_reason: str = ""
    capital_fraction: float = 0.0
    last_targets: dict[str, float] = {}
    recent_decisions: list[RiskDecision] = []
    live_return: float | None = None
    backtest_return: float | None = None
    predictions: dict[str, float] = {}  # ML strategies: probability per symbol
    confidence: dict[str, float] = {}  # |2 p - 1|: 0 = coin flip, 1 = certain
    predictions_ts: int = 0  # the bar they were made at
    model: ModelView | None = None
    error: str = ""  # the last failed decision's exception ("Type: message"); "" once one succeeds
    error_ts: int = 0  # the bar it failed at
    errors: int = 0  # decisions that failed since the strategy actor started
    # graduation: the capital the stage grants (USDT), the gate out of the stage (every check
    # with value, threshold and ``progress``), a pending mainnet approval, degradation reasons
    capital: float | None = None
    stage_since: int = 0
    stage_reason: str = ""
    next_stage: Stage | None = None
    criteria: list[CriterionCheck] = []
    pending_approval: bool = False
    demotion: list[str] = []
    stage_evidence: dict[str, Any] = {}  # the numbers behind the last stage change


class LimitView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    limit: float
    current: float
    unit: str = ""

    @property
    def utilisation(self) -> float:
        return abs(self.current) / self.limit if self.limit else 0.0


class RiskSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    limits: list[LimitView] = []
    recent_denials: list[RiskDecision] = []
    kill_switch: bool = False
    reduce_only: bool = False


class RuntimeSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """Everything at once: what one dashboard push carries."""

    ts: int
    environments: list[EnvSnapshot]
    strategies: list[StrategySnapshot] = []
    risk: RiskSnapshot = RiskSnapshot()
    audit: list[Event] = []
    actors_alive: dict[str, bool] = {}

    def env(self, env: Environment) -> EnvSnapshot:
        return next(e for e in self.environments if e.env is env)


def inactive(env: Environment) -> EnvSnapshot:
    return EnvSnapshot(env=env, active=False)


def failure_text(s: StrategySnapshot) -> str:
    """One line on a strategy's failed decisions ("" while none failed), for status and the dashboard."""
    if s.error:
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(s.error_ts / 1000))
        return f"DECISION FAILED at the bar of {when} UTC, no signal ({s.errors} since start): {s.error}"
    if s.errors:
        return f"{s.errors} decisions failed since start; the last one succeeded"
    return ""
