"""Agreement with a peer: backtesting.py 0.6.6 on the same real data and the same signals.

Matching settings (PEERS.md §5): one fee rate for every fill (0.055 %), no slippage, no
funding, no liquidation, fills at the next bar's open, all-in sizing, and satoshi-sized
quantities (``FractionalBacktest``; our instrument gets a 1e-8 qty step to match). Our
engine must reproduce the peer's closed-trade list and its final equity.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.backtest import BacktestConfig, run_targets
from openalpha.domain.enums import Category
from openalpha.domain.instrument import Instrument
from openalpha.domain.market_data import MarketData
from openalpha.strategies import SmaCross
from tests.unit.backtest.realdata import perp_5m

FEE = 0.00055
SATOSHI_INSTRUMENT = Instrument(
    symbol="BTCUSDT",
    category=Category.LINEAR,
    base_coin="BTC",
    quote_coin="USDT",
    tick_size=Decimal("0.1"),
    qty_step=Decimal("0.00000001"),
    min_qty=Decimal("0.00000001"),
    max_qty=Decimal(10**9),
    max_leverage=Decimal(100),
)


def _peer_run(bars: pd.DataFrame, signal: np.ndarray, capital: float) -> tuple[pd.DataFrame, float]:
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest

    class Replay(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            pass

        def next(self) -> None:
            i = len(self.data) - 1
            if signal[i] > 0 and not self.position:
                self.buy()
            elif signal[i] <= 0 and self.position:
                self.position.close()

    frame = bars.rename(columns=str.capitalize)
    frame.index = frame.index.tz_localize(None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = FractionalBacktest(frame, Replay, cash=capital, commission=FEE, fractional_unit=1e-8)
        stats = bt.run()
    return stats["_trades"], float(stats["Equity Final [$]"])


def test_backtest_agrees_with_backtesting_py_on_real_sma_cross(shared_data: Path) -> None:
    data = perp_5m(shared_data, "BTCUSDT", end="2026-01-01")
    data = MarketData(interval=data.interval, bars=data.bars, instruments={"BTCUSDT": SATOSHI_INSTRUMENT})
    strategy = SmaCross(fast=20, slow=100)
    targets = strategy.targets(data)
    config = BacktestConfig(
        capital=100_000.0,
        fee_rate=FEE,
        slippage_bps=0.0,
        impact=0.0,
        funding=False,
        liquidation=False,
    )
    ours = run_targets(targets, data, config)
    peer_trades, peer_final = _peer_run(data.bars["BTCUSDT"], targets["BTCUSDT"].to_numpy(), config.capital)

    closed = ours.trades[~ours.trades["open"]].reset_index(drop=True)
    assert len(peer_trades) > 100  # a real comparison, not a trivial one
    assert len(closed) == len(peer_trades)
    peer_entry = pd.DatetimeIndex(peer_trades["EntryTime"]).tz_localize("UTC")
    peer_exit = pd.DatetimeIndex(peer_trades["ExitTime"]).tz_localize("UTC")
    assert (pd.DatetimeIndex(closed["entry_time"]) == peer_entry).all()
    assert (pd.DatetimeIndex(closed["exit_time"]) == peer_exit).all()
    np.testing.assert_allclose(closed["entry_price"], peer_trades["EntryPrice"], rtol=1e-12)
    np.testing.assert_allclose(closed["exit_price"], peer_trades["ExitPrice"], rtol=1e-12)
    np.testing.assert_allclose(closed["qty"], peer_trades["Size"].abs(), rtol=0, atol=2e-8)
    np.testing.assert_allclose(closed["pnl"], peer_trades["PnL"], rtol=1e-6, atol=1e-3)
    assert ours.metrics["final_equity"] == pytest.approx(peer_final, rel=1e-9)
