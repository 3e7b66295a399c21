"""Half-open millisecond ranges ``[start, end)``: union, subtraction, and the holes in a bar series (pure)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from openalpha.domain.intervals import interval_ms

Range = tuple[int, int]

WEEK_ANCHOR_MS = 4 * 86_400_000  # Bybit weekly candles open on Monday 00:00 UTC; 1970-01-01 was a Thursday


def union_ranges(ranges: Iterable[Range]) -> list[Range]:
    """Sorted, non-overlapping ranges covering the same instants (touching ranges merge)."""
    out: list[Range] = []
    for start, end in sorted((int(a), int(b)) for a, b in ranges if b > a):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract_ranges(ranges: Iterable[Range], remove: Iterable[Range]) -> list[Range]:
    """The parts of ``ranges`` not covered by ``remove``."""
    cuts = union_ranges(remove)
    out: list[Range] = []
    for start, end in union_ranges(ranges):
        cur = start
        for cut_start, cut_end in cuts:
            if cut_end <= cur or cut_start >= end:
                continue
            if cut_start > cur:
                out.append((cur, cut_start))
            cur = max(cur, cut_end)
        if cur < end:
            out.append((cur, end))
    return out


def grid_anchor(interval: str) -> int:
    """The open time every bar of ``interval`` is aligned to, modulo its length."""
    return WEEK_ANCHOR_MS if interval == "W" else 0


def bar_holes(ts: np.ndarray, start_ms: int, end_ms: int, interval: str) -> list[Range]:
    """Missing bar open times in ``[start_ms, end_ms)`` given sorted stored open times ``ts``."""
    step = interval_ms(interval)
    anchor = grid_anchor(interval)
    first = start_ms + (-(start_ms - anchor)) % step  # first grid point >= start
    if first >= end_ms:
        return []
    if len(ts) == 0:
        return [(first, end_ms)]
    holes: list[Range] = []
    if ts[0] > first:
        holes.append((first, int(ts[0])))
    jumps = np.flatnonzero(np.diff(ts) > step)
    holes.extend((int(ts[i]) + step, int(ts[i + 1])) for i in jumps)
    after = int(ts[-1]) + step
    if after < end_ms:
        holes.append((after, end_ms))
    return holes


FUNDING_MAX_STEP_MS = 8 * 3_600_000  # Bybit's longest funding interval


def funding_holes(ts: np.ndarray, start_ms: int, end_ms: int) -> list[Range]:
    """Ranges in ``[start_ms, end_ms)`` longer than the longest funding interval with no settlement."""
    edges = np.concatenate(([start_ms], ts, [end_ms])).astype(np.int64)
    step = FUNDING_MAX_STEP_MS
    holes: list[Range] = []
    for i in np.flatnonzero(np.diff(edges) > step):
        lo = int(edges[i]) + (1 if i > 0 else 0)
        holes.append((lo, int(edges[i + 1])))
    return holes


__all__ = ["Range", "bar_holes", "funding_holes", "grid_anchor", "subtract_ranges", "union_ranges"]
