"""Half-open millisecond ranges ``[start, end)``: union and subtraction (pure)."""

from __future__ import annotations

from collections.abc import Iterable

Range = tuple[int, int]


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


__all__ = ["Range", "subtract_ranges", "union_ranges"]
