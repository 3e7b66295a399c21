"""Execution on real Bybit bars: next-open fills, fees by tier (taker vs maker), slippage model,
step rounding and minimum-size skips, stop-loss/take-profit pessimism, spot rules, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.backtest import BacktestConfig, BacktestError, run_backtest, run_targets
from openalpha.domain.market_data import MarketData
from openalpha.strategies import SmaCross
from tests.unit.backtest.realdata import carry_5m, perp_1h

NO_COSTS = {"slippage_bps": 0.0, "impact": 0.0, "funding": False, "liquidation": False}


@pytest.fixture(scope="module")
def hourly(shared_data: Path) -> MarketData:
    return perp_1h(shared_data, start="2024-01-01", end="2024-03-01")


def _targets(data: MarketData, spans: dict[str, list[tuple[int, int, float]]]) -> pd.DataFrame:
    """Targets that hold ``value`` from bar ``a`` (decided at its close) to bar ``b`` (exclusive)."""
    out = pd.DataFrame(0.0, index=data.index, columns=data.symbols)
    for sym, rows in spans.items():
        for a, b, value in rows:
            out.iloc[a:b, out.columns.get_loc(sym)] = value
    return out


def test_target_acts_at_next_open_with_taker_fee(hourly: MarketData) -> None:
    bars = hourly.bars["BTCUSDT"]
    res = run_targets(_targets(hourly, {"BTCUSDT": [(10, 20, 0.5)]}), hourly, BacktestConfig(**NO_COSTS))
    buy, sell = res.fills.iloc[0], res.fills.iloc[1]
    assert buy["time"] == bars.index[11] and buy["price"] == bars["open"].iloc[11]
    assert sell["time"] == bars.index[21] and sell["price"] == bars["open"].iloc[21]
    expected_qty = np.floor(0.5 * 10_000 / bars["open"].iloc[11] / 0.001 + 1e-9) * 0.001
    assert buy["qty"] == pytest.approx(expected_qty)
    assert buy["fee"] == pytest.approx(buy["qty"] * buy["price"] * 0.00055)  # VIP0 linear taker
    trade = res.trades.iloc[0]
    gross = expected_qty * (sell["price"] - buy["price"])
    assert trade["pnl"] == pytest.approx(gross - buy["fee"] - sell["fee"])
    assert res.equity.iloc[-1] == pytest.approx(10_000 + trade["pnl"])
    assert (res.positions["BTCUSDT"].iloc[11:21] == expected_qty).all() and res.positions["BTCUSDT"].iloc[
        21
    ] == 0


@pytest.mark.parametrize(("tier", "taker"), [("VIP0", 0.00055), ("VIP3", 0.00035), ("SUPREME", 0.0003)])
def test_taker_fee_follows_the_venue_tier(hourly: MarketData, tier: str, taker: float) -> None:
    res = run_targets(
        _targets(hourly, {"BTCUSDT": [(10, 20, 1.0)]}), hourly, BacktestConfig(fee_tier=tier, **NO_COSTS)
    )
    np.testing.assert_allclose(res.fills["fee"], res.fills["notional"] * taker, rtol=1e-12)
    assert res.metrics["fees_paid"] == pytest.approx(res.fills["fee"].sum())


def test_maker_limit_fills_only_when_traded_through_and_pays_maker(hourly: MarketData) -> None:
    bars = hourly.bars["BTCUSDT"]
    offset_bps = 20.0
    res = run_targets(
        _targets(hourly, {"BTCUSDT": [(10, 200, 1.0)]}),
        hourly,
        BacktestConfig(**NO_COSTS),
        offset_bps=offset_bps,
    )
    buy = res.fills.iloc[0]
    k = int(buy["bar"])
    limit = bars["open"].iloc[k] * (1 - offset_bps / 1e4)
    assert buy["kind"] == "limit" and buy["price"] == pytest.approx(limit)
    assert bars["low"].iloc[k] < limit
    # every earlier bar since the order was placed failed to trade through its own limit
    for i in range(11, k):
        assert bars["low"].iloc[i] >= bars["open"].iloc[i] * (1 - offset_bps / 1e4)
    assert res.metrics["maker_reposts"] == k - 11
    assert buy["fee"] == pytest.approx(buy["notional"] * 0.0002)  # VIP0 linear maker


def test_slippage_model_fixed_bps_plus_range_share(hourly: MarketData) -> None:
    bars = hourly.bars["BTCUSDT"]
    cfg = BacktestConfig(slippage_bps=2.0, impact=0.5, funding=False, liquidation=False)
    res = run_targets(_targets(hourly, {"BTCUSDT": [(10, 20, 1.0)]}), hourly, cfg)
    buy, sell = res.fills.iloc[0], res.fills.iloc[1]
    for fill, k, side in ((buy, 11, 1), (sell, 21, -1)):
        o, h, lo, v = (bars[c].iloc[k] for c in ("open", "high", "low", "volume"))
        expect = o * (1 + side * 2e-4) + side * 0.5 * (h - lo) * min(1.0, fill["qty"] / v)
        expect = min(expect, h) if side > 0 else max(expect, lo)
        assert fill["price"] == pytest.approx(expect, rel=1e-12)
        assert fill["reference_price"] == o


def test_orders_below_minimum_are_skipped_and_counted(hourly: MarketData) -> None:
    # $30 at 1 % exposure is $0.30 of BTC: below the 0.001 BTC minimum and the $5 notional.
    res = run_targets(
        _targets(hourly, {"BTCUSDT": [(10, 20, 0.01), (30, 40, 0.01)]}),
        hourly,
        BacktestConfig(capital=30.0, **NO_COSTS),
    )
    assert len(res.fills) == 0
    assert res.metrics["orders_skipped_min_size"] == 2
    assert (res.equity == 30.0).all()


def test_quantities_are_rounded_down_to_the_step(hourly: MarketData) -> None:
    res = run_targets(_targets(hourly, {"BTCUSDT": [(10, 20, 0.37)]}), hourly, BacktestConfig(**NO_COSTS))
    qty = res.fills["qty"].iloc[0]
    assert abs(qty / 0.001 - round(qty / 0.001)) < 1e-9
    assert qty * res.fills["price"].iloc[0] <= 0.37 * 10_000


def test_stop_loss_wins_when_both_levels_touch_in_one_bar(hourly: MarketData) -> None:
    bars = hourly.bars["BTCUSDT"]
    up = bars["high"] / bars["open"] - 1
    down = 1 - bars["low"] / bars["open"]
    both = np.flatnonzero(((up > 0.004) & (down > 0.004)).to_numpy()[20:]) + 20
    k = int(both[0])  # a real bar that traded 0.4 % both ways from its open
    cfg = BacktestConfig(stop_loss=0.003, take_profit=0.003, **NO_COSTS)
    res = run_targets(_targets(hourly, {"BTCUSDT": [(k - 1, k + 5, 1.0)]}), hourly, cfg)
    exit_fill = res.fills.iloc[1]
    assert exit_fill["kind"] == "stop_loss" and int(exit_fill["bar"]) == k
    assert exit_fill["price"] == pytest.approx(res.fills["price"].iloc[0] * (1 - 0.003))
    # after the stop the strategy is not re-entered until its target changes
    assert len(res.fills) == 2 and res.positions["BTCUSDT"].iloc[k:].eq(0).all()


def test_take_profit_exit(hourly: MarketData) -> None:
    res = run_targets(
        _targets(hourly, {"BTCUSDT": [(10, 400, 1.0)]}), hourly, BacktestConfig(take_profit=0.01, **NO_COSTS)
    )
    tp = res.fills.iloc[1]
    assert tp["kind"] == "take_profit"
    assert tp["price"] >= res.fills["price"].iloc[0] * 1.01 - 1e-9
    assert tp["fee"] == pytest.approx(tp["notional"] * 0.00055)


def test_spot_cannot_be_shorted_and_pays_no_funding(shared_data: Path) -> None:
    data = carry_5m(shared_data, end="2025-05-01")
    targets = _targets(data, {"BTCUSDT@spot": [(10, 2000, -0.5), (3000, 5000, 0.5)]})
    res = run_targets(targets, data, BacktestConfig())
    assert res.metrics["spot_shorts_clipped"] == 1990
    assert (res.positions["BTCUSDT@spot"] >= 0).all()
    assert set(res.fills["symbol"]) == {"BTCUSDT@spot"} and res.fills["bar"].iloc[0] == 3001
    assert len(res.funding) == 0  # held across many 8 h settlements, but spot pays none
    assert res.fills["fee"].iloc[0] == pytest.approx(res.fills["notional"].iloc[0] * 0.001)  # spot VIP0 taker


def test_carry_holds_both_legs(shared_data: Path) -> None:
    data = carry_5m(shared_data, end="2025-05-01")
    targets = _targets(data, {"BTCUSDT@spot": [(10, 3000, 0.45)], "BTCUSDT": [(10, 3000, -0.45)]})
    res = run_targets(targets, data, BacktestConfig())
    pos = res.positions.iloc[500]
    assert pos["BTCUSDT"] < 0 < pos["BTCUSDT@spot"]
    assert abs(pos["BTCUSDT"] + pos["BTCUSDT@spot"]) <= 0.001 + 1e-12  # neutral up to the perp's step
    assert (res.funding["symbol"] == "BTCUSDT").all() and len(res.funding) >= 9


def test_equity_identity_and_determinism(hourly: MarketData) -> None:
    cfg = BacktestConfig(leverage=3)
    a = run_backtest(SmaCross(fast=10, slow=40, allow_short=True), hourly, cfg)
    b = run_backtest(SmaCross(fast=10, slow=40, allow_short=True), hourly, cfg)
    assert a.equity.equals(b.equity) and a.fills.equals(b.fills)
    pos = a.positions["BTCUSDT"].iloc[-1]
    last_entry_value = 0.0
    if pos != 0:  # value the open position like the engine: unrealised P&L at the last close
        open_fills = a.fills[a.fills["trade_id"] == a.fills["trade_id"].iloc[-1]]
        entry = (open_fills["notional"]).sum() / open_fills["qty"].sum()
        last_entry_value = pos * (hourly.bars["BTCUSDT"]["close"].iloc[-1] - entry)
    expected = 10_000 + a.fills["realized_pnl"].sum() - a.fills["fee"].sum() - a.funding["payment"].sum()
    assert a.equity.iloc[-1] == pytest.approx(expected + last_entry_value, rel=1e-9)


def test_bad_inputs_raise_one_line_errors(hourly: MarketData) -> None:
    t = _targets(hourly, {"BTCUSDT": [(1, 5, 1.0)]})
    with pytest.raises(BacktestError, match="not in the data"):
        run_targets(t.assign(ETHUSDT=0.0), hourly)
    with pytest.raises(BacktestError, match="exceeds BTCUSDT's maximum 100"):
        run_targets(t, hourly, BacktestConfig(leverage=150))
    with pytest.raises(ValueError, match="unknown fee tier"):
        BacktestConfig(fee_tier="VIP9")
    with pytest.raises(BacktestError, match="indexed like the bars"):
        run_targets(t.iloc[1:], hourly)


def test_missing_bar_does_not_trade(hourly: MarketData) -> None:
    bars = hourly.bars["BTCUSDT"].copy()
    bars.iloc[11, :] = np.nan  # the fill bar is missing: the order waits for the next bar
    data = MarketData(interval="60", bars={"BTCUSDT": bars}, instruments=hourly.instruments)
    res = run_targets(_targets(data, {"BTCUSDT": [(10, 20, 0.5)]}), data, BacktestConfig(**NO_COSTS))
    assert int(res.fills["bar"].iloc[0]) == 12 and res.fills["price"].iloc[0] == bars["open"].iloc[12]
