"""Purged and embargoed k-fold cross-validation for overlapping time-series labels.

Sample *i* is decided at bar ``t0[i]`` and its label is known at bar ``t1[i]`` (>= ``t0[i]``);
samples are sorted by ``t0``. Test folds are contiguous blocks of samples. For each test fold,
spanning bars ``[start, end]`` (``start`` = first ``t0``, ``end`` = last ``t1`` in the fold):

* **purge**: a training sample is dropped when its span ``[t0, t1]`` intersects ``[start, end]``;
* **embargo**: a training sample after the fold is dropped when ``t0 <= end + embargo``, since
  features that look back (rolling windows) still carry the test period's information.

Training samples on both sides of the test fold are kept (k-fold, not walk-forward); use
:mod:`openalpha.ml.walkforward` when only the past may train.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from openalpha.ml.errors import MLError


@dataclass(frozen=True)
class PurgedKFold:
    n_splits: int = 5
    embargo: int = 0  # bars

    def __post_init__(self) -> None:
        if self.n_splits < 2:
            raise MLError(f"purged k-fold needs n_splits >= 2, got {self.n_splits}")
        if self.embargo < 0:
            raise MLError(f"embargo must be >= 0 bars, got {self.embargo}")

    def split(self, t0: np.ndarray, t1: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` sample positions for each fold."""
        t0 = np.asarray(t0, dtype=np.int64)
        t1 = np.asarray(t1, dtype=np.int64)
        _check_spans(t0, t1)
        if len(t0) < self.n_splits:
            raise MLError(f"{len(t0)} samples cannot make {self.n_splits} folds")
        for test in np.array_split(np.arange(len(t0)), self.n_splits):
            start, end = t0[test[0]], t1[test].max()
            overlaps = (t0 <= end) & (t1 >= start)
            embargoed = (t0 > end) & (t0 <= end + self.embargo)
            train = np.flatnonzero(~overlaps & ~embargoed)
            yield train, test


def _check_spans(t0: np.ndarray, t1: np.ndarray) -> None:
    if t0.shape != t1.shape or t0.ndim != 1:
        raise MLError("t0 and t1 must be 1-D arrays of the same length")
    if np.any(t1 < t0):
        raise MLError("every label must end at or after its decision bar (t1 >= t0)")
    if np.any(np.diff(t0) < 0):
        raise MLError("samples must be sorted by decision bar t0")


Scorer = Callable[[np.ndarray, np.ndarray], float]  # (train, test) positions -> score


def cross_validate(cv: PurgedKFold, t0: np.ndarray, t1: np.ndarray, fit_score: Scorer) -> list[float]:
    """``fit_score(train, test)`` for every fold whose training set is non-empty; the fold scores."""
    scores: list[float] = []
    for train, test in cv.split(t0, t1):
        if len(train) == 0:
            continue
        scores.append(float(fit_score(train, test)))
    return scores
