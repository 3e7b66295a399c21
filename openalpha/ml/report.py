"""The honesty report: does the model earn its place?

Every ML strategy is compared **out of sample** with the same strategy without the model (its
baseline) and with buy-and-hold, over the same bars, costs and rules. If the model does not beat
its baseline on the chosen metric, the report says so in its verdict.

Targets are computed once over the whole history (they are causal, and a walk-forward model's
predictions are out of sample by construction); only the bars from ``oos_start`` on are traded
and scored. The backtest itself is injected (``runner``, e.g. ``functools.partial(
openalpha.backtest.run_targets, config=cfg)``) because the engine sits on a higher floor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.market_data import MarketData
from openalpha.ml.errors import MLError

KEY_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "fees_paid")


class HasTargets(Protocol):
    def targets(self, data: MarketData) -> pd.DataFrame: ...

    def warmup(self) -> int: ...


class Scored(Protocol):
    metrics: dict[str, Any]
    benchmark: dict[str, Any]


Runner = Callable[[pd.DataFrame, MarketData], Scored]


class HonestyReport(msgspec.Struct, frozen=True, kw_only=True):
    strategy: str
    baseline: str
    oos_start: str
    oos_end: str
    bars: int
    metric: str
    model_metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    buy_and_hold_metrics: dict[str, float]
    beats_baseline: bool
    beats_buy_and_hold: bool
    verdict: str

    def text(self) -> str:
        """A small plain-text table plus the verdict."""
        rows = [f"out of sample {self.oos_start} .. {self.oos_end} ({self.bars} bars)"]
        rows.append(f"{'':14}{'model':>12}{'baseline':>12}{'buy&hold':>12}")
        for key in KEY_METRICS:
            vals = [m.get(key, float("nan")) for m in (self.model_metrics, self.baseline_metrics,
                                                       self.buy_and_hold_metrics)]  # fmt: skip
            rows.append(f"{key:14}" + "".join(f"{v:12.4f}" for v in vals))
        rows.append(self.verdict)
        return "\n".join(rows)


def _pick(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def verdict(name: str, metric: str, model: float, baseline: float, buy_hold: float) -> tuple[bool, bool, str]:
    """(beats baseline, beats buy-and-hold, one-line verdict)."""
    beats = bool(np.isfinite(model) and (not np.isfinite(baseline) or model > baseline))
    beats_bh = bool(np.isfinite(model) and (not np.isfinite(buy_hold) or model > buy_hold))
    cmp = f"{metric} {model:.3f} vs baseline {baseline:.3f}, buy-and-hold {buy_hold:.3f}"
    if not beats:
        return (
            False,
            beats_bh,
            f"{name}: the model does NOT beat its baseline out of sample ({cmp}); switch it off",
        )
    tail = "" if beats_bh else " but not buy-and-hold"
    return True, beats_bh, f"{name}: the model beats its baseline out of sample{tail} ({cmp})"


def honesty_report(
    strategy: HasTargets,
    baseline: HasTargets,
    data: MarketData,
    runner: Runner,
    *,
    oos_start: pd.Timestamp | None = None,
    metric: str = "sharpe",
    name: str = "",
) -> HonestyReport:
    """Compare ``strategy`` with ``baseline`` and buy-and-hold on the bars from ``oos_start``.

    ``oos_start`` defaults to the bar after the strategy's warmup (its first fully informed bar).
    """
    index = data.index
    if oos_start is None:
        warm = strategy.warmup()
        if warm >= len(index) - 1:
            raise MLError(f"{len(index)} bars leave nothing out of sample after a warmup of {warm} bars")
        oos_start = index[warm]
    oos = data.slice(start=oos_start)
    if len(oos.index) < 2:
        raise MLError(f"no out-of-sample bars from {oos_start}")
    keep = index >= oos_start
    results = [runner(s.targets(data).loc[keep], oos) for s in (strategy, baseline)]
    model_m, base_m = (_pick(r.metrics) for r in results)
    bh_m = _pick(results[0].benchmark)
    if metric not in model_m:
        raise MLError(f"unknown metric {metric!r} (have: {', '.join(sorted(model_m))})")
    label = name or type(strategy).__name__
    beats, beats_bh, text = verdict(
        label, metric, model_m[metric], base_m.get(metric, float("nan")), bh_m.get(metric, float("nan"))
    )
    return HonestyReport(
        strategy=label, baseline=type(baseline).__name__, oos_start=str(oos.index[0]), oos_end=str(oos.index[-1]),
        bars=len(oos.index), metric=metric, model_metrics=model_m, baseline_metrics=base_m,
        buy_and_hold_metrics=bh_m, beats_baseline=beats, beats_buy_and_hold=beats_bh, verdict=text,
    )  # fmt: skip
