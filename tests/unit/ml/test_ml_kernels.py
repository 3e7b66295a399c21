"""The numba rolling kernels against pandas' definitions on real returns, and the live path's
last-bar computation (``compute_last``) against the full-history frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.ml.features import compute_features, compute_last, feature_input, warmup_bars
from openalpha.ml.features.kernels import rolling_kurt, rolling_mean_std, rolling_pct_rank, rolling_skew
from openalpha.ml.features.statistical import log_returns, realised_vol
from openalpha.ml.predictor import default_features
from tests.unit.backtest.realdata import perp_1h


@pytest.fixture(scope="module")
def series(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    """(1 h log returns, 24-bar realised volatility) of real BTCUSDT perp bars, with gaps and ties added."""
    inp = feature_input(perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-04-01"), "BTCUSDT")
    returns, vol = log_returns(inp).copy(), realised_vol(inp, 24).copy()
    for arr in (returns, vol):
        arr[700:705] = np.nan  # a gap inside the history
        arr[1200:1260] = arr[1200]  # a flat stretch: ties, and windows without spread
    return returns, vol


def _same(a: np.ndarray, b: np.ndarray, rtol: float) -> None:
    assert np.array_equal(np.isnan(a), np.isnan(b)), np.flatnonzero(np.isnan(a) != np.isnan(b))[:5]
    np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=rtol, atol=1e-12)


def test_skew_and_kurt_match_pandas(series: tuple[np.ndarray, np.ndarray]) -> None:
    returns, _ = series
    ref = pd.Series(returns).rolling(48)
    _same(rolling_skew(returns, 48), ref.skew().to_numpy(), 1e-8)
    _same(rolling_kurt(returns, 48), ref.kurt().to_numpy(), 1e-8)
    assert np.isnan(rolling_skew(returns, 48)[1259])  # the flat window has no skewness


def test_pct_rank_matches_pandas_exactly(series: tuple[np.ndarray, np.ndarray]) -> None:
    _, vol = series
    ours = rolling_pct_rank(vol, 500)
    theirs = pd.Series(vol).rolling(500).rank(pct=True).to_numpy()
    assert np.array_equal(ours, theirs, equal_nan=True)
    assert np.isfinite(ours).sum() > 500


def test_mean_std_match_pandas(series: tuple[np.ndarray, np.ndarray]) -> None:
    returns, _ = series
    mean, std = rolling_mean_std(returns, 24)
    ref = pd.Series(returns).rolling(24)
    _same(mean, ref.mean().to_numpy(), 1e-9)
    _same(std, ref.std().to_numpy(), 1e-7)


@pytest.mark.parametrize("first", [0, 30, 499, 704, 1259, -1])
def test_first_only_skips_earlier_bars(series: tuple[np.ndarray, np.ndarray], first: int) -> None:
    returns, vol = series
    first = first % len(vol)
    for fn, values, n in (
        (rolling_skew, returns, 48),
        (rolling_kurt, returns, 48),
        (rolling_pct_rank, vol, 500),
    ):
        full, part = fn(values, n), fn(values, n, first)
        assert np.isnan(part[:first]).all()
        assert np.array_equal(part[first:], full[first:], equal_nan=True), fn.__name__
    full_m, full_s = rolling_mean_std(returns, 24)
    part_m, part_s = rolling_mean_std(returns, 24, first)
    assert np.array_equal(part_m[first:], full_m[first:], equal_nan=True)
    assert np.array_equal(part_s[first:], full_s[first:], equal_nan=True)


def test_compute_last_equals_the_full_history_row(shared_data: Path) -> None:
    data = perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-05-01")
    full_inp = feature_input(data, "BTCUSDT")
    names = default_features(full_inp)
    assert len(names) >= 50
    full = compute_features(full_inp, names).to_numpy()
    length = warmup_bars(names, full_inp.interval_ms)
    for end in (length + 10, len(full) // 2, len(full) - 1):
        window = data.slice(start=data.index[end - length + 1], end=data.index[end] + pd.Timedelta(hours=1))
        live = compute_last(feature_input(window, "BTCUSDT"), names)
        assert live.shape == (len(names),)
        bad = [
            n
            for n, a, b in zip(names, full[end], live, strict=True)
            if not np.isclose(a, b, rtol=1e-9, atol=1e-12)
        ]
        assert not bad, f"bar {end}: {bad}"


def test_compute_last_keeps_funding_history_beyond_the_bar_window(shared_data: Path) -> None:
    """Funding features reach back 21 settlements (168 h) while their bar window is 1 bar: the
    live path cuts the bars to 2 here but must still see every settlement."""
    data = perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-03-01")
    names = ["log_ret_1", "funding_z_21", "funding_mean_21", "funding_rate"]
    full = compute_features(feature_input(data, "BTCUSDT"), names).to_numpy()
    live = compute_last(feature_input(data, "BTCUSDT"), names)
    assert np.isfinite(live).all()
    np.testing.assert_allclose(live, full[-1], rtol=1e-12)


@pytest.mark.parametrize("stop", [706, 1206, 1260])
def test_pct_rank_of_the_last_bars_only_matches_the_full_pass(
    series: tuple[np.ndarray, np.ndarray], stop: int
) -> None:
    """The live path asks for the last bar only, which is counted directly: same value, NaN when
    the window holds a gap (706 ends just after one), ties averaged (1260 ends a flat stretch)."""
    _, vol = series
    head = vol[:stop]
    full = rolling_pct_rank(head, 500)
    last = rolling_pct_rank(head, 500, stop - 1)
    assert np.isnan(last[:-1]).all()
    assert np.array_equal(last[-1:], full[-1:], equal_nan=True)
    assert np.isnan(last[-1]) == (stop == 706)
