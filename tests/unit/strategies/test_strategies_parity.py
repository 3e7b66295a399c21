"""Parity (ARCHITECTURE §3): full-history targets equal bar-by-bar targets on trailing
``warmup()+1`` windows. The built-ins use window-exact indicators, so the tolerance is 0.
A deliberately leaky strategy shows that the check catches look-ahead."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pandas as pd
import pytest

from openalpha.domain.market_data import MarketData
from openalpha.strategies import (
    FundingCarry,
    MeanReversion,
    MomentumBreakout,
    SmaCross,
    Strategy,
    check_parity,
)
from tests.unit.backtest.realdata import carry_5m, perp_1h


class PeeksAhead(Strategy):
    """Long when the NEXT close is higher: look-ahead."""

    name = ""

    class Params(msgspec.Struct, frozen=True):
        pass

    def warmup(self) -> int:
        return 5

    def targets(self, data: MarketData) -> pd.DataFrame:
        close = data.bars[data.symbols[0]]["close"]
        return pd.DataFrame({data.symbols[0]: (close.shift(-1) > close).astype(float)}, index=data.index)


def _positions(n: int, warmup: int, count: int = 160) -> list[int]:
    """The last ``count`` bars plus a spread of earlier ones (all after the warmup)."""
    tail = list(range(n - count, n))
    spread = list(range(warmup, n - count, max(1, (n - count - warmup) // 40)))
    return spread + tail


@pytest.fixture(scope="module")
def hourly(shared_data: Path) -> MarketData:
    return perp_1h(shared_data, end="2024-09-01")


@pytest.mark.parametrize(
    "strategy",
    [
        SmaCross(fast=10, slow=50, allow_short=True),
        MeanReversion(window=24, volume_window=24, max_hold=24, entry_z=1.5),
        MomentumBreakout(channel=24, exit_channel=10, max_hold=48),
    ],
    ids=lambda s: s.label(),
)
def test_builtin_parity_on_real_hourly_bars(strategy: Strategy, hourly: MarketData) -> None:
    full = strategy.targets(hourly)
    assert (full.iloc[strategy.warmup() :] != 0).to_numpy().mean() > 0.05  # not vacuous
    report = check_parity(strategy, hourly, _positions(len(hourly.index), strategy.warmup()))
    assert report.ok, report.examples


def test_funding_carry_parity_on_real_spot_and_perp(shared_data: Path) -> None:
    data = carry_5m(shared_data, end="2025-06-15")
    strategy = FundingCarry(lookback_bars=96, max_hold=192, entry_apr=0.0, exit_apr=0.0)
    full = strategy.targets(data)
    assert (full["BTCUSDT"] != 0).mean() > 0.05
    positions = _positions(len(data.index), strategy.warmup(), count=120)
    report = check_parity(strategy, data, positions)
    assert report.ok, report.examples


def test_parity_check_catches_look_ahead(hourly: MarketData) -> None:
    report = check_parity(PeeksAhead(), hourly, range(100, 300))
    assert not report.ok
    assert report.mismatches > 50 and len(report.examples) == 10


def test_too_short_warmup_breaks_parity(hourly: MarketData) -> None:
    """A strategy that under-declares its warmup is caught too."""

    class ShortWarmup(SmaCross):
        name = ""

        def warmup(self) -> int:
            return 10

    report = check_parity(ShortWarmup(fast=5, slow=40), hourly, range(200, 400))
    assert not report.ok
