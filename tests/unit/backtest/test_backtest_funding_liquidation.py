"""Funding (sign, timing, mark price) and liquidation (venue's worked example, real data at high
leverage, triggered by the mark price) in the backtest engine."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.backtest import BacktestConfig, run_targets
from openalpha.domain.enums import Side
from openalpha.domain.market_data import MarketData
from openalpha.venue import liquidation_price, risk_tiers_for
from tests.unit.backtest.realdata import perp_1h, perp_5m


@pytest.fixture(scope="module")
def hourly(shared_data: Path) -> MarketData:
    return perp_1h(shared_data, start="2024-01-01", end="2024-04-01")


def _hold(data: MarketData, a: int, b: int, value: float) -> pd.DataFrame:
    out = pd.DataFrame(0.0, index=data.index, columns=data.symbols)
    out.iloc[a:b, 0] = value
    return out


@pytest.mark.parametrize("side", [1.0, -1.0])
def test_funding_sign_timing_and_mark_price(hourly: MarketData, side: float) -> None:
    res = run_targets(_hold(hourly, 5, 200, side), hourly, BacktestConfig(slippage_bps=0, impact=0))
    fund = res.funding
    funding = hourly.funding["BTCUSDT"]
    mark = hourly.mark["BTCUSDT"]
    held_from, held_to = hourly.index[6], hourly.index[200]  # filled at open of bar 6, closed at open of 200
    expected_times = funding.index[(funding.index > held_from) & (funding.index <= held_to)]
    assert list(fund["time"]) == list(expected_times)  # every settlement while held, none other
    assert len(fund) >= 20
    qty = res.positions["BTCUSDT"].iloc[6]
    for _, row in fund.iterrows():
        assert row["rate"] == funding.loc[row["time"]]
        assert row["mark_price"] == mark.loc[row["time"], "open"]  # the mark price at the settlement
        assert row["payment"] == pytest.approx(qty * row["mark_price"] * row["rate"])
    # positive rates: a long pays, a short receives
    pos_rate = fund[fund["rate"] > 0]
    assert len(pos_rate) > 0 and (np.sign(pos_rate["payment"]) == side).all()
    assert res.metrics["funding_net"] == pytest.approx(fund["payment"].sum())
    assert res.trades["funding"].iloc[0] == pytest.approx(fund["payment"].sum())


def test_funding_switch_and_trade_price_fallback(shared_data: Path) -> None:
    data = perp_5m(shared_data, end="2025-10-15")  # no mark bars: funding uses the trade open
    held = _hold(data, 5, 2000, 1.0)
    on = run_targets(held, data, BacktestConfig())
    off = run_targets(held, data, BacktestConfig(funding=False))
    assert len(on.funding) > 10 and len(off.funding) == 0
    opens = data.bars["BTCUSDT"]["open"]
    assert (on.funding["mark_price"].to_numpy() == opens.loc[on.funding["time"]].to_numpy()).all()
    assert off.equity.iloc[-1] - on.equity.iloc[-1] == pytest.approx(on.funding["payment"].sum())


def _toy_bars(mark_low: float) -> MarketData:
    """Bybit's worked example as bars: BTC at 20,000, then a bar whose mark low is ``mark_low``."""
    idx = pd.date_range("2024-01-01", periods=4, freq="h", tz="UTC")
    bars = pd.DataFrame(
        {"open": 20_000.0, "high": 20_050.0, "low": 19_950.0, "close": 20_000.0, "volume": 1e6}, index=idx
    )
    mark = bars[["open", "high", "low", "close"]].copy()
    mark.iloc[2, mark.columns.get_loc("low")] = mark_low
    return MarketData(interval="60", bars={"BTCUSDT": bars}, mark={"BTCUSDT": mark})


@pytest.mark.parametrize(("mark_low", "liquidated"), [(19_700.0, True), (19_700.5, False)])
def test_liquidation_at_bybit_worked_example(mark_low: float, liquidated: bool) -> None:
    """1 BTC long at 20,000, 50x, MMR 0.5 % → IM 400, liquidation price 19,700."""
    data = _toy_bars(mark_low)
    targets = pd.DataFrame({"BTCUSDT": [1.0, 1.0, 1.0, 1.0]}, index=data.index)
    cfg = BacktestConfig(capital=20_000.0, leverage=50, fee_rate=0.0, slippage_bps=0, impact=0, funding=False)
    res = run_targets(targets, data, cfg)
    assert res.fills["qty"].iloc[0] == 1.0
    if liquidated:
        liq = res.liquidations.iloc[0]
        assert liq["liquidation_price"] == pytest.approx(19_700.0)
        assert liq["margin_lost"] == pytest.approx(400.0)
        assert res.equity.iloc[2] == pytest.approx(20_000.0 - 400.0)
        assert res.metrics["liquidations"] == 1 and res.positions["BTCUSDT"].iloc[2] == 0
    else:
        assert len(res.liquidations) == 0 and res.positions["BTCUSDT"].iloc[3] == 1.0


def test_liquidation_on_real_data_at_high_leverage(hourly: MarketData) -> None:
    cfg = BacktestConfig(leverage=50, slippage_bps=0, impact=0, funding=False)
    res = run_targets(_hold(hourly, 5, len(hourly.index), 40.0), hourly, cfg)
    assert len(res.liquidations) == 1  # 40x exposure on 50x margin dies on the first ~1.7 % dip
    liq = res.liquidations.iloc[0]
    entry = res.fills.iloc[0]
    expected = liquidation_price(
        Side.BUY,
        Decimal(str(entry["price"])),
        Decimal(str(entry["qty"])),
        Decimal(50),
        risk_tiers_for("BTCUSDT"),
    )
    assert liq["liquidation_price"] == pytest.approx(float(expected), rel=1e-12)
    assert liq["margin_lost"] == pytest.approx(entry["notional"] / 50)
    mark_low = hourly.mark["BTCUSDT"]["low"]
    k = int(np.flatnonzero(hourly.index == liq["time"])[0])
    assert mark_low.iloc[k] <= liq["liquidation_price"] < mark_low.iloc[6:k].min()
    # the equity drop at the liquidation bar is exactly the margin (the bar opened above the LP)
    before = res.equity.iloc[k - 1] - res.positions["BTCUSDT"].iloc[k - 1] * (
        hourly.bars["BTCUSDT"]["close"].iloc[k - 1] - entry["price"]
    )
    assert res.equity.iloc[k] == pytest.approx(before - entry["notional"] / 50)


def test_liquidation_uses_the_mark_price_not_the_trade_price(hourly: MarketData) -> None:
    """Same run with the mark lows raised above the liquidation price: no liquidation."""
    cfg = BacktestConfig(leverage=50, slippage_bps=0, impact=0, funding=False)
    targets = _hold(hourly, 5, len(hourly.index), 40.0)
    base = run_targets(targets, hourly, cfg)
    lp = base.liquidations["liquidation_price"].iloc[0]
    mark = hourly.mark["BTCUSDT"].copy()
    mark["low"] = np.maximum(mark["low"], lp + 1.0)
    calm = MarketData(interval="60", bars=hourly.bars, mark={"BTCUSDT": mark}, instruments=hourly.instruments)
    res = run_targets(targets, calm, cfg)
    assert hourly.bars["BTCUSDT"]["low"].min() < lp  # the trade price did cross it
    assert len(res.liquidations) == 0 or res.liquidations["time"].iloc[0] > base.liquidations["time"].iloc[0]


def test_liquidation_off_lets_losses_run(hourly: MarketData) -> None:
    cfg = BacktestConfig(leverage=50, slippage_bps=0, impact=0, funding=False, liquidation=False)
    res = run_targets(_hold(hourly, 5, 400, 40.0), hourly, cfg)
    assert len(res.liquidations) == 0
