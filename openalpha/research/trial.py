"""One trial of a sweep: score a parameter set on the inner segments of a fold's training window.

Shared by the Ray Tune driver and the in-process Optuna search, so both score identically.
The score is always maximised: the objective's metric, negated when its mode is ``min``,
averaged over the segments seen so far. After each segment the trial reports, so an
early-stopping scheduler can stop it. A configuration the strategy rejects (e.g. fast >= slow)
or one with fewer than ``min_trades`` trades over the whole window scores :data:`PENALTY`.

:func:`score_batch` scores several parameter sets in one call (one Ray Tune trial scores a
batch, which spreads Tune's fixed cost per trial over the batch); every set is scored exactly
as :func:`score_config` scores it alone and yields its own :class:`TrialRecord`.
"""

from __future__ import annotations

import base64
import binascii
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


_RECORDS_ENCODER = msgspec.msgpack.Encoder()
_RECORDS_DECODER = msgspec.msgpack.Decoder(list[TrialRecord])


class _SetScore:
    """The running score of one parameter set over the inner segments of a fold."""

    def __init__(self, ctx: TrialContext, params: dict[str, Any]) -> None:
        self.ctx = ctx
        self.params = params
        self.values: list[float] = []
        self.returns: list[float] = []
        self.trades = 0
        self.score = PENALTY
        self.error = ""
        self.strategy: Any = None
        try:
            self.strategy = load_strategy(ctx.strategy, {**ctx.fixed, **params})
        except (StrategyError, ValueError) as err:
            self.error = str(err)

    @property
    def valid(self) -> bool:
        return self.strategy is not None

    def step(self, segment: Span, last: bool) -> None:
        """Backtest the next segment and update the mean score (PENALTY if too few trades)."""
        ctx = self.ctx
        sign = 1.0 if ctx.objective.mode == "max" else -1.0
        window = evaluate_window(self.strategy, ctx.data, segment, ctx.backtest)
        value = window.metrics.get(ctx.objective.metric)
        if value is None:
            if ctx.objective.metric not in window.metrics:
                known = ", ".join(sorted(window.metrics))
                raise ValueError(
                    f"objective metric {ctx.objective.metric!r} is not a backtest metric ({known})"
                )
            value = -math.inf * sign  # undefined (e.g. profit factor without losses): worst case
        self.values.append(max(PENALTY, sign * float(value)))
        self.trades += int(window.metrics.get("n_trades", 0))
        self.returns.extend(float(r) for r in window.daily_returns.to_numpy())
        self.score = sum(self.values) / len(self.values)
        if last and self.trades < ctx.objective.min_trades:
            self.score = PENALTY

    def record(self, complete: bool = True) -> TrialRecord:
        if not self.valid:
            return TrialRecord(
                params=self.params, score=PENALTY, valid=False, complete=True, error=self.error
            )
        return TrialRecord(
            params=self.params,
            score=self.score,
            valid=True,
            complete=complete,
            n_trades=self.trades,
            daily_returns=self.returns if complete else [],
        )


def score_batch(
    ctx: TrialContext,
    fold: int,
    batch: list[dict[str, Any]],
    report: Callable[[dict[str, Any]], None],
) -> list[TrialRecord]:
    """Score every parameter set of ``batch`` on fold ``fold``'s inner segments (segment by
    segment, all sets together), calling ``report`` after every segment with the batch's best
    score so far (``score``), every set's score (``scores``) and trade count (``trades``), and
    after the last segment every set's record (``records``, packed by :func:`pack_records`).
    A set the strategy rejects scores :data:`PENALTY`."""
    sets = [_SetScore(ctx, params) for params in batch]
    live = [s for s in sets if s.valid]
    segments = ctx.segments[fold]
    if not live:
        segments = []
    for k, segment in enumerate(segments):
        last = k == len(segments) - 1
        for one in live:
            one.step(segment, last)
        scores = [s.score for s in sets]
        trades = [s.trades for s in sets]
        row: dict[str, Any] = {
            "score": max(scores),
            "scores": scores,
            "trades": trades,
            "valid": True,
            "segment": k + 1,
        }
        if last:
            row["records"] = pack_records([s.record() for s in sets])
        report(row)
    if not segments:
        errors = "; ".join(sorted({s.error for s in sets}))
        records = pack_records([s.record() for s in sets])
        report({"score": PENALTY, "scores": [PENALTY] * len(sets), "valid": False, "segment": 0,
                "error": errors, "records": records})  # fmt: skip
    return [s.record() for s in sets]


def pack_records(records: list[TrialRecord]) -> str:
    """``records`` as one ASCII string (base64 of msgpack). A Tune trial's last result carries
    its sets' records, daily returns included (thousands of floats); Tune writes every trial's
    last result into its experiment-state JSON again at each of its periodic saves, and one
    string encodes about 10x faster than a list of lists of floats. Floats round-trip exactly."""
    return base64.b64encode(_RECORDS_ENCODER.encode(records)).decode("ascii")


def unpack_records(packed: str) -> list[TrialRecord]:
    """The records :func:`pack_records` packed (``ValueError`` if ``packed`` is not such a string)."""
    try:
        return _RECORDS_DECODER.decode(base64.b64decode(packed, validate=True))
    except (binascii.Error, msgspec.DecodeError) as err:
        raise ValueError(f"not packed trial records: {err}") from None


def score_config(
    ctx: TrialContext, fold: int, params: dict[str, Any], report: Callable[[dict[str, Any]], None]
) -> TrialRecord:
    """Score ``params`` on fold ``fold``; ``report`` is called after every segment with the
    running ``score`` and ``n_trades`` (``daily_returns`` after the last one)."""
    one = _SetScore(ctx, params)
    if not one.valid:
        report({"score": PENALTY, "valid": False, "n_trades": 0, "segment": 0, "error": one.error})
        return one.record()
    segments = ctx.segments[fold]
    for k, segment in enumerate(segments):
        last = k == len(segments) - 1
        one.step(segment, last)
        row: dict[str, Any] = {"score": one.score, "valid": True, "n_trades": one.trades, "segment": k + 1}
        if last:
            row["daily_returns"] = one.returns  # only a trial that ran to the end carries its returns
        report(row)
    return one.record()


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


__all__ = [
    "PENALTY",
    "TrialContext",
    "TrialRecord",
    "pack_records",
    "score_batch",
    "score_config",
    "unpack_records",
    "warm_up",
]
