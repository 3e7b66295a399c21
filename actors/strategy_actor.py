"""``StrategyActor``: one per (strategy, symbols). A thin shell over
:class:`openalpha.live.strategy_runner.StrategyRunner`: warm up from the environment's own
history, then after each closed bar compute the targets and hand the signals to the exchange
actor (which asks the governor and places the delta). The funding of the strategy's perps comes
from the market's funding history (:mod:`openalpha.live.funding_poller`), held or flat, and
from the account's funding executions. Their mark-price bars (``data.mark``) come from the
market's mark-price klines (:mod:`openalpha.live.mark_poller`), read only by the decisions of
strategies that read them.
"""

from __future__ import annotations

from typing import Any

import ray

from openalpha.domain import Bar, Signal
from openalpha.domain.intervals import interval_ms
from openalpha.live import hop_trace
from openalpha.live.env_runtime import StrategyPlan
from openalpha.live.retry import with_retries


@ray.remote(max_restarts=-1, max_task_retries=3)
class StrategyActor:
    def __init__(self, plan: StrategyPlan, params: dict[str, Any], exchange: Any, base_url: str) -> None:
        # imported here, not at module level: the supervisor and the CLI import this module to
        # create the actor, and need neither the strategies (numba, scipy) nor pandas' runner
        from openalpha.live.funding_poller import start_funding_poller
        from openalpha.live.mark_poller import start_mark_poller
        from openalpha.live.strategy_runner import StrategyRunner
        from openalpha.live.warmup import fetch_history
        from openalpha.strategies.registry import get_strategy_class

        self.plan = plan
        self.exchange = exchange
        strategy = get_strategy_class(plan.name)(**params)
        now = ray.get(exchange.server_time_ms.remote())
        history = with_retries(
            lambda: fetch_history(base_url, plan.symbols, plan.interval, strategy.warmup() + 1, now)
        )
        self.runner = StrategyRunner(plan.strategy_id, strategy, plan.symbols, plan.interval, history=history)
        self.funding = start_funding_poller(base_url, self.runner, now)  # None: no perp among the symbols
        self.marks = start_mark_poller(base_url, self.runner, now)  # likewise
        self.last_signals: list[Signal] = []
        self.outcomes: list[str] = []

    def on_bar(self, key: str, bar: Bar) -> int:
        seq = bar.ts // interval_ms(self.plan.interval)
        hop_trace.mark("strategy_start", key, seq)
        signals = self.runner.on_bar(key, bar)
        for signal in signals:
            hop_trace.mark("targets_done", signal.symbol, seq)
        if signals:
            self.last_signals = signals
            self.outcomes = ray.get(self.exchange.apply_signals.remote(signals))
        if self.runner.last_decision_ts == bar.ts:  # this bar is decided: background reads now
            # (not on the bar of a first symbol, whose decision waits for the other symbols' bars:
            # a read started then shares this process with that decision, +5-8 ms at p99)
            close = bar.ts + interval_ms(self.plan.interval)
            if self.funding is not None:  # settlements up to this close, read in the background
                self.funding.on_bar_close(close)
            if self.marks is not None:
                self.marks.after_decision(close)
        return len(signals)

    def on_funding(self, key: str, ts: int, rate: float) -> None:
        """A funding rate settled on the account (passed on by the exchange actor)."""
        if self.funding is not None:
            self.funding.deliver(key, ts, rate)
        else:
            self.runner.on_funding(key, ts, rate)

    def state(self) -> dict[str, Any]:
        return {
            "strategy_id": self.plan.strategy_id,
            "name": self.plan.name,
            "signals": self.last_signals,
            "outcomes": self.outcomes,
            "last_decision_ts": self.runner.last_decision_ts,
            # settlements the last decision ran without ({key: ts}), and that decision's bar
            "funding_missing": self.funding.missing if self.funding is not None else {},
            "funding_missing_ts": self.funding.missing_ts if self.funding is not None else 0,
            **self.live_state(),
        }

    def live_state(self) -> dict[str, Any]:
        """``StrategySnapshot`` fields from this actor: ML strategies' predictions, confidence and
        model card, and the last failed decision (``error``, ``error_ts``, ``errors``)."""
        return {**self.runner.ml_state(), **self.runner.error_state()}

    def ping(self) -> bool:
        return True

    def hop_trace(self) -> list[hop_trace.Stamp]:
        """The decision path's stamps taken here since the last call (see :mod:`hop_trace`)."""
        return hop_trace.drain()
