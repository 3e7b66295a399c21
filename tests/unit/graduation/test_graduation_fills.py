"""A strategy's equity and closed-trade PnL rebuilt from its fills (worked by hand)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from openalpha.domain import Category, ExecType, Fill, Side
from openalpha.graduation.fills import closed_trade_pnl, equity_curve

STEP = 300_000  # 5-minute bars
T0 = 1_700_000_000_000 - 1_700_000_000_000 % STEP


def fill(n: int, side: Side, qty: str, price: str, fee: str, ts: int, symbol: str = "BTCUSDT") -> Fill:
    return Fill(
        exec_id=f"e{n}",
        symbol=symbol,
        category=Category.LINEAR,
        side=side,
        price=Decimal(price),
        qty=Decimal(qty),
        fee=Decimal(fee),
        ts=ts,
    )


def closes(values: list[float]) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime([T0 + i * STEP for i in range(len(values))], unit="ms", utc=True))
    return pd.DataFrame({"BTCUSDT": values}, index=index)


def test_equity_marks_positions_at_each_close_and_counts_fills_in_their_bar() -> None:
    fills = [
        fill(1, Side.BUY, "1", "100", "0.1", T0 + 10),  # inside bar 0
        fill(2, Side.SELL, "1", "110", "0.1", T0 + 2 * STEP + 5),  # inside bar 2
    ]
    eq = equity_curve(fills, closes([101.0, 105.0, 111.0, 90.0]), 1_000.0, STEP)
    # bar0: 1000 - 100 - 0.1 + 101; bar1: ... + 105; bar2: flat at 1000 + 10 - 0.2; bar3 unchanged
    assert eq.tolist() == pytest.approx([1000.9, 1004.9, 1009.8, 1009.8])
    assert eq.index.equals(closes([0, 0, 0, 0]).index)


def test_fills_before_the_window_set_the_starting_position() -> None:
    eq = equity_curve([fill(1, Side.SELL, "2", "100", "0", T0 - STEP)], closes([95.0, 99.0]), 500.0, STEP)
    assert eq.tolist() == pytest.approx([510.0, 502.0])


def test_an_unpriced_instrument_makes_equity_unknown() -> None:
    eq = equity_curve([fill(1, Side.BUY, "1", "10", "0", T0, symbol="ETHUSDT")], closes([1.0]), 100.0, STEP)
    assert np.isnan(eq.iloc[0])


def test_funding_executions_are_not_trades() -> None:
    funding = Fill(
        exec_id="f", symbol="BTCUSDT", category=Category.LINEAR, side=Side.SELL, price=Decimal("100"),
        qty=Decimal("1"), fee=Decimal("0.5"), ts=T0, exec_type=ExecType.FUNDING,
    )  # fmt: skip
    assert equity_curve([funding], closes([100.0]), 100.0, STEP).tolist() == [100.0]
    assert closed_trade_pnl([funding]).size == 0


def test_round_trips_net_of_fees_with_a_flip_split_proportionally() -> None:
    fills = [
        fill(1, Side.BUY, "2", "100", "0.2", T0),
        fill(2, Side.SELL, "1", "110", "0.1", T0 + 1),  # partial close
        fill(3, Side.SELL, "3", "120", "0.3", T0 + 2),  # closes 1, opens 2 short (fee 0.1 / 0.2)
        fill(4, Side.BUY, "2", "115", "0.2", T0 + 3),  # closes the short
        fill(5, Side.BUY, "1", "100", "0.1", T0 + 4),  # still open: not counted
    ]
    pnl = closed_trade_pnl(fills)
    # long: -200.2 + 109.9 + (120 - 0.1) = 29.6 ; short: 240 - 0.2 - 230 - 0.2 = 9.6
    assert pnl.tolist() == pytest.approx([29.6, 9.6])
    assert closed_trade_pnl(fills, since_ms=T0 + 3).tolist() == pytest.approx([9.6])
