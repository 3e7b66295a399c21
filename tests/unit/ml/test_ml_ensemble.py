"""Performance-weighted ensemble: weights follow resolved out-of-sample losses, causally."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openalpha.ml.ensemble import combine, rolling_weights
from openalpha.ml.errors import MLError


def _setup(n: int = 200, horizon: int = 5) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=n) > 0.5).astype(float)
    good = np.where(y > 0, 0.8, 0.2)  # mostly right
    bad = np.where(y > 0, 0.3, 0.7)  # mostly wrong
    probs = pd.DataFrame({"good": good, "bad": bad})
    t1 = np.where(np.arange(n) + horizon < n, np.arange(n) + horizon, -1)
    return probs, y, t1


def test_weights_move_to_the_member_that_performs() -> None:
    probs, y, t1 = _setup()
    w = rolling_weights(probs, y, t1, window=50, temperature=0.1)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert (w.iloc[:5] == 0.5).all().all()  # nothing resolved yet: equal weights
    assert w["good"].iloc[-1] > 0.99
    p = combine(probs, w)
    assert np.all(np.abs(p.iloc[60:] - probs["good"].iloc[60:]) < 0.01)


def test_weights_use_only_labels_already_resolved() -> None:
    probs, y, t1 = _setup()
    base = rolling_weights(probs, y, t1, window=50, temperature=1.0)
    flipped = y.copy()
    flipped[100] = 1 - flipped[100]  # resolves at bar 105
    changed = rolling_weights(probs, flipped, t1, window=50, temperature=1.0)
    diff = np.flatnonzero(~np.isclose(base["good"], changed["good"]))
    assert diff.size > 0 and diff.min() == 105


def test_combine_skips_missing_members_and_bad_args_fail() -> None:
    probs = pd.DataFrame({"a": [0.6, np.nan], "b": [0.2, 0.4]})
    w = pd.DataFrame({"a": [0.5, 0.5], "b": [0.5, 0.5]})
    np.testing.assert_allclose(combine(probs, w), [0.4, 0.4])
    with pytest.raises(MLError, match="temperature"):
        rolling_weights(probs, np.array([1.0, 0.0]), np.array([1, -1]), temperature=0)
