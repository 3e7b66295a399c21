"""The compiled window sums agree bit for bit with the numpy indicators they replace, on real
bars (and on real bars made hostile: prices rounded to a coarse tick so SMAs tie over flat
stretches, NaN and inf inside windows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openalpha.strategies.indicators import sma
from openalpha.strategies.window_sums import pairwise_window_sum, sma_order
from tests.unit.backtest.realdata import perp_1h, perp_5m


def reference_order(x: np.ndarray, fast: int, slow: int) -> np.ndarray:
    a, b = sma(x, fast), sma(x, slow)
    return np.where(a > b, 1, np.where(a < b, -1, 0)).astype(np.int8)


@pytest.fixture(scope="module")
def closes(shared_data: Path) -> np.ndarray:
    return perp_5m(shared_data).bars["BTCUSDT"]["close"].to_numpy(dtype=np.float64)


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 255, 300, 1000, 4099])
def test_pairwise_window_sum_is_numpys_sum(closes: np.ndarray, n: int) -> None:
    for s in (0, 1, 3, 17, 5001):
        assert pairwise_window_sum(closes, s, n) == closes[s : s + n].sum()
    mean = np.array([pairwise_window_sum(closes, t - n + 1, n) / n for t in range(n - 1, n + 400)])
    assert np.array_equal(mean, sma(closes, n)[n - 1 : n + 400])


@pytest.mark.parametrize(("fast", "slow"), [(20, 100), (10, 50), (2, 3), (100, 20), (7, 129), (50, 300)])
def test_sma_order_equals_the_window_exact_smas(closes: np.ndarray, fast: int, slow: int) -> None:
    got = sma_order(closes, fast, slow)
    want = reference_order(closes, fast, slow)
    assert np.array_equal(got, want)
    assert (got == 1).mean() > 0.2 and (got == -1).mean() > 0.2  # both sides exercised


def test_sma_order_on_ties_nan_and_inf(shared_data: Path) -> None:
    close = perp_1h(shared_data).bars["BTCUSDT"]["close"].to_numpy(dtype=np.float64)
    x = np.round(close / 500.0) * 500.0  # a coarse tick: long flat stretches, exact SMA ties
    x[3000:3300] = x[2999]
    x[5000] = np.nan
    x[7000:7010] = np.nan
    x[9000] = np.inf
    for fast, slow in [(20, 100), (3, 8), (1, 2), (16, 128), (7, 129)]:
        want = reference_order(x, fast, slow)
        assert (want == 0)[slow:].sum() > 300  # ties and NaN windows really occur
        assert np.array_equal(sma_order(x, fast, slow), want)


def test_sma_order_short_input_is_all_zero(closes: np.ndarray) -> None:
    assert not sma_order(closes[:50], 20, 100).any()
