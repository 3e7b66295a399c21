"""Milestones, the equity tracker and realised volatility (on real Bybit candles)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.config import Milestone, RiskConfig
from openalpha.domain import RiskAction
from openalpha.risk import EquityTracker, ManualClock, RiskGovernor, RiskRequest, RiskState, milestone_scale
from openalpha.risk import realised_volatility as rvol

BTC_4H = "Dkotl_trade_bot/bybit/futures/BTC_USDT_USDT-4h-futures.feather"
FOUR_HOURS = 4 * 3_600_000
DAY = 86_400_000


def test_risk_milestone_scale_follows_the_highest_reached() -> None:
    milestones = RiskConfig().milestones
    assert [milestone_scale(e, milestones) for e in (5_000, 10_000, 24_999, 25_000, 70_000, 1e6)] == [
        1.0, 1.0, 1.0, 0.8, 0.6, 0.5,
    ]  # fmt: skip
    unordered = (Milestone(equity=50_000, risk_scale=0.5), Milestone(equity=20_000, risk_scale=0.9))
    assert milestone_scale(30_000, unordered) == 0.9
    assert milestone_scale(30_000, ()) == 1.0


def test_risk_equity_tracker_peak_and_utc_day_start() -> None:
    tracker = EquityTracker()
    assert tracker.peak() is None and tracker.day_start(0) is None
    day1 = 20_000 * DAY
    for ts, equity in [(day1 + 1, 10_000.0), (day1 + 2, 10_500.0), (day1 + 3, 9_800.0)]:
        tracker.observe(ts, equity)
    assert tracker.peak() == 10_500.0 and tracker.day_start(day1 + 5) == 10_000.0
    assert tracker.day_start(day1 + DAY) is None  # a new day without an observation yet: unknown
    tracker.observe(day1 + DAY + 7, 9_700.0)
    assert tracker.day_start(day1 + DAY + 8) == 9_700.0 and tracker.peak() == 10_500.0
    with pytest.raises(ValueError, match="time order"):
        tracker.observe(day1, 1.0)
    with pytest.raises(ValueError, match="finite"):
        tracker.observe(day1 + 2 * DAY, math.nan)


def test_risk_realised_volatility_rejects_bad_input() -> None:
    assert rvol([100.0, 101.0], FOUR_HOURS) is None
    assert rvol([100.0, 0.0, 101.0], FOUR_HOURS) is None
    assert rvol([100.0, math.nan, 101.0, 102.0], FOUR_HOURS) is None


def test_risk_volatility_caps_leverage_on_real_bybit_btc(shared_data: Path) -> None:
    closes = pd.read_feather(shared_data / BTC_4H)["close"].to_numpy(dtype=np.float64)
    vols = [rvol(closes[i - 180 : i], FOUR_HOURS) for i in range(180, len(closes), 60)]  # 30-day windows
    assert all(v is not None for v in vols)
    known = np.array(vols, dtype=np.float64)
    assert 0.15 < known.min() < known.max() < 1.5  # BTC's annualised volatility, 2025-26
    log_returns = np.diff(np.log(closes[-181:]))
    assert math.isclose(rvol(closes[-181:], FOUR_HOURS) or 0, log_returns.std(ddof=1) * math.sqrt(6 * 365))

    config = RiskConfig(target_volatility=0.3, max_order_notional=1e9, max_strategy_capital=1.0)
    gov = RiskGovernor(config, ManualClock(0))
    state = RiskState(equity=1e6, peak_equity=1e6, day_start_equity=1e6, strategy_equity=1e5,
                      strategy_peak_equity=1e5, strategy_other_notional=0.0)  # fmt: skip
    for vol in known:
        request = RiskRequest(strategy="s", symbol="BTCUSDT", ts=0, target=4.0, current=0.0,
                              stop_distance=0.01, volatility=float(vol), leverage=5.0)  # fmt: skip
        decision = gov.evaluate(request, state)
        assert decision.action is RiskAction.RESIZE and decision.rule == "volatility_leverage"
        assert math.isclose(decision.approved, 0.3 / vol)
