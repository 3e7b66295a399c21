"""Runs one strategy live: after each closed bar, the same ``targets()`` as the backtest on the
trailing ``warmup()+1`` bars, and the last row becomes one :class:`Signal` per instrument.

Bars may arrive per symbol in any order, more than once, or late: a bar older than what is held
is ignored, a repeated bar replaces the held one, and a decision is taken only once every
instrument of the strategy has closed the same bar.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import pandas as pd

from openalpha.domain import Bar, Instrument, MarketData, Signal, interval_ms, normalize_interval
from openalpha.live.snapshot import ModelView
from openalpha.strategies.base import Strategy

_COLUMNS = ["open", "high", "low", "close", "volume"]
log = logging.getLogger(__name__)


class StrategyRunner:
    def __init__(
        self,
        strategy_id: str,
        strategy: Strategy,
        symbols: list[str],
        interval: str,
        *,
        history: MarketData | None = None,
        instruments: Mapping[str, Instrument] | None = None,
        keep: int | None = None,
    ) -> None:
        self.strategy_id = strategy_id
        self.strategy = strategy
        self.symbols = list(symbols)
        self.interval = normalize_interval(interval)
        self.keep = keep or strategy.warmup() + 1
        self.instruments = dict(instruments or {})
        empty = pd.DataFrame(columns=_COLUMNS, dtype="float64", index=pd.DatetimeIndex([], tz="UTC"))
        self.bars: dict[str, pd.DataFrame] = {s: empty.copy() for s in self.symbols}
        self.funding: dict[str, pd.Series] = {}
        # called with (bar open, bar length) just before a decision's data is assembled (the
        # live funding feed reads a settlement the decision needs that has not arrived)
        self.before_decision: Callable[[int, int], None] | None = None
        # called with (the decision's bars, bar open) → its ``data.mark``, a mapping that reads
        # only what the strategy asks for (the live mark feed); no mark prices without it
        self.marks: Callable[[Mapping[str, pd.DataFrame], int], Mapping[str, pd.DataFrame]] | None = None
        self.last_decision_ts: int | None = None
        # a decision whose targets() raised: (bar ts, "Type: message") until one succeeds again
        self.failure: tuple[int, str] | None = None
        self.failures = 0  # decisions that raised, since start
        # ML strategies (optional hooks): (P(up), confidence) per symbol at the last decision,
        # and a description of the model (``openalpha.live.snapshot.ModelView`` fields)
        self.predictions: dict[str, tuple[float, float]] = {}
        self.predictions_ts = 0  # the bar they were made at
        describe = getattr(strategy, "model_card", None)
        self.model_card: dict[str, Any] | None = describe() if callable(describe) else None
        if history is not None:
            for key in self.symbols:
                if key in history.bars:
                    self.bars[key] = history.bars[key][_COLUMNS].tail(self.keep).astype("float64")
                if key in history.funding:
                    self.funding[key] = history.funding[key]
            self.instruments.update(history.instruments)

    def error_state(self) -> dict[str, Any]:
        """The error fields of :class:`~openalpha.live.snapshot.StrategySnapshot` (empty when
        every decision so far succeeded)."""
        if not self.failures:
            return {}
        ts, text = self.failure or (0, "")
        return {"error": text, "error_ts": ts, "errors": self.failures}

    def ml_state(self) -> dict[str, Any]:
        """The ML fields of :class:`~openalpha.live.snapshot.StrategySnapshot` (empty for other strategies)."""
        if self.model_card is None and not self.predictions:
            return {}
        return {
            "predictions": {k: p for k, (p, _) in self.predictions.items()},
            "confidence": {k: c for k, (_, c) in self.predictions.items()},
            "predictions_ts": self.predictions_ts,
            "model": None if self.model_card is None else msgspec.convert(self.model_card, ModelView),
        }

    def on_funding(self, key: str, ts: int, rate: float) -> None:
        stamp = pd.Timestamp(ts, unit="ms", tz="UTC")
        series = self.funding.get(key, pd.Series(dtype="float64"))
        self.funding[key] = pd.concat(
            [series[series.index != stamp], pd.Series([rate], index=[stamp])]
        ).sort_index()

    def on_bar(self, key: str, bar: Bar) -> list[Signal]:
        """Add a closed bar; returns the signals when this completes a bar for every instrument."""
        if key not in self.bars:
            return []
        stamp = pd.Timestamp(bar.ts, unit="ms", tz="UTC")
        frame = self.bars[key]
        if len(frame) and stamp < frame.index[-1]:
            return []  # late bar: the decision for it has been taken already
        row = pd.DataFrame(
            [[bar.open, bar.high, bar.low, bar.close, bar.volume]],
            columns=_COLUMNS,
            index=pd.DatetimeIndex([stamp]),
        )
        frame = pd.concat([frame[frame.index != stamp], row]).tail(self.keep)
        self.bars[key] = frame
        return self._decide(bar.ts)

    def _decide(self, ts: int) -> list[Signal]:
        stamp = pd.Timestamp(ts, unit="ms", tz="UTC")
        if self.last_decision_ts is not None and ts <= self.last_decision_ts:
            return []
        if any(len(f) == 0 or f.index[-1] != stamp for f in self.bars.values()):
            return []
        if min(len(f) for f in self.bars.values()) < self.keep:
            return []  # not warm yet
        if self.before_decision is not None:
            self.before_decision(ts, interval_ms(self.interval))
        bars = dict(self.bars)
        data = MarketData(
            interval=self.interval,
            bars=bars,
            mark=self.marks(bars, ts) if self.marks is not None else {},
            funding=dict(self.funding),
            instruments=self.instruments,
        )
        self.last_decision_ts = ts  # decided, also when it fails: a repeated bar does not retry
        try:
            last = self._last_targets(data, ts)
        except Exception as err:  # the strategy's own code: no signal, and say so in status
            first_line = (str(err).splitlines() or [""])[0][:200]
            self.failure, self.failures = (ts, f"{type(err).__name__}: {first_line}"), self.failures + 1
            log.exception("strategy %s: targets() failed at bar %d; no signal", self.strategy_id, ts)
            return []
        self.failure = None
        signals = []
        for key in self.symbols:
            value = float(last.get(key, 0.0))
            signals.append(
                Signal(
                    strategy=self.strategy_id,
                    symbol=key,
                    ts=ts,
                    target=0.0 if math.isnan(value) else value,
                    confidence=self.predictions[key][1] if key in self.predictions else None,
                )
            )
        return signals

    def _last_targets(self, data: MarketData, ts: int) -> pd.Series:
        latest = getattr(self.strategy, "latest_targets", None)  # a strategy's fast last-row path
        last = latest(data) if callable(latest) else self.strategy.targets(data).iloc[-1]
        predict = getattr(self.strategy, "live_predictions", None)
        if callable(predict):
            self.predictions, self.predictions_ts = predict(data), ts
        return last
