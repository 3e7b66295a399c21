"""Fixtures of the ML tests: a small real training set (BTCUSDT 1 h, Bybit perp)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openalpha.ml.features import compute_features, feature_input
from openalpha.ml.labels import triple_barrier
from tests.unit.backtest.realdata import perp_1h

FEATURES = [
    "rsi_14",
    "log_ret_1",
    "log_ret_24",
    "rv_48",
    "zscore_20",
    "funding_rate",
    "basis_mark",
    "bb_pctb_20",
]


@pytest.fixture(scope="session")
def btc_training(shared_data: Path) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """(features, 0/1 up-label, label frame) for ~900 hourly bars with known labels."""
    data = perp_1h(shared_data, "BTCUSDT", start="2024-02-01", end="2024-03-15")
    inp = feature_input(data, "BTCUSDT")
    X = compute_features(inp, FEATURES)
    labels = triple_barrier(data.bars["BTCUSDT"], 12, timeout="sign")
    ok = X.notna().all(axis=1) & labels["label"].notna() & (labels["label"] != 0)
    X, labels = X[ok], labels[ok]
    y = (labels["label"].to_numpy() > 0).astype(np.float64)
    return X, y, labels
