"""``run_backtest(strategy, data, config) -> BacktestResult``: pure and deterministic."""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import pandas as pd

from openalpha.backtest.config import BacktestConfig
from openalpha.backtest.kernel import positions_from_fills, run_kernel
from openalpha.backtest.kernel_steps import A_BANKRUPT, A_CAPPED, A_REPOSTS, A_SKIPPED, FILL_COLS, FUND_COLS
from openalpha.backtest.prepare import Arrays, BacktestError, kernel_config, order_events, prepare
from openalpha.backtest.records import fills_frame, funding_frame, liquidations_frame, trades_frame
from openalpha.backtest.result import BacktestResult
from openalpha.domain.market_data import MarketData
from openalpha.metrics import equity_metrics, trade_metrics
from openalpha.metrics.curve_pass import rows_nonzero_fraction
from openalpha.metrics.returns import periods_per_year
from openalpha.strategies.base import Strategy


def simulate(
    arr: Arrays, config: BacktestConfig, offset_bps: float = 0.0, *, skip_quiet: bool = True
) -> tuple[np.ndarray, ...]:
    """Run the compiled loop on prepared arrays (the part the benchmark times as "engine"):
    ``(equity, fills, funding, account)``; positions come from the fills
    (:func:`~openalpha.backtest.kernel.positions_from_fills`).

    ``skip_quiet=False`` runs the full step on every bar (same results, slower; for tests)."""
    change_bar, fill_cap = order_events(arr, config)
    return run_kernel(  # type: ignore[no-any-return]
        arr.o,
        arr.h,
        arr.lo,
        arr.c,
        arr.v,
        arr.mo,
        arr.mh,
        arr.ml,
        arr.target,
        change_bar,
        arr.fund_bar,
        arr.fund_inst,
        arr.fund_rate,
        arr.spec,
        arr.tiers,
        kernel_config(config, offset_bps),
        float(config.capital),
        np.empty(len(arr.index)),
        np.empty((fill_cap, FILL_COLS)),
        np.empty((len(arr.fund_bar) + 1, FUND_COLS)),
        skip_quiet,
    )


def _first_valid(col: np.ndarray) -> int:
    """Position of the first non-NaN value (−1 if none); usually the first, so no full scan."""
    if len(col) and not np.isnan(col[0]):
        return 0
    first = np.flatnonzero(~np.isnan(col))
    return int(first[0]) if len(first) else -1


def buy_and_hold(arr: Arrays, config: BacktestConfig) -> np.ndarray:
    """Equal-weight buy-and-hold of every instrument: bought at the first open with the taker
    fee, held to the end, no leverage, no funding, no rebalancing."""
    n, m = arr.c.shape
    gaps = bool(np.isnan(arr.c).any())
    close = pd.DataFrame(arr.c).ffill().to_numpy() if gaps else arr.c
    equity = np.zeros(n)
    for j in range(m):
        k0 = _first_valid(arr.o[:, j])
        if k0 < 0:
            equity += config.capital / m
            continue
        qty = config.capital / m * (1.0 - arr.spec[j, 4]) / arr.o[k0, j]
        held = qty * (np.nan_to_num(close[:, j]) if gaps else close[:, j])
        equity += np.where(np.arange(n) < k0, config.capital / m, held) if k0 > 0 else held
    return equity


def compute_metrics(
    equity: np.ndarray,
    arr: Arrays,
    config: BacktestConfig,
    interval: str,
    fills: pd.DataFrame,
    trades: pd.DataFrame,
    funding: pd.DataFrame,
    positions: np.ndarray,
    acct: np.ndarray,
) -> dict[str, Any]:
    """Return/risk statistics plus trading, cost and exposure statistics."""
    out: dict[str, Any] = equity_metrics(equity, config.capital, interval)
    closed = trades[~trades["open"].astype(bool)] if len(trades) else trades
    out.update(trade_metrics(closed["pnl"].to_numpy(dtype=np.float64) if len(closed) else np.zeros(0)))
    out["open_trades"] = float(len(trades) - len(closed))
    traded = float(fills["notional"].sum()) if len(fills) else 0.0
    mean_equity = float(np.mean(equity)) if len(equity) else config.capital
    years = len(equity) / periods_per_year(interval)
    paid = funding["payment"].to_numpy(dtype=np.float64) if len(funding) else np.zeros(0)
    out.update(
        {
            "exposure": float(rows_nonzero_fraction(positions)),
            "turnover": traded / mean_equity if mean_equity > 0 else 0.0,
            "turnover_per_year": traded / mean_equity / years if mean_equity > 0 and years > 0 else 0.0,
            "traded_notional": traded,
            "fees_paid": float(fills["fee"].sum()) if len(fills) else 0.0,
            "funding_paid": float(paid[paid > 0].sum()),
            "funding_received": float(-paid[paid < 0].sum()),
            "funding_net": float(paid.sum()),
            "funding_settlements": float(len(paid)),
            "liquidations": float((fills["kind"] == "liquidation").sum()) if len(fills) else 0.0,
            "margin_lost": 0.0 - float(fills.loc[fills["kind"] == "liquidation", "realized_pnl"].sum())
            if len(fills)
            else 0.0,
            "orders": float(len(fills)),
            "orders_skipped_min_size": float(acct[A_SKIPPED]),
            "orders_capped_by_margin": float(acct[A_CAPPED]),
            "maker_reposts": float(acct[A_REPOSTS]),
            "spot_shorts_clipped": float(arr.spot_shorts_clipped),
            "bankrupt": bool(acct[A_BANKRUPT]),
        }
    )
    return out


def run_targets(
    targets: pd.DataFrame,
    data: MarketData,
    config: BacktestConfig | None = None,
    *,
    offset_bps: float = 0.0,
    strategy_name: str = "targets",
    params: dict[str, Any] | None = None,
) -> BacktestResult:
    """Backtest precomputed ``targets`` (same index as the bars, one column per instrument)."""
    config = config or BacktestConfig()
    arr = prepare(data, targets, config)
    equity, fills_raw, funds_raw, acct = simulate(arr, config, offset_bps)
    positions = positions_from_fills(fills_raw, len(arr.index), len(arr.symbols))
    fills = fills_frame(fills_raw, arr.index, arr.symbols)
    funding = funding_frame(funds_raw, arr.index, arr.symbols)
    trades = trades_frame(fills_raw, funds_raw, arr.index, arr.symbols)
    bench = buy_and_hold(arr, config)
    metrics = compute_metrics(equity, arr, config, data.interval, fills, trades, funding, positions, acct)
    return BacktestResult(
        strategy=strategy_name,
        params=params or {},
        symbols=arr.symbols,
        interval=data.interval,
        config=config,
        equity=pd.Series(equity, index=arr.index, name="equity", copy=False),
        positions=pd.DataFrame(positions, index=arr.index, columns=arr.symbols, copy=False),
        targets=pd.DataFrame(arr.target, index=arr.index, columns=arr.symbols, copy=False),
        fills=fills,
        trades=trades,
        funding=funding,
        liquidations=liquidations_frame(fills_raw, arr.index, arr.symbols),
        metrics=metrics,
        benchmark=equity_metrics(bench, config.capital, data.interval),
        benchmark_equity=pd.Series(bench, index=arr.index, name="buy_and_hold", copy=False),
        prices=pd.DataFrame(arr.c, index=arr.index, columns=arr.symbols, copy=False),
    )


def run_backtest(
    strategy: Strategy, data: MarketData, config: BacktestConfig | None = None
) -> BacktestResult:
    """Compute the strategy's targets once over the whole history and simulate them."""
    targets = strategy.targets(data)
    if not isinstance(targets, pd.DataFrame):
        raise BacktestError(
            f"{strategy.label()}.targets() must return a DataFrame, got {type(targets).__name__}"
        )
    style = strategy.execution()
    return run_targets(
        targets,
        data,
        config,
        offset_bps=style.offset_bps if style.kind == "limit" else 0.0,
        strategy_name=strategy.label(),
        params=msgspec.structs.asdict(strategy.params),
    )


__all__ = ["buy_and_hold", "compute_metrics", "run_backtest", "run_targets", "simulate"]
