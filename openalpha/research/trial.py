"""One trial of a sweep: score a parameter set on the inner segments of a fold's training window.

Shared by the Ray Tune driver and the in-process Optuna search, so both score identically.
The score is always maximised: the objective's metric, negated when its mode is ``min``,
averaged over the segments seen so far. After each segment the trial reports, so an
early-stopping scheduler can stop it. A configuration the strategy rejects (e.g. fast >= slow)
or one with fewer than ``min_trades`` trades over the whole window scores :data:`PENALTY`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pandas as pd

from openalpha.backtest.config import BacktestConfig
from openalpha.backtest.engine import run_targets
from openalpha.domain.market_data import MarketData
from openalpha.research.evaluate import evaluate_window
from openalpha.research.splits import Span
from openalpha.research.sweep_config import Objective
from openalpha.strategies import StrategyError, load_strategy

PENALTY = -1_000.0


@dataclass(frozen=True)
class TrialContext:
    """Everything a trial needs besides its parameters (shipped to workers once)."""

    strategy: str
    fixed: dict[str, Any]
    objective: Objective
    backtest: BacktestConfig
    data: MarketData
    segments: dict[int, list[Span]] = field(default_factory=dict)  # fold number -> inner segments


class TrialRecord(msgspec.Struct, kw_only=True):
    params: dict[str, Any]
    score: float
    valid: bool
    complete: bool  # scored on every segment (not stopped early)
    n_trades: int = 0
    daily_returns: list[float] = []
    error: str = ""


def score_config(
    ctx: TrialContext, fold: int, params: dict[str, Any], report: Callable[[dict[str, Any]], None]
) -> TrialRecord:
    """Score ``params`` on fold ``fold``; ``report`` is called after every segment."""
    try:
        strategy = load_strategy(ctx.strategy, {**ctx.fixed, **params})
    except (StrategyError, ValueError) as err:
        report({"score": PENALTY, "valid": False, "n_trades": 0, "segment": 0, "error": str(err)})
        return TrialRecord(params=params, score=PENALTY, valid=False, complete=True, error=str(err))
    sign = 1.0 if ctx.objective.mode == "max" else -1.0
    segments = ctx.segments[fold]
    values: list[float] = []
    returns: list[float] = []
    trades = 0
    score = PENALTY
    for k, segment in enumerate(segments):
        window = evaluate_window(strategy, ctx.data, segment, ctx.backtest)
        value = window.metrics.get(ctx.objective.metric)
        if value is None:
            if ctx.objective.metric not in window.metrics:
                known = ", ".join(sorted(window.metrics))
                raise ValueError(
                    f"objective metric {ctx.objective.metric!r} is not a backtest metric ({known})"
                )
            value = -math.inf * sign  # undefined (e.g. profit factor without losses): worst case
        values.append(max(PENALTY, sign * float(value)))
        trades += int(window.metrics.get("n_trades", 0))
        returns.extend(float(r) for r in window.daily_returns.to_numpy())
        last = k == len(segments) - 1
        score = sum(values) / len(values)
        if last and trades < ctx.objective.min_trades:
            score = PENALTY
        row: dict[str, Any] = {"score": score, "valid": True, "n_trades": trades, "segment": k + 1}
        if last:
            row["daily_returns"] = returns  # only a trial that ran to the end carries its returns
        report(row)
    return TrialRecord(
        params=params, score=score, valid=True, complete=True, n_trades=trades, daily_returns=returns
    )


def warm_up(ctx: TrialContext) -> None:
    """Load the compiled engine in this process (compiling it once into numba's on-disk cache
    if it is not there yet) on a few bars, so that trial workers started afterwards only load
    the cache instead of each compiling the same kernel."""
    index = ctx.data.index
    if len(index) < 3:
        return
    sliced = ctx.data.slice(pd.Timestamp(index[0]), pd.Timestamp(index[min(len(index) - 1, 64)]))
    targets = pd.DataFrame(0.0, index=sliced.index, columns=sliced.symbols)
    targets.iloc[1::2] = 0.1
    run_targets(targets, sliced, ctx.backtest)


__all__ = ["PENALTY", "TrialContext", "TrialRecord", "score_config", "warm_up"]
