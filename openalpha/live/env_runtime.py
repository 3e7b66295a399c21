"""One environment's whole decision path as plain objects — the exchange actor wraps one.

bar closes → (strategy actor computes targets) → :meth:`EnvRuntime.apply_signal`: the risk
governor allows, resizes or denies with a reason → :class:`TargetExecutor` sizes the delta and
the :class:`OrderManager` submits it once. Fills and order updates from the private stream (or
polling) come back through :meth:`on_fill` / :meth:`on_order`. :meth:`start` reconciles with
the exchange first; a symbol whose state is unknown is paused until a later reconcile succeeds.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal

import msgspec
import numpy as np

from openalpha.config.schema import RiskConfig
from openalpha.domain import (
    Bar,
    Category,
    Environment,
    Event,
    Fill,
    Instrument,
    MarketData,
    Order,
    Position,
    RiskAction,
    RiskDecision,
    Signal,
    Stage,
    split_key,
)
from openalpha.exchange.errors import ExchangeError
from openalpha.exchange.protocol import Exchange
from openalpha.graduation.gate import stage_gate
from openalpha.live.account import AccountTracker
from openalpha.live.book import StrategyBook
from openalpha.live.executor import Outcome, TargetExecutor
from openalpha.live.journal import Journal
from openalpha.live.order_manager import OrderManager
from openalpha.live.reconcile import ReconcileReport, reconcile
from openalpha.metrics.returns import periods_per_year
from openalpha.risk.core import RiskRequest, RiskState

RUNTIME_RULE = "runtime"  # the runtime's own denials: state unknown, strategy paused
VOL_BARS = 100  # realised volatility window (bars) the governor sizes with
MIN_VOL_BARS = 20

Evaluate = Callable[[RiskRequest, RiskState], RiskDecision]


class StrategyPlan(msgspec.Struct, frozen=True, kw_only=True):
    """A strategy as the environment sees it: its instruments and its share of the account."""

    strategy_id: str
    name: str
    symbols: list[str]
    interval: str
    capital_fraction: float
    leverage: float = 1.0


class EnvRuntime:
    def __init__(
        self,
        env: Environment,
        exchange: Exchange,
        journal: Journal,
        evaluate: Evaluate,
        plans: list[StrategyPlan],
        *,
        clock: Callable[[], int] | None = None,
        risk: RiskConfig | None = None,
        stages: Mapping[str, Stage] | None = None,
    ) -> None:
        self.env = env
        self.exchange = exchange
        self.journal = journal
        self.evaluate = evaluate
        self.plans = {p.strategy_id: p for p in plans}
        self.clock = clock or (lambda: int(time.time() * 1000))
        self.risk = risk or RiskConfig()
        self.manager = OrderManager(env, exchange, journal, self.clock)
        self.book = StrategyBook(list(self.plans))
        self.tracker = AccountTracker()
        self.instruments: dict[str, Instrument] = {}
        self.executor = TargetExecutor(env, self.manager, self.book, self.instruments, self.clock)
        self.prices: dict[str, float] = {}
        self.closes: dict[str, deque[float]] = {}
        self.last_bar_ts: dict[str, int] = {}
        self.unknown: set[str] = set()
        self.paused: set[str] = set()
        self.decisions: deque[RiskDecision] = deque(maxlen=200)
        self.last_targets: dict[str, dict[str, float]] = {s: {} for s in self.plans}
        self.fills: deque[Fill] = deque(maxlen=200)
        self.funding: deque[Fill] = deque(maxlen=200)
        # funding settlements not yet passed on to the strategies: (key, ts, funding rate)
        self.funding_updates: deque[tuple[str, int, float]] = deque(maxlen=200)
        self.base_equity: float | None = None
        self.history_floor = 0  # executions before this time are not ours to reconcile (paper wipe)
        self.available: float | None = None
        self.exchange_positions: dict[str, Position] = {}
        self._last_balances: list[tuple[str, Decimal, Decimal]] = []
        # Graduation: a strategy trades here only if its stage allows this environment. Without
        # a stage book every strategy counts as paper (paper/demo only); a strategy missing from
        # a given book is denied. ``allocations`` caps the capital (USDT) a stage is granted.
        self.stages: dict[str, Stage] = (
            dict(stages) if stages is not None else dict.fromkeys(self.plans, Stage.PAPER)
        )
        self.allocations: dict[str, float] = {}
        self._gate_noted: dict[tuple[str, str], tuple[str, float]] = {}
        self.manager.fill_listeners.append(self._recorded)

    # -- life cycle ---------------------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return sorted({k for p in self.plans.values() for k in p.symbols})

    def markets(self) -> list[tuple[Category, str]]:
        return [(split_key(k)[1], split_key(k)[0]) for k in self.keys]

    def start(self, history_fills: list[Fill] | None = None) -> ReconcileReport:
        """Load instruments, rebuild the per-strategy book, reconcile, read the wallet."""
        for key in self.keys:
            symbol, category = split_key(key)
            self.instruments[key] = self.exchange.instrument(symbol, category)
            if category is Category.LINEAR:
                self._set_leverage(symbol, max(p.leverage for p in self.plans.values() if key in p.symbols))
        for fill in history_fills or []:
            self.book.apply(self._key(fill), fill)
        self.manager.note_recorded(history_fills or [])
        report = self.reconcile()
        self.refresh_account()
        return report

    def forget_history(self, floor_ms: int) -> None:
        """After the paper ledger was wiped: start over from ``floor_ms`` (positions are flat)."""
        self.history_floor = floor_ms
        self.manager.forget_all()
        self.book = StrategyBook(list(self.plans))
        self.executor.book = self.book
        self.tracker = AccountTracker()
        self.base_equity = None
        self.fills.clear()
        self.funding.clear()
        self.decisions.clear()
        self.refresh_account()

    def _set_leverage(self, symbol: str, leverage: float) -> None:
        """Margin the account as configured (isolated, one-way); a refusal is audited, not fatal."""
        try:
            self.exchange.set_leverage(symbol, Decimal(repr(leverage)))
        except ExchangeError as err:
            self._audit("leverage_unchanged", f"{symbol}: set leverage {leverage:g}x refused: {err}")

    def reconcile(self) -> ReconcileReport:
        """Reconcile, and snapshot the exchange's positions into the ledger (stamped with the
        exchange's clock, like its wallet)."""
        report = reconcile(self.manager, self.markets(), floor_ms=self.history_floor)
        self.unknown = {k for k in self.keys if split_key(k)[0] in report.unknown}
        if report.positions:
            try:
                now = self.exchange.server_time_ms()  # the adapter retries transient failures
            except (ExchangeError, OSError):
                return report
            stamped = [msgspec.structs.replace(p, ts=now) for p in report.positions.values()]
            self.journal.record_positions(self.env, stamped)
        return report

    def refresh_account(self) -> float | None:
        """Read the wallet; returns equity (None, and everything paused, when it cannot be read)."""
        try:
            balances = self.exchange.wallet()
        except ExchangeError as err:
            self._audit("account_unknown", f"wallet unreadable: {err}")
            return None
        seen = [(b.coin, b.wallet_balance, b.equity) for b in balances]
        if seen != self._last_balances:  # the ledger keeps every change, not every poll
            self.journal.record_balances(balances)
            self._last_balances = seen
        usdt = next((b for b in balances if b.coin == "USDT"), None)
        if usdt is None:
            return None
        equity = float(usdt.equity)
        if self.base_equity is None:
            self.base_equity = self._base_from(equity)
        self.tracker.on_equity(self.clock(), equity)
        self.available = float(usdt.available)
        self._refresh_positions()
        return equity

    def _refresh_positions(self) -> None:
        """The exchange's view of the positions (entry, mark, liquidation, PnL) for display."""
        if not any(c is Category.LINEAR for c, _ in self.markets()):
            return
        try:
            rows = self.exchange.positions(Category.LINEAR)
        except ExchangeError:
            return  # display only: the last good view stays; decisions use the book
        self.exchange_positions = {p.symbol: p for p in rows if p.size != 0}

    # -- stream input -------------------------------------------------------------------------
    def on_bar(self, key: str, bar: Bar) -> None:
        self.prices[key] = bar.close
        if self.last_bar_ts.get(key, -1) < bar.ts:
            self.closes.setdefault(key, deque(maxlen=VOL_BARS + 1)).append(bar.close)
        self.last_bar_ts[key] = bar.ts

    def seed(self, data: MarketData) -> None:
        """Prime prices and the volatility window from recent history (before the first live bar)."""
        for key, frame in data.bars.items():
            tail = frame["close"].to_numpy(dtype=np.float64)[-(VOL_BARS + 1) :]
            self.closes[key] = deque(tail.tolist(), maxlen=VOL_BARS + 1)
            if len(tail):
                self.prices[key] = float(tail[-1])

    def volatility(self, key: str, interval: str) -> float | None:
        """Annualised realised volatility of ``key`` over the last bars (None until enough bars)."""
        closes = np.asarray(self.closes.get(key, ()), dtype=np.float64)
        if len(closes) < MIN_VOL_BARS + 1:
            return None
        returns = np.diff(np.log(closes))
        return float(returns.std(ddof=1) * math.sqrt(periods_per_year(interval)))

    def on_fill(self, fill: Fill) -> None:
        self.manager.on_fill(fill)

    def _recorded(self, fill: Fill) -> None:
        """A new execution reached the journal (from the stream, polling or reconciliation)."""
        if fill.is_trade:
            self.book.apply(self._key(fill), fill)
            self.fills.append(fill)
        else:
            self.funding.append(fill)
            self.funding_updates.append((self._key(fill), fill.ts, float(fill.fee_rate)))

    def drain_funding_updates(self) -> list[tuple[str, int, float]]:
        """Funding rates settled on this account since the last call, for the strategies'
        ``StrategyRunner.on_funding`` (a funding execution carries the rate as its fee rate)."""
        updates = list(self.funding_updates)
        self.funding_updates.clear()
        return updates

    def on_order(self, order: Order) -> None:
        self.manager.on_order(order)

    # -- decisions ----------------------------------------------------------------------------
    def apply_signal(self, signal: Signal, price: float | None = None) -> tuple[RiskDecision, Outcome | None]:
        plan = self.plans[signal.strategy]
        key = signal.symbol
        price = price if price is not None else self.prices.get(key)
        self.last_targets[plan.strategy_id][key] = signal.target
        request = RiskRequest(
            strategy=plan.strategy_id,
            symbol=key,
            ts=signal.ts,
            target=signal.target,
            current=self._exposure(plan, key, price),
            leverage=plan.leverage,
            volatility=self.volatility(key, plan.interval),
        )
        gate = stage_gate(signal, self.stages.get(plan.strategy_id), self.env)
        own = True
        if gate is not None:
            decision = gate
            self._note_gate(gate)
        elif key in self.unknown or plan.strategy_id in self.paused:
            why = "state unknown: paused until reconciled" if key in self.unknown else "strategy paused"
            decision = RiskDecision(
                action=RiskAction.DENY,
                rule=RUNTIME_RULE,
                reason=why,
                strategy=plan.strategy_id,
                symbol=key,
                ts=signal.ts,
                requested=signal.target,
                approved=0.0,
            )
        else:
            decision = self.evaluate(request, self._risk_state(plan, exclude=key))
            own = False
        if own:  # the governor records its decisions; the runtime records its own denials
            self.journal.record_decision(self.env, decision)
        self.decisions.append(decision)
        if not decision.allowed or price is None:
            return decision, None
        capital = self._strategy_equity(plan)
        if capital is None:
            return decision, None
        outcome = self.executor.apply(
            strategy_id=plan.strategy_id,
            key=key,
            target=decision.approved,
            bar_ts=signal.ts,
            interval=plan.interval,
            price=Decimal(repr(price)),
            capital=Decimal(repr(capital)),
        )
        return decision, outcome

    def _note_gate(self, d: RiskDecision) -> None:
        """Audit a stage denial whenever the strategy asks for something new (not every bar)."""
        noted = (d.reason, d.requested)
        if self._gate_noted.get((d.strategy, d.symbol)) != noted:
            self._gate_noted[(d.strategy, d.symbol)] = noted
            self.journal.audit(
                Event(ts=self.clock(), kind="graduation.order_denied", source="runtime", env=self.env,
                      message=f"{d.strategy} {d.symbol}: {d.reason}", actor="runtime",
                      data={"strategy": d.strategy, "symbol": d.symbol, "rule": d.rule,
                            "requested": d.requested, "reason": d.reason})
            )  # fmt: skip

    def set_stage(self, strategy_id: str, stage: Stage, capital: float | None = None) -> float | None:
        """The graduation supervisor moved a strategy (idempotent); returns the capital in force."""
        if strategy_id not in self.plans:
            return None
        before = self.strategy_capital(strategy_id)
        self.stages[strategy_id] = stage
        if capital is None:
            self.allocations.pop(strategy_id, None)
        else:
            self.allocations[strategy_id] = capital
        after = self.strategy_capital(strategy_id)
        if after != before:  # a new allocation starts a new drawdown measure (not a loss)
            self.tracker.strategy_peak.pop(strategy_id, None)
        return after

    def _base_from(self, equity: float) -> float | None:
        """The account's equity before the strategies' own trading: today's equity minus the PnL
        of the book rebuilt from the ledger's fills. Without this, a restart would count every
        strategy's past PnL twice (once in the wallet, once in its book). None until every held
        instrument has a price (the strategies then wait, they do not size on a wrong base)."""
        pnl = 0.0
        for strategy_id in self.plans:
            part = self.book.equity(strategy_id, 0.0, self.prices)
            if part is None:
                return None
            pnl += part
        return equity - pnl

    def strategy_capital(self, strategy_id: str) -> float | None:
        """The base the strategy sizes from: its account share, capped by its stage allocation."""
        if self.base_equity is None:
            return None
        base = self.base_equity * self.plans[strategy_id].capital_fraction
        cap = self.allocations.get(strategy_id)
        return base if cap is None else min(base, cap)

    def _strategy_equity(self, plan: StrategyPlan) -> float | None:
        base = self.strategy_capital(plan.strategy_id)
        if base is None:
            return None
        return self.book.equity(plan.strategy_id, base, self.prices)

    def _exposure(self, plan: StrategyPlan, key: str, price: float | None) -> float | None:
        equity = self._strategy_equity(plan)
        if equity is None or price is None or equity <= 0:
            return None
        return float(self.book.position(plan.strategy_id, key)) * price / equity

    def _risk_state(self, plan: StrategyPlan, *, exclude: str) -> RiskState:
        strategy_equity = self._strategy_equity(plan)
        peak = self.tracker.on_strategy_equity(plan.strategy_id, strategy_equity) if strategy_equity else None
        return RiskState(
            equity=self.tracker.equity,
            peak_equity=self.tracker.peak,
            day_start_equity=self.tracker.day_start,
            strategy_equity=strategy_equity,
            strategy_peak_equity=peak,
            strategy_other_notional=self.book.gross_notional(plan.strategy_id, self.prices, exclude=exclude),
        )

    # -- controls -----------------------------------------------------------------------------
    def cancel_all(self) -> int:
        cancelled = 0
        for category in {c for c, _ in self.markets()}:
            cancelled += len(self.exchange.cancel_all(category))
        return cancelled

    def close_all(self, only: str | None = None) -> int:
        """Close every strategy position (or only ``only``'s) with reduce-only market orders
        (decision seq = now). Reconciles first: a fill still on its way must not leave the book
        behind the exchange, or the close would miss (or flip) part of the position."""
        self.reconcile()
        sent = 0
        now = self.clock()
        for plan in self.plans.values():
            if only is not None and plan.strategy_id != only:
                continue
            for key in plan.symbols:
                if self.book.position(plan.strategy_id, key) == 0 or key not in self.prices:
                    continue
                capital = self._strategy_equity(plan) or 1.0
                out = self.executor.apply(
                    strategy_id=plan.strategy_id,
                    key=key,
                    target=0.0,
                    bar_ts=now,
                    interval="1",
                    price=Decimal(repr(self.prices[key])),
                    capital=Decimal(repr(max(capital, 1.0))),
                )
                sent += out.order is not None
        return sent

    # -- helpers ------------------------------------------------------------------------------
    def _key(self, fill: Fill) -> str:
        return fill.symbol if fill.category is Category.LINEAR else f"{fill.symbol}@spot"

    def _audit(self, kind: str, message: str) -> None:
        self.journal.audit(Event(ts=self.clock(), kind=kind, source="runtime", message=message, env=self.env))
