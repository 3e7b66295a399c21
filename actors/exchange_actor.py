"""``ExchangeActor``: one per (venue, environment). A thin shell over
:class:`openalpha.live.env_runtime.EnvRuntime`: it owns the adapter's streams, fans closed bars
out to the strategy actors, asks the governor, and places the deltas.

All access to the runtime goes through one lock: stream callbacks (adapter threads), the
housekeeping thread and actor calls never interleave inside it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict
from functools import partial
from typing import Any

import ray
from openalpha.actors import names
from openalpha.actors.factory import make_exchange
from openalpha.actors.journal_proxy import ActorJournal

from openalpha.domain import Bar, Fill, Order, Signal, Stage, split_key
from openalpha.domain.intervals import interval_ms
from openalpha.exchange.protocol import PrivateHandlers
from openalpha.graduation.stages import may_trade
from openalpha.live import hop_trace
from openalpha.live.env_runtime import VOL_BARS, EnvRuntime, StrategyPlan
from openalpha.live.retry import with_retries
from openalpha.live.runtime_snapshot import env_snapshot
from openalpha.live.settings import EnvSettings
from openalpha.live.snapshot import EnvSnapshot
from openalpha.live.warmup import fetch_history
from openalpha.risk.core import RiskRequest, RiskState


@ray.remote(max_restarts=-1, max_task_retries=0, max_concurrency=4)
class ExchangeActor:
    def __init__(self, settings: EnvSettings, plans: list[StrategyPlan], ledger: Any, governor: Any) -> None:
        self.settings = settings
        self.env = settings.env
        self.governor = governor
        self.ledger = ledger
        self.decided: list[Any] = []  # the governor's decisions, recorded once the orders left
        self.lock = threading.RLock()
        self.exchange = make_exchange(settings)
        # stages={}: every strategy is denied until the supervisor sets its graduation stage
        traced = hop_trace.TracedPlacing(self.exchange)
        self.rt = EnvRuntime(self.env, traced, ActorJournal(ledger), self._evaluate, plans, stages={})
        self.subscribers: dict[tuple[str, str], list[Any]] = defaultdict(list)
        if self._reattach(plans):
            self._restore_stages()
        self.stopping = False
        self.connected = True
        self.latency_ms: float | None = None
        self.kill_switch = False
        history = ray.get(ledger.fills.remote(self.env))
        with self.lock:
            with_retries(lambda: self.rt.start(history_fills=history))
            now = self.exchange.server_time_ms()  # the adapter retries transient failures itself
            for interval in sorted({p.interval for p in plans}):
                keys = sorted({k for p in plans if p.interval == interval for k in p.symbols})
                data = with_retries(
                    partial(fetch_history, settings.base_url, keys, interval, VOL_BARS + 1, now)
                )
                self.rt.seed(data)
            if self.rt.base_equity is None:  # prices are known now: the base can be derived
                self.rt.refresh_account()
        self.exchange.subscribe_private(PrivateHandlers(on_order=self._on_order, on_fill=self._on_fill))
        for key, interval in sorted({(k, p.interval) for p in plans for k in p.symbols}):
            symbol, category = split_key(key)
            self.exchange.subscribe_bars(symbol, interval, self._bar_handler(key, interval), category)
        self._stop = threading.Event()
        threading.Thread(target=self._housekeeping, name=f"housekeeping-{self.env}", daemon=True).start()

    # -- wiring -------------------------------------------------------------------------------
    def attach(self, key: str, interval: str, strategy: Any) -> None:
        held = self.subscribers[(key, interval)]
        if all(s._actor_id != strategy._actor_id for s in held):
            held.append(strategy)

    def _reattach(self, plans: list[StrategyPlan]) -> bool:
        """After a restart the strategy actors exist already: feed them bars again at once.
        Returns True when this is such a restart."""
        found = False
        for plan in plans:
            try:
                actor = ray.get_actor(names.strategy(plan.strategy_id), namespace=names.NAMESPACE)
            except ValueError:
                continue  # first start: the supervisor attaches each strategy once it is created
            found = True
            for key in plan.symbols:
                self.attach(key, plan.interval, actor)
        return found

    def _restore_stages(self) -> None:
        """After a restart, the stages graduation granted (else every signal is denied until
        graduation's next tick tells the supervisor again)."""
        try:
            graduation = ray.get_actor(names.GRADUATION, namespace=names.NAMESPACE)
            stages = ray.get(graduation.current.remote(), timeout=10)
        except Exception:  # no graduation actor, or busy: its next tick restores the stages
            return
        for strategy_id, (stage, capital) in stages.items():
            self.rt.set_stage(strategy_id, stage, capital)

    def server_time_ms(self) -> int:
        """The exchange clock; one adapter call, which retries transient failures itself (a
        with_retries around it would retry each of its retries: 6 x 4 requests, ~10 s)."""
        return self.exchange.server_time_ms()

    def _evaluate(self, request: RiskRequest, state: RiskState) -> Any:
        step = interval_ms(self.rt.plans[request.strategy].interval)
        hop_trace.mark("governor_call", request.symbol, request.ts // step)
        decision = ray.get(self.governor.evaluate.remote(self.env, request, state))
        hop_trace.mark("governor_done", request.symbol, request.ts // step)
        self.decided.append(decision)
        return decision

    def _bar_handler(self, key: str, interval: str) -> Any:
        step = interval_ms(interval)

        def handle(bar: Bar) -> None:
            hop_trace.mark("bar_received", key, bar.ts // step)
            with self.lock:
                self.rt.on_bar(key, bar)
            hop_trace.mark("bar_fanned", key, bar.ts // step)
            for strategy in self.subscribers.get((key, interval), []):
                strategy.on_bar.remote(key, bar)

        return handle

    def _on_order(self, order: Order) -> None:
        with self.lock:
            self.rt.on_order(order)

    def _on_fill(self, fill: Fill) -> None:
        with self.lock:
            self.rt.on_fill(fill)
            funding = self.rt.drain_funding_updates()
        self._tell_funding(funding)

    def _tell_funding(self, updates: list[tuple[str, int, float]]) -> None:
        """Funding settled on the account: each strategy trading that instrument hears the rate."""
        for key, ts, rate in updates:
            for (held, _interval), strategies in list(self.subscribers.items()):
                for strategy in strategies if held == key else []:
                    strategy.on_funding.remote(key, ts, rate)

    def _housekeeping(self) -> None:
        last_reconcile = time.monotonic()
        while not self._stop.wait(self.settings.account_every_s):
            started = time.perf_counter()
            with self.lock:
                equity = self.rt.refresh_account()
                self.connected = equity is not None
                self.latency_ms = (time.perf_counter() - started) * 1000
                due = time.monotonic() - last_reconcile >= self.settings.reconcile_every_s
                if due or self.rt.unknown:  # an unknown symbol is paused: retry it soon
                    self.rt.reconcile()
                    last_reconcile = time.monotonic()
                funding = self.rt.drain_funding_updates()  # settlements reconciliation found
            self._tell_funding(funding)

    # -- decisions ----------------------------------------------------------------------------
    def apply_signals(self, signals: list[Signal]) -> list[str]:
        """Governor, then orders; returns one line per signal saying what happened."""
        lines = []
        with self.lock:
            if self.stopping:
                return [f"{s.strategy} {s.symbol}: runtime stopping, ignored" for s in signals]
            try:
                for signal in signals:
                    step = interval_ms(self.rt.plans[signal.strategy].interval)
                    hop_trace.mark("apply_start", signal.symbol, signal.ts // step)
                    decision, outcome = self.rt.apply_signal(signal)
                    what = (
                        outcome.order.order_link_id
                        if outcome and outcome.order
                        else (outcome.skipped if outcome else decision.reason)
                    )
                    lines.append(f"{signal.strategy} {signal.symbol} {decision.action}: {what}")
            finally:  # the orders have left: now the decisions behind them
                for decided in self.decided:
                    self.ledger.record_decision.remote(self.env, decided)
                self.decided.clear()
        return lines

    # -- controls -----------------------------------------------------------------------------
    def kill(self, flatten: bool) -> str:
        with self.lock:
            self.kill_switch = True
            self.rt.executor.blocked = True
            cancelled = self.rt.cancel_all()
            closed = 0
            if flatten:
                self.rt.executor.blocked = False
                closed = self.rt.close_all()
                self.rt.executor.blocked = True
        return f"{self.env}: cancelled {cancelled} orders, sent {closed} closing orders"

    def release(self) -> str:
        with self.lock:
            self.kill_switch = False
            self.rt.executor.blocked = False
        return f"{self.env}: orders allowed again"

    def cancel_all(self) -> str:
        with self.lock:
            return f"{self.env}: cancelled {self.rt.cancel_all()} orders"

    def close_all(self) -> str:
        with self.lock:
            cancelled = self.rt.cancel_all()
            return f"{self.env}: cancelled {cancelled} orders, sent {self.rt.close_all()} closing orders"

    def forget_history(self) -> None:
        """The paper ledger was wiped: start over from the exchange's now (its clock, not ours)."""
        with self.lock:
            self.rt.forget_history(self.exchange.server_time_ms())

    def is_flat(self) -> bool:
        with self.lock:
            return all(self.rt.book.total(k) == 0 for k in self.rt.keys) and not self.rt.manager.open_orders()

    def set_stage(self, strategy_id: str, stage: Stage, capital: float | None) -> float | None:
        """Graduation moved a strategy: set its stage and capital; a strategy that may no longer
        trade here has its positions closed (reduce-only). Returns the capital in force."""
        with self.lock:
            was = self.rt.stages.get(strategy_id)
            in_force = self.rt.set_stage(strategy_id, stage, capital)
            if was is not None and was is not stage and not may_trade(stage, self.env):
                self.rt.close_all(only=strategy_id)
            return in_force

    def pause(self, strategy_id: str, paused: bool) -> None:
        with self.lock:
            (self.rt.paused.add if paused else self.rt.paused.discard)(strategy_id)

    # -- reads --------------------------------------------------------------------------------
    def snapshot(self) -> EnvSnapshot:
        with self.lock:
            return env_snapshot(
                self.rt, connected=self.connected, latency_ms=self.latency_ms, kill_switch=self.kill_switch
            )

    def strategy_state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "decisions": list(self.rt.decisions)[-50:],
                "targets": dict(self.rt.last_targets),
                "paused": set(self.rt.paused),
                "capital": {s: self.rt.strategy_capital(s) for s in self.rt.plans},
            }

    def ping(self) -> bool:
        return True

    def hop_trace(self) -> list[hop_trace.Stamp]:
        """The decision path's stamps taken here since the last call (see :mod:`hop_trace`)."""
        return hop_trace.drain()

    def shutdown(self) -> None:
        """Stop trading, pick up what the exchange did meanwhile (a last reconcile), close."""
        self._stop.set()
        with self.lock:
            self.stopping = True
            self.subscribers.clear()
            with contextlib.suppress(Exception):  # unreachable now: the next start reconciles
                for _ in range(5):  # a symbol left unknown gets a few more tries
                    if not self.rt.reconcile().unknown:
                        break
                self.rt.refresh_account()
        self.exchange.close()
