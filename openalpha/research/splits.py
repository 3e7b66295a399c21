"""Walk-forward splits over a bar index: rolling or anchored, with purge and embargo.

Positions are integer bar offsets into one aligned bar index (``MarketData.index``); a fold
is four half-open ranges ``[start, stop)``. For fold *k* the nominal boundary is
``b_k = train + k * step`` (counted from bar 0):

* **train** — rolling: ``[b_k - train, b_k - purge)``; anchored: ``[0, b_k - purge)``.
* **purge** — the last ``purge`` bars before the boundary are dropped from the training window,
  so nothing whose outcome straddles the boundary (an open trade, a forward-looking label) is
  scored in-sample.
* **embargo** — ``embargo`` bars after the boundary belong to neither side: the out-of-sample
  window starts at ``b_k + embargo``. It models the delay between choosing parameters and
  trading them and lets serial correlation decay.
* **test** — ``[b_k + embargo, b_k + embargo + test)``.

With ``step == test`` consecutive test windows are contiguous, so their returns stitch into
one out-of-sample equity curve without holes. Folds that would run past the data are not
made (the last partial window is dropped rather than silently shortened).
"""

from __future__ import annotations

import itertools
from typing import Literal

import msgspec
import pandas as pd

Scheme = Literal["rolling", "anchored"]


class Span(msgspec.Struct, frozen=True):
    """A half-open range of bar positions ``[start, stop)``."""

    start: int
    stop: int

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

    def to_slice(self) -> slice:
        return slice(self.start, self.stop)


class Fold(msgspec.Struct, frozen=True, kw_only=True):
    """One walk-forward fold: where to choose parameters and where to measure them."""

    number: int
    train: Span
    test: Span


def walk_forward(
    n_bars: int,
    *,
    train: int,
    test: int,
    step: int | None = None,
    scheme: Scheme = "rolling",
    purge: int = 0,
    embargo: int = 0,
) -> list[Fold]:
    """The folds that fit in ``n_bars`` bars (lengths are in bars); ValueError on bad lengths."""
    step = test if step is None else step
    if min(train, test, step) <= 0:
        raise ValueError(f"train, test and step must be positive bar counts (got {train}, {test}, {step})")
    if purge < 0 or embargo < 0:
        raise ValueError("purge and embargo must be >= 0 bars")
    if purge >= train:
        raise ValueError(f"purge ({purge} bars) leaves nothing of the {train}-bar training window")
    if scheme not in ("rolling", "anchored"):
        raise ValueError(f"scheme must be rolling or anchored, got {scheme!r}")
    folds: list[Fold] = []
    boundary = train
    while boundary + embargo + test <= n_bars:
        start = 0 if scheme == "anchored" else boundary - train
        folds.append(
            Fold(
                number=len(folds),
                train=Span(start, boundary - purge),
                test=Span(boundary + embargo, boundary + embargo + test),
            )
        )
        boundary += step
    return folds


def inner_segments(span: Span, count: int) -> list[Span]:
    """``span`` cut into ``count`` contiguous, time-ordered segments of (nearly) equal length.

    The sweep scores a configuration segment by segment on its training window and reports after
    each, so an early-stopping scheduler (ASHA) can drop a bad configuration after the first ones.
    """
    if count <= 0:
        raise ValueError("the number of segments must be positive")
    if len(span) < count:
        raise ValueError(f"cannot cut {len(span)} bars into {count} segments")
    edges = [span.start + (len(span) * i) // count for i in range(count + 1)]
    return [Span(a, b) for a, b in itertools.pairwise(edges)]


def bars_for(duration: str, bar: pd.Timedelta) -> int:
    """Whole bars in a pandas duration such as ``"90D"`` or ``"12h"`` (ValueError if not a multiple)."""
    try:
        length = pd.Timedelta(duration)
    except (ValueError, TypeError):
        raise ValueError(f"not a duration: {duration!r} (use e.g. 90D, 12h, 30min)") from None
    if length <= pd.Timedelta(0):
        raise ValueError(f"duration must be positive, got {duration!r}")
    count, rest = divmod(length, bar)
    if rest != pd.Timedelta(0):
        raise ValueError(f"duration {duration!r} is not a whole number of {bar} bars")
    return int(count)


def fold_times(index: pd.DatetimeIndex, fold: Fold) -> dict[str, pd.Timestamp]:
    """Open times of the first bar and of the bar after the last bar of each range."""

    def at(pos: int) -> pd.Timestamp:
        if pos < len(index):
            return pd.Timestamp(index[pos])
        step = index[-1] - index[-2] if len(index) > 1 else pd.Timedelta(0)
        return pd.Timestamp(index[-1] + step * (pos - len(index) + 1))

    return {
        "train_start": at(fold.train.start),
        "train_end": at(fold.train.stop),
        "test_start": at(fold.test.start),
        "test_end": at(fold.test.stop),
    }


__all__ = ["Fold", "Scheme", "Span", "bars_for", "fold_times", "inner_segments", "walk_forward"]
