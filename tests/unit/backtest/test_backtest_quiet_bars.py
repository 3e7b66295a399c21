"""The kernel's fast path over quiet bars (nothing pending, no target change, no funding, no
exit touched) must give exactly what the full per-bar step gives, on real bars with every
mechanic on: fees, slippage, funding, liquidation, stops, maker limits, missing bars, spot+perp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.backtest import BacktestConfig, run_targets
from openalpha.backtest.engine import simulate
from openalpha.backtest.kernel import target_changes
from openalpha.backtest.prepare import prepare
from openalpha.domain.market_data import MarketData
from tests.unit.backtest.realdata import carry_5m, perp_1h

CONFIGS = [
    ({"leverage": 1.0}, 0.0),
    ({"leverage": 25.0, "slippage_bps": 5.0}, 0.0),  # liquidations
    ({"leverage": 3.0, "stop_loss": 0.01, "take_profit": 0.02}, 0.0),
    ({"leverage": 2.0, "funding": False, "liquidation": False}, 5.0),  # maker limits, reposts
    ({"leverage": 50.0, "liquidation": False, "capital": 1_000.0}, 0.0),  # bankruptcy close-out
    ({"leverage": 2.0, "rebalance_band": 0.05}, 0.0),
]


def _random_targets(data: MarketData, seed: int) -> pd.DataFrame:
    """Piecewise-constant targets with runs of 1..400 bars, flips, zeros and -0.0."""
    rng = np.random.default_rng(seed)
    n = len(data.index)
    out = pd.DataFrame(0.0, index=data.index, columns=data.symbols)
    for sym in data.symbols:
        col, k = np.zeros(n), 0
        while k < n:
            run = int(rng.integers(1, rng.choice([5, 60, 400])))
            col[k : k + run] = rng.choice([0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, rng.uniform(-3, 3)])
            k += run
        out[sym] = col
    return out


def _with_holes(data: MarketData, seed: int) -> MarketData:
    rng = np.random.default_rng(seed)
    bars = {}
    for key, frame in data.bars.items():
        frame = frame.copy()
        rows = rng.choice(len(frame), len(frame) // 50, replace=False)
        cols = rng.integers(0, 5, len(rows))
        for r, c in zip(rows, cols, strict=True):
            frame.iloc[r, c] = np.nan
        bars[key] = frame
    return MarketData(
        interval=data.interval, bars=bars, mark=data.mark, funding=data.funding, instruments=data.instruments
    )


@pytest.fixture(scope="module")
def datasets(shared_data: Path) -> list[MarketData]:
    hourly = perp_1h(shared_data, start="2024-01-01", end="2024-05-01")
    carry = carry_5m(shared_data, end="2025-05-01")
    return [hourly, carry, _with_holes(hourly, 7)]


@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize(("values", "offset_bps"), CONFIGS)
def test_quiet_path_equals_full_step(
    datasets: list[MarketData], which: int, values: dict[str, float], offset_bps: float
) -> None:
    data = datasets[which]
    config = BacktestConfig(**values)  # type: ignore[arg-type]
    targets = _random_targets(data, seed=which * 100 + len(values))
    bankrupting = values.get("capital") == 1_000.0
    arr = prepare(data, targets * 15.0 if bankrupting else targets, config)
    fast = simulate(arr, config, offset_bps)
    full = simulate(arr, config, offset_bps, skip_quiet=False)
    assert len(fast[1]) > 5  # it traded
    if bankrupting and which != 1:  # (the carry pair holds an unlevered spot leg)
        assert fast[3][6] == 1.0  # A_BANKRUPT: the close-out path ran
    for a, b in zip(fast, full, strict=True):
        assert a.shape == b.shape
        assert np.array_equal(a, b, equal_nan=True)


def test_target_changes_lists_every_changed_bar(datasets: list[MarketData]) -> None:
    data = datasets[1]
    target = _random_targets(data, seed=3).to_numpy()
    bars, changes = target_changes(target, np.empty(len(target), dtype=np.int64))
    diff = target[1:] != target[:-1]  # row k-1 vs k-2 -> acts at bar k = row + 2
    assert changes == int(diff.sum())
    assert bars.tolist() == [1] + [k + 2 for k in np.flatnonzero(diff.any(axis=1))]
    single, count = target_changes(target[:, :1].copy(), np.empty(len(target), dtype=np.int64))
    assert count == int(diff[:, 0].sum()) and single.tolist() == [1] + [
        k + 2 for k in np.flatnonzero(diff[:, 0])
    ]


def test_positions_follow_fills_and_close_out_shows_next_bar(datasets: list[MarketData]) -> None:
    data = datasets[0]
    n = len(data.index)
    targets = pd.DataFrame(0.0, index=data.index, columns=data.symbols)
    targets.iloc[5:, 0] = 40.0  # 40x long at 50x leverage, no liquidation: the account goes bankrupt
    res = run_targets(targets, data, BacktestConfig(leverage=50.0, liquidation=False, funding=False))
    assert res.metrics["bankrupt"]
    close = res.fills[res.fills["kind"] == "closeout"].iloc[0]
    k = int(close["bar"])
    pos = res.positions["BTCUSDT"].to_numpy()
    assert pos[k] == pos[6] > 0  # the bankrupt bar's close still shows the position it carried
    assert (pos[k + 1 :] == 0.0).all() and (pos[:6] == 0.0).all() and k + 1 < n
    assert (res.equity.iloc[k:] == res.equity.iloc[-1]).all()  # flat and stopped after the close-out
