"""What a backtest returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from openalpha.backtest.config import BacktestConfig


@dataclass(frozen=True)
class BacktestResult:
    """Everything measured, at bar resolution.

    * ``equity``: account equity at every bar close (Series on the bar index).
    * ``positions``: signed quantity per instrument at every bar close.
    * ``targets``: the strategy's targets as executed (spot shorts clipped to 0).
    * ``orders``/``fills``: every execution with its kind (market, limit, stop_loss,
      take_profit, liquidation, closeout), price, fee and realised P&L. A backtest fills
      every order it sends in full, so orders and fills are the same rows.
    * ``trades``: round trips net of fees and funding. ``funding``: each settlement.
      ``liquidations``: each forced close with the margin lost.
    * ``metrics``: every statistic (see :func:`openalpha.backtest.engine.compute_metrics`);
      ``benchmark``: the same return statistics for buy-and-hold; ``benchmark_equity`` its curve.
    """

    strategy: str
    params: dict[str, Any]
    symbols: list[str]
    interval: str
    config: BacktestConfig
    equity: pd.Series
    positions: pd.DataFrame
    targets: pd.DataFrame
    fills: pd.DataFrame
    trades: pd.DataFrame
    funding: pd.DataFrame
    liquidations: pd.DataFrame
    metrics: dict[str, Any]
    benchmark: dict[str, Any]
    benchmark_equity: pd.Series
    prices: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def orders(self) -> pd.DataFrame:
        return self.fills


__all__ = ["BacktestResult"]
