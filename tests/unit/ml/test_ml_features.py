"""Features: registry contents, values on real data, and the causality parity check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.ml.causality import check_feature_causality
from openalpha.ml.errors import MLError
from openalpha.ml.features import (
    FEATURES,
    FeatureInput,
    FeatureSpec,
    available_features,
    compute_features,
    feature_input,
    feature_names,
    warmup_bars,
)
from tests.unit.backtest.realdata import carry_5m, perp_1h


@pytest.fixture(scope="module")
def btc_input(shared_data: Path) -> FeatureInput:
    data = perp_1h(shared_data, "BTCUSDT", start="2024-01-01", end="2024-05-01")
    return feature_input(data, "BTCUSDT")


def test_registry_has_fifty_plus_features_in_every_group() -> None:
    assert len(FEATURES) >= 50
    groups = {s.group for s in FEATURES.values()}
    assert groups == {
        "trend", "momentum", "volatility", "volume", "returns", "stats", "calendar", "funding", "basis",
        "regime",
    }  # fmt: skip
    assert len(feature_names("returns")) >= 5


def test_compute_features_on_real_perp_data(btc_input: FeatureInput) -> None:
    frame = compute_features(btc_input)
    assert list(frame.columns) == available_features(btc_input)
    # mark and funding exist in this data; no spot leg so the spot basis is not available
    assert "basis_mark" in frame and "funding_rate" in frame and "basis_spot" not in frame
    warm = warmup_bars(list(frame.columns), btc_input.interval_ms)
    tail = frame.iloc[warm:]
    assert tail.notna().all().all(), tail.columns[tail.isna().any()].tolist()
    assert np.isfinite(tail.to_numpy()).all()
    # spot-check values against independent formulas
    close = btc_input.bars["close"]
    expected_ret = np.log(close.iloc[-1] / close.iloc[-25])
    assert frame["log_ret_24"].iloc[-1] == pytest.approx(expected_ret, rel=1e-12)
    assert tail["rsi_14"].between(0, 100).all()
    assert set(np.unique(tail["vol_regime"])) <= {0.0, 1.0, 2.0}
    assert len(np.unique(tail["vol_regime"])) == 3
    last_funding = btc_input.funding_events[btc_input.funding_events.index <= frame.index[-1]].iloc[-1]
    assert frame["funding_rate"].iloc[-1] == last_funding
    ts = frame.index[-1]
    assert frame["hours_to_funding"].iloc[-1] == 8 - (ts.hour % 8)


def test_spot_basis_uses_the_spot_leg(shared_data: Path) -> None:
    data = carry_5m(shared_data, "BTCUSDT", start="2025-05-01", end="2025-05-03")
    inp = feature_input(data, "BTCUSDT")
    frame = compute_features(inp, ["basis_spot"])
    perp, spot = data.bars["BTCUSDT"]["close"], data.bars["BTCUSDT@spot"]["close"]
    np.testing.assert_allclose(frame["basis_spot"], perp / spot - 1.0)


def test_unknown_or_unavailable_feature_is_a_one_line_error(btc_input: FeatureInput) -> None:
    with pytest.raises(MLError, match="unknown feature 'nope'"):
        compute_features(btc_input, ["rsi_14", "nope"])
    with pytest.raises(MLError, match="needs spot data"):
        compute_features(btc_input, ["basis_spot"])


def _sample_positions(n: int, count: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(np.arange(n // 3, n), size=count, replace=False).tolist())


@pytest.mark.parametrize("name", list(FEATURES))
def test_feature_is_causal(name: str, btc_input: FeatureInput, shared_data: Path) -> None:
    spec = FEATURES[name]
    inp = btc_input
    if "spot" in spec.needs:
        inp = feature_input(carry_5m(shared_data, "BTCUSDT", start="2025-05-01", end="2025-05-05"), "BTCUSDT")
    positions = _sample_positions(len(inp.bars), 6, seed=len(name))
    report = check_feature_causality(spec, inp, positions)
    assert report.checked >= 5, f"{name}: only {report.checked} positions beyond warmup"
    assert report.ok, f"{name}: {report.mismatches} mismatches, e.g. {report.examples}"


def _leaky(x: FeatureInput) -> pd.Series:
    """Uses the next bar's close: the classic look-ahead bug."""
    return x.close.shift(-1) / x.close - 1.0


def test_a_leaky_feature_is_caught(btc_input: FeatureInput) -> None:
    spec = FeatureSpec("leaky_next_return", "returns", _leaky, window=2)
    report = check_feature_causality(spec, btc_input, _sample_positions(len(btc_input.bars), 6, 1))
    assert report.checked == 6
    assert not report.ok and report.mismatches == 6


def test_a_feature_with_too_short_a_declared_window_is_caught(btc_input: FeatureInput) -> None:
    spec = FeatureSpec("short_window", "stats", lambda x: x.close.rolling(50).mean(), window=20)
    report = check_feature_causality(spec, btc_input, _sample_positions(len(btc_input.bars), 6, 2))
    assert not report.ok


def test_a_recursive_feature_with_too_short_a_warmup_is_caught(btc_input: FeatureInput) -> None:
    spec = FeatureSpec(
        "ema_short", "trend", lambda x: x.close.ewm(span=100).mean(), window=60, recursive=True
    )
    report = check_feature_causality(spec, btc_input, _sample_positions(len(btc_input.bars), 6, 3))
    assert report.mismatches == 6
