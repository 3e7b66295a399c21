"""From a walk-forward result to the numbers a trader asks for (pure).

* **Stitched out-of-sample equity**: each fold's test-window equity, chained end to start, so
  the curve is what trading the walk-forward choices would have produced.
* **PBO** (CSCV) per fold over the daily returns of the trials that ran to the end of the
  training window; the headline is their mean.
* **DSR** of the stitched out-of-sample daily returns, deflated by the total number of trials
  and the variance of their (daily) Sharpe ratios; per fold also the DSR of the in-sample best.
* **Monte Carlo**: block bootstrap of the out-of-sample daily returns; shuffles of the
  out-of-sample trades.
* **Parameter stability** across folds and the **verdict**.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pandas as pd

from openalpha.metrics import equity_metrics, json_safe
from openalpha.research.dsr import deflated_sharpe, sharpe_stats
from openalpha.research.montecarlo import MonteCarloResult, block_bootstrap, trade_shuffle
from openalpha.research.pbo import probability_of_backtest_overfitting
from openalpha.research.stability import ParamStability, param_stability
from openalpha.research.verdict import Verdict, judge
from openalpha.research.walkforward import FoldResult, WalkForwardResult


def stitch_equity(folds: list[FoldResult], capital: float) -> pd.Series:
    """The out-of-sample equity curves of the folds chained into one, starting at ``capital``."""
    pieces: list[pd.Series] = []
    level = capital
    for fold in folds:
        equity = fold.oos.equity
        if equity.empty:
            continue
        scaled = equity * (level / capital)
        pieces.append(scaled)
        level = float(scaled.iloc[-1])
    if not pieces:
        return pd.Series(dtype=float, name="equity")
    out = pd.concat(pieces)
    return out[~out.index.duplicated(keep="last")].rename("equity")


def _fold_pbo(fold: FoldResult, blocks: int) -> float | None:
    series = [t.daily_returns for t in fold.trials if t.valid and t.complete and t.daily_returns]
    if len(series) < 2:
        return None
    length = min(len(s) for s in series)
    if length < 2 * blocks:
        return None
    matrix = np.column_stack([np.asarray(s[:length], dtype=float) for s in series])
    return probability_of_backtest_overfitting(matrix, n_blocks=blocks).pbo


def _trial_sharpes(folds: list[FoldResult]) -> list[float]:
    out: list[float] = []
    for fold in folds:
        for trial in fold.trials:
            if trial.valid and trial.complete and len(trial.daily_returns) >= 3:
                out.append(sharpe_stats(trial.daily_returns).sharpe)
    return out


def _best_is_dsr(fold: FoldResult) -> float | None:
    sharpes = [
        sharpe_stats(t.daily_returns).sharpe for t in fold.trials if t.complete and len(t.daily_returns) >= 3
    ]
    if len(fold.best.daily_returns) < 3 or len(sharpes) < 2:
        return None
    stats = sharpe_stats(fold.best.daily_returns)
    return deflated_sharpe(stats, len(fold.trials), float(np.var(sharpes, ddof=1))).dsr


def _nanmean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


class SweepSummary(msgspec.Struct, kw_only=True):
    """Everything a sweep run reports (JSON-ready except ``oos_equity``)."""

    folds: list[dict[str, Any]]
    oos_metrics: dict[str, Any]
    pbo: float | None
    dsr: dict[str, Any] | None
    montecarlo: list[MonteCarloResult]
    stability: list[ParamStability]
    verdict: Verdict
    n_trials: int
    oos_equity: pd.Series | None = None


def _dsr_headline(oos_daily: np.ndarray, folds: list[FoldResult], n_trials: int) -> dict[str, Any] | None:
    sharpes = _trial_sharpes(folds)
    if oos_daily.size < 3 or len(sharpes) < 2:
        return None
    result = deflated_sharpe(sharpe_stats(oos_daily), max(n_trials, 1), float(np.var(sharpes, ddof=1)))
    return msgspec.structs.asdict(result)


def _fold_rows(folds: list[FoldResult], blocks: int) -> tuple[list[dict[str, Any]], list[float | None]]:
    rows: list[dict[str, Any]] = []
    pbos: list[float | None] = []
    for f in folds:
        pbo = _fold_pbo(f, blocks)
        pbos.append(pbo)
        rows.append(
            {
                "fold": f.fold.number,
                **{k: v.isoformat() for k, v in f.times.items()},
                "best_params": f.best.params,
                "is_score": f.best.score,
                "is_dsr": _best_is_dsr(f),
                "pbo": pbo,
                "trials": len(f.trials),
                "trials_complete": sum(t.complete for t in f.trials),
                "trials_invalid": sum(not t.valid for t in f.trials),
                "oos": {
                    k: f.oos.metrics.get(k)
                    for k in (
                        "total_return",
                        "sharpe",
                        "max_drawdown",
                        "n_trades",
                        "win_rate",
                        "fees_paid",
                        "funding_net",
                    )
                },
            }
        )
    return rows, pbos


def summarise(wf: WalkForwardResult) -> SweepSummary:
    cfg = wf.config
    capital = cfg.backtest.capital
    equity = stitch_equity(wf.folds, capital)
    oos_metrics = json_safe(equity_metrics(equity.to_numpy(), capital, wf.interval)) if len(equity) else {}
    oos_metrics["n_trades"] = int(sum(f.oos.metrics.get("n_trades", 0) for f in wf.folds))
    daily = pd.concat([f.oos.daily_returns for f in wf.folds]) if wf.folds else pd.Series(dtype=float)
    daily_arr = daily.to_numpy(dtype=float)
    trade_returns = np.concatenate([f.oos.trade_returns for f in wf.folds]) if wf.folds else np.empty(0)
    n_trials = sum(len(f.trials) for f in wf.folds)
    rows, pbos = _fold_rows(wf.folds, cfg.overfitting.pbo_blocks)
    mc_cfg = cfg.montecarlo
    montecarlo: list[MonteCarloResult] = []
    if daily_arr.size >= 2:
        montecarlo.append(block_bootstrap(daily_arr, mc_cfg.n_sims, mc_cfg.block_days, mc_cfg.seed))
    if trade_returns.size >= 2:
        montecarlo.append(trade_shuffle(trade_returns, mc_cfg.n_sims, mc_cfg.seed))
    bounds = {d.name: (d.low, d.high) for d in wf.dims}
    stability = param_stability([f.best.params for f in wf.folds], bounds) if len(wf.folds) >= 2 else []
    pbo = _nanmean(pbos)
    dsr = _dsr_headline(daily_arr, wf.folds, n_trials)
    boot = montecarlo[0] if montecarlo and montecarlo[0].method == "block_bootstrap" else None
    verdict = judge(
        cfg.verdict,
        pbo=pbo,
        dsr=dsr["dsr"] if dsr else None,
        oos_sharpe=oos_metrics.get("sharpe"),
        oos_trades=oos_metrics["n_trades"],
        profitable_folds=float(np.mean([f.oos.metrics["total_return"] > 0 for f in wf.folds]))
        if wf.folds
        else None,
        mc_return_p5=boot.total_return.percentiles["p5"] if boot else None,
        mc_drawdown_p95=boot.max_drawdown.percentiles["p95"] if boot else None,
        param_dispersion=max((s.dispersion for s in stability), default=None),
    )
    return SweepSummary(
        folds=rows,
        oos_metrics=oos_metrics,
        pbo=pbo,
        dsr=dsr,
        montecarlo=montecarlo,
        stability=stability,
        verdict=verdict,
        n_trials=n_trials,
        oos_equity=equity,
    )


__all__ = ["SweepSummary", "stitch_equity", "summarise"]
