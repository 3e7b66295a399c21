"""Score one parameter set on one window of bars with the real backtest engine (pure, no Ray).

The backtest runs over ``[window.start - warmup, window.stop)`` so indicators are warm at the
first bar of the window, but the strategy's targets are forced to zero before the window: the
account is flat at the window's first bar, and only what happens inside the window is scored.
Metrics are recomputed on the in-window equity with :mod:`openalpha.metrics` (the warm-up
bars would otherwise dilute them).
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pandas as pd

from openalpha.backtest.config import BacktestConfig
from openalpha.backtest.engine import run_backtest
from openalpha.domain.market_data import MarketData
from openalpha.metrics import equity_metrics, json_safe
from openalpha.research.splits import Span
from openalpha.strategies import ExecutionStyle, Strategy


class WindowResult(msgspec.Struct, kw_only=True):
    metrics: dict[str, Any]
    equity: pd.Series  # in-window equity, starting from the configured capital
    daily_returns: pd.Series  # simple daily returns (UTC days) of the in-window equity
    trade_returns: np.ndarray  # each closed trade's net P&L over the equity before it


class _TradeFrom(Strategy):
    """Delegates to ``inner`` but holds no position before ``start`` (the warm-up bars)."""

    def __init__(self, inner: Strategy, start: pd.Timestamp) -> None:
        self.inner = inner
        self.params = inner.params
        self.start = start

    def label(self) -> str:  # type: ignore[override]
        return self.inner.label()

    def warmup(self) -> int:
        return self.inner.warmup()

    def targets(self, data: MarketData) -> pd.DataFrame:
        frame = self.inner.targets(data).copy()
        frame.loc[frame.index < self.start] = 0.0
        return frame

    def execution(self) -> ExecutionStyle:
        return self.inner.execution()


def daily_returns(equity: pd.Series, initial: float) -> pd.Series:
    """Simple returns of end-of-day equity; the first day is measured against ``initial``."""
    if equity.empty:
        return pd.Series(dtype=float)
    closes = equity.resample("1D").last().dropna()
    previous = closes.shift(1)
    previous.iloc[0] = initial
    return (closes / previous - 1.0).astype(float)


def _trade_returns(trades: pd.DataFrame, equity: pd.Series, initial: float) -> np.ndarray:
    """Net P&L of each closed trade over the equity just before it opened."""
    if trades is None or trades.empty:
        return np.empty(0)
    pnl_col = next((c for c in ("pnl", "net_pnl", "realized_pnl") if c in trades.columns), None)
    time_col = next((c for c in ("entry_time", "open_time", "entry") if c in trades.columns), None)
    if pnl_col is None:
        return np.empty(0)
    pnl = trades[pnl_col].to_numpy(dtype=float)
    if time_col is None or equity.empty:
        base = np.full(len(pnl), initial)
    else:
        entries = pd.DatetimeIndex(pd.to_datetime(trades[time_col], utc=True))
        pos = np.searchsorted(pd.DatetimeIndex(equity.index).asi8, entries.asi8, side="left") - 1
        base = np.where(pos >= 0, equity.to_numpy()[np.clip(pos, 0, None)], initial)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(base > 0, pnl / base, 0.0)
    return np.clip(out, -0.999999, None)


def _in_window(trades: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    if trades is None or trades.empty:
        return trades
    for col in ("entry_time", "open_time", "entry"):
        if col in trades.columns:
            return trades[pd.to_datetime(trades[col], utc=True) >= start]
    return trades


def evaluate_window(
    strategy: Strategy, data: MarketData, window: Span, config: BacktestConfig
) -> WindowResult:
    """Backtest ``strategy`` on the bars of ``window`` (positions into ``data.index``)."""
    index = data.index
    if window.start < 0 or window.stop > len(index) or len(window) < 2:
        raise ValueError(f"window {window.start}..{window.stop} does not fit {len(index)} bars")
    first = max(0, window.start - strategy.warmup())
    start_time = pd.Timestamp(index[window.start])
    stop_time = pd.Timestamp(index[window.stop]) if window.stop < len(index) else None
    sliced = data.slice(pd.Timestamp(index[first]), stop_time)
    result = run_backtest(_TradeFrom(strategy, start_time), sliced, config)
    full = result.equity
    equity = full[full.index >= start_time]
    trades = _in_window(result.trades, start_time)
    metrics = dict(result.metrics)
    metrics.update(equity_metrics(equity.to_numpy(), config.capital, data.interval))
    metrics["n_trades"] = len(trades) if trades is not None else 0
    return WindowResult(
        metrics=json_safe(metrics),
        equity=equity,
        daily_returns=daily_returns(equity, config.capital),
        trade_returns=_trade_returns(trades, full, config.capital),
    )


__all__ = ["WindowResult", "daily_returns", "evaluate_window"]
