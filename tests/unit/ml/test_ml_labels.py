"""Labels: forward returns, triple barrier, average uniqueness (real data + hand-made paths)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openalpha.ml.errors import MLError
from openalpha.ml.labels import average_uniqueness, forward_returns, sample_weights, triple_barrier
from tests.unit.backtest.realdata import perp_1h


def _bars(
    close: list[float], high: list[float] | None = None, low: list[float] | None = None
) -> pd.DataFrame:
    idx = pd.date_range("2024-01-01", periods=len(close), freq="h", tz="UTC")
    return pd.DataFrame(
        {"open": close, "high": high or close, "low": low or close, "close": close, "volume": 1.0}, index=idx
    )


def test_forward_returns_on_real_closes(shared_data: Path) -> None:
    bars = perp_1h(shared_data, start="2024-03-01", end="2024-03-08").bars["BTCUSDT"]
    out = forward_returns(bars["close"], 4)
    c = bars["close"].to_numpy()
    assert out["ret"].iloc[10] == pytest.approx(np.log(c[14] / c[10]), rel=1e-12)
    assert out["t1"].iloc[10] == 14
    assert out["ret"].iloc[-4:].isna().all() and (out["t1"].iloc[-4:] == -1).all()


def test_triple_barrier_first_touch_decides() -> None:
    # vol fixed at 0.1 log units: barriers at close*e^{+-0.1} = 110.5 / 90.5 from 100
    vol = 0.1
    bars = _bars(
        close=[100, 101, 102, 103, 104, 100],
        high=[100, 101, 111, 103, 104, 100],  # bar 2 reaches the profit-take
        low=[100, 95, 102, 89, 104, 100],  # bar 3 reaches the stop (after the profit-take)
    )
    out = triple_barrier(bars, 4, volatility=pd.Series(vol, index=bars.index))
    assert out["label"].iloc[0] == 1.0 and out["t1"].iloc[0] == 2
    assert out["ret"].iloc[0] == pytest.approx(0.1)
    # from bar 2 (close 102): stop at 92.3, bar 3 low 89 touches it
    assert out["label"].iloc[2] == -1.0 and out["t1"].iloc[2] == 3


def test_triple_barrier_same_bar_touch_is_a_stop_and_timeout_is_zero_or_sign() -> None:
    bars = _bars(close=[100, 100, 101, 102], high=[100, 120, 101, 102], low=[100, 80, 101, 102])
    vol = pd.Series(0.1, index=bars.index)
    out = triple_barrier(bars, 2, volatility=vol)
    assert out["label"].iloc[0] == -1.0  # both barriers inside bar 1: conservative stop
    assert out["label"].iloc[1] == 0.0 and out["t1"].iloc[1] == 3  # time-out, return +2 %
    signed = triple_barrier(bars, 2, volatility=vol, timeout="sign")
    assert signed["label"].iloc[1] == 1.0
    assert np.isnan(out["label"].iloc[2]) and out["t1"].iloc[2] == -1  # horizon beyond the data


def test_triple_barrier_on_real_data_is_consistent(shared_data: Path) -> None:
    bars = perp_1h(shared_data, start="2024-01-01", end="2024-03-01").bars["BTCUSDT"]
    out = triple_barrier(bars, 24, pt=1.5, sl=1.0)
    known = out.dropna()
    assert set(np.unique(known["label"])) == {-1.0, 0.0, 1.0}
    pos = np.arange(len(out))[out["t1"].to_numpy() >= 0]
    t1 = out["t1"].to_numpy()[pos]
    assert np.all(t1 > pos) and np.all(t1 <= pos + 24)
    assert np.all(np.sign(known["ret"][known["label"] != 0]) == known["label"][known["label"] != 0])


def test_bad_label_arguments_are_one_line_errors() -> None:
    bars = _bars([100.0, 101.0, 102.0])
    with pytest.raises(MLError, match="horizon must be >= 1"):
        forward_returns(bars["close"], 0)
    with pytest.raises(MLError, match="barrier multiples"):
        triple_barrier(bars, 1, pt=0.0)


def test_average_uniqueness_worked_example() -> None:
    # spans: label0 (0,2] covers bars 1,2; label1 (1,3] covers 2,3; label2 (2,3] covers 3
    u = average_uniqueness(np.array([2, 3, 3, -1]))
    # concurrency: bar1=1, bar2=2, bar3=2
    assert u[0] == pytest.approx((1 + 0.5) / 2)
    assert u[1] == pytest.approx((0.5 + 0.5) / 2)
    assert u[2] == pytest.approx(0.5)
    assert np.isnan(u[3])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10), min_size=1, max_size=60))
def test_average_uniqueness_matches_brute_force(lengths: list[int]) -> None:
    n = len(lengths)
    t1 = np.array([i + h if i + h < n else -1 for i, h in enumerate(lengths)])
    fast = average_uniqueness(t1)
    conc = np.zeros(n)
    for i, e in enumerate(t1):
        if e >= 0:
            conc[i + 1 : e + 1] += 1
    for i, e in enumerate(t1):
        if e < 0:
            assert np.isnan(fast[i])
        else:
            brute = np.mean(1.0 / conc[i + 1 : e + 1])
            assert fast[i] == pytest.approx(brute)
            assert 0 < fast[i] <= 1


def test_sample_weights_have_mean_one_and_downweight_overlap(shared_data: Path) -> None:
    bars = perp_1h(shared_data, start="2024-01-01", end="2024-02-01").bars["BTCUSDT"]
    labels = forward_returns(bars["close"], 12)
    w = sample_weights(labels)
    assert w.dropna().mean() == pytest.approx(1.0)
    # with a fixed horizon every interior label overlaps 12 others, so weights are near-equal
    assert w.iloc[20:-30].std() < 1e-9
