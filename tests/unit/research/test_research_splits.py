"""Walk-forward splits: purge/embargo gaps, coverage and shapes (property tests)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalpha.research.splits import Span, bars_for, fold_times, inner_segments, walk_forward


@given(
    n=st.integers(10, 3000),
    train=st.integers(2, 400),
    test=st.integers(1, 200),
    step=st.integers(1, 200),
    anchored=st.booleans(),
    purge=st.integers(0, 50),
    embargo=st.integers(0, 50),
)
def test_folds_respect_purge_embargo_and_bounds(
    n: int, train: int, test: int, step: int, anchored: bool, purge: int, embargo: int
) -> None:
    if purge >= train:
        purge = train - 1
    folds = walk_forward(
        n,
        train=train,
        test=test,
        step=step,
        scheme="anchored" if anchored else "rolling",
        purge=purge,
        embargo=embargo,
    )
    for k, fold in enumerate(folds):
        assert fold.number == k
        assert 0 <= fold.train.start < fold.train.stop
        assert fold.test.stop <= n
        assert len(fold.test) == test
        # no training bar within purge + embargo bars of the first out-of-sample bar
        assert fold.test.start - fold.train.stop == purge + embargo
        assert len(fold.train) == (train + k * step - purge if anchored else train - purge)
        if anchored:
            assert fold.train.start == 0
    starts = [f.test.start for f in folds]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # the next fold would not fit: no data left unused by more than one step
    if folds:
        assert folds[-1].test.stop + step > n
    else:
        assert train + embargo + test > n


def test_step_equal_to_test_gives_contiguous_out_of_sample_windows() -> None:
    folds = walk_forward(1000, train=300, test=100, purge=5, embargo=3)
    assert len(folds) == 6  # boundaries 300..800, test end 403..903; 903+100 > 1000
    for a, b in itertools.pairwise(folds):
        assert a.test.stop == b.test.start


def test_rolling_example_by_hand() -> None:
    folds = walk_forward(20, train=8, test=4, step=4, purge=1, embargo=2)
    assert [(f.train.start, f.train.stop, f.test.start, f.test.stop) for f in folds] == [
        (0, 7, 10, 14),
        (4, 11, 14, 18),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train": 0, "test": 5}, "positive"),
        ({"train": 10, "test": 5, "purge": 10}, "purge"),
        ({"train": 10, "test": 5, "embargo": -1}, ">= 0"),
        ({"train": 10, "test": 5, "scheme": "expanding"}, "rolling or anchored"),
    ],
)
def test_bad_lengths_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        walk_forward(100, **kwargs)


def test_inner_segments_cover_the_span_in_order() -> None:
    segments = inner_segments(Span(10, 110), 3)
    assert segments[0].start == 10 and segments[-1].stop == 110
    assert all(a.stop == b.start for a, b in itertools.pairwise(segments))
    assert sorted(len(s) for s in segments) == [33, 33, 34]
    with pytest.raises(ValueError):
        inner_segments(Span(0, 2), 3)


def test_bars_for_durations() -> None:
    bar = pd.Timedelta(minutes=15)
    assert bars_for("1D", bar) == 96
    assert bars_for("90D", bar) == 8640
    with pytest.raises(ValueError, match="whole number"):
        bars_for("10min", bar)
    with pytest.raises(ValueError, match="not a duration"):
        bars_for("ninety days", bar)


def test_fold_times_map_positions_to_open_times() -> None:
    index = pd.date_range("2025-01-01", periods=20, freq="1h", tz="UTC")
    fold = walk_forward(20, train=8, test=4)[-1]
    times = fold_times(index, fold)
    assert times["test_start"] == index[fold.test.start]
    assert times["test_end"] == index[-1] + pd.Timedelta(hours=fold.test.stop - 19)
