"""Purged + embargoed k-fold: property tests on random overlapping label spans."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openalpha.ml.cv import PurgedKFold, cross_validate
from openalpha.ml.errors import MLError


@st.composite
def spans(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(10, 200))
    gaps = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    lengths = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    t0 = np.cumsum(gaps)
    return t0, t0 + np.array(lengths)


@settings(max_examples=150, deadline=None)
@given(spans(), st.integers(2, 8), st.integers(0, 20))
def test_purged_kfold_properties(sp: tuple[np.ndarray, np.ndarray], k: int, embargo: int) -> None:
    t0, t1 = sp
    if len(t0) < k:
        return
    cv = PurgedKFold(n_splits=k, embargo=embargo)
    seen: list[np.ndarray] = []
    for train, test in cv.split(t0, t1):
        seen.append(test)
        assert np.intersect1d(train, test).size == 0
        # test folds are contiguous blocks
        assert np.array_equal(test, np.arange(test[0], test[-1] + 1))
        # no training label window overlaps any test label window
        for i in train:
            assert not np.any((t0[i] <= t1[test]) & (t1[i] >= t0[test])), (i, t0[i], t1[i])
        # embargo: nothing trains within `embargo` bars after the test fold's last label end
        end = t1[test].max()
        after = train[t0[train] > end]
        assert np.all(t0[after] > end + embargo)
        # and everything else is kept (purging is not over-eager)
        dropped = np.setdiff1d(np.setdiff1d(np.arange(len(t0)), train), test)
        for i in dropped:
            overlaps = (t0[i] <= end) and (t1[i] >= t0[test[0]])
            assert overlaps or (end < t0[i] <= end + embargo)
    assert np.array_equal(np.concatenate(seen), np.arange(len(t0)))


def test_purging_removes_what_plain_kfold_would_leak() -> None:
    t0 = np.arange(100)
    t1 = t0 + 10  # every label looks 10 bars ahead
    train, test = next(iter(PurgedKFold(n_splits=5, embargo=0).split(t0, t1)))
    assert test[0] == 0 and test[-1] == 19
    # test labels end at bar 29, so samples 20..29 overlap and are purged
    assert train.min() == 30
    train_e, _ = next(iter(PurgedKFold(n_splits=5, embargo=5).split(t0, t1)))
    assert train_e.min() == 35
    # a middle fold purges on both sides: samples 30..39 test, ends at 49
    folds = list(PurgedKFold(n_splits=5).split(t0, t1))
    train_mid, test_mid = folds[1]
    assert test_mid.tolist() == list(range(20, 40))
    assert 9 in train_mid and 10 not in train_mid  # 10 + 10 = 20 touches the test start
    assert 49 not in train_mid and 50 in train_mid


def test_bad_cv_inputs_are_one_line_errors() -> None:
    with pytest.raises(MLError, match="n_splits >= 2"):
        PurgedKFold(n_splits=1)
    with pytest.raises(MLError, match="embargo"):
        PurgedKFold(embargo=-1)
    cv = PurgedKFold(n_splits=3)
    with pytest.raises(MLError, match="t1 >= t0"):
        list(cv.split(np.array([0, 1, 2]), np.array([1, 0, 3])))
    with pytest.raises(MLError, match="sorted"):
        list(cv.split(np.array([2, 1, 3]), np.array([3, 2, 4])))
    with pytest.raises(MLError, match="cannot make 3 folds"):
        list(cv.split(np.array([0, 1]), np.array([1, 2])))


def test_cross_validate_calls_every_fold() -> None:
    t0 = np.arange(60)
    calls: list[tuple[int, int]] = []

    def fit_score(train: np.ndarray, test: np.ndarray) -> float:
        calls.append((len(train), len(test)))
        return float(len(test))

    scores = cross_validate(PurgedKFold(n_splits=3), t0, t0 + 2, fit_score)
    assert scores == [20.0, 20.0, 20.0]
    assert calls[1][0] == 60 - 20 - 2 - 2
