"""The mark-price OHLC a live strategy sees in ``data.mark`` (pure: no I/O).

:class:`MarkFeed` holds the closed mark-price bars of each linear (perp) key, as
``/v5/market/mark-price-kline`` served them, none older than the bars the strategy holds: which
bars are missing (the decision's bars, gaps included), the window to read, the merge (never a
bar that has not closed). :class:`LiveMarks` is the read-only mapping a decision gets as
``data.mark``: its keys are the linear keys (spot is absent, as in backtests); only
``marks[key]`` touches the feed, through ``frame(key)``, which reads what the decision's bars
lack and hands out the held frame, put on the bars' index here (a bar the exchange has no mark
for is NaN, as in backtests). The decision's own bar still missing after the read raises
:class:`MarkMissing` (a ``KeyError``): a strategy never gets a stale or forward-filled mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MARK_COLUMNS = ["open", "high", "low", "close"]
Window = tuple[int, int]


class MarkMissing(KeyError):
    """The mark-price bar of a decision's bar could not be read."""

    def __str__(self) -> str:  # the message, not KeyError's quoted repr
        return str(self.args[0]) if self.args else ""


def empty_marks() -> pd.DataFrame:
    return pd.DataFrame(columns=MARK_COLUMNS, dtype="float64", index=pd.DatetimeIndex([], tz="UTC"))


def _stamp_ms(stamp: pd.Timestamp) -> int:
    return int(stamp.value // 1_000_000)


def opens_ms(index: pd.Index) -> np.ndarray:
    """Bar opens (a tz-aware ``DatetimeIndex``) in ms (int64), whatever the index's unit."""
    return pd.DatetimeIndex(index).as_unit("ms").asi8


@dataclass
class MarkFeed:
    """Per linear key: the held mark bars (tz-aware UTC index of bar opens, ``MARK_COLUMNS``),
    none older than the key's ``floor`` (the oldest bar of the last decision that read marks)."""

    step_ms: int
    limit: int
    frames: dict[str, pd.DataFrame]
    floor: dict[str, int]
    # the bar each key's last decision-path read was for: at most one read per bar
    fetched_for: dict[str, int] = field(default_factory=dict)

    @classmethod
    def create(cls, keys: Iterable[str], step_ms: int, keep: int, limit: int, last_open_ms: int) -> MarkFeed:
        """The bars up to ``last_open_ms`` (the newest closed at start), ``keep`` of them, are held
        from the first read on; ``limit``: the most bars one read may ask for."""
        if step_ms <= 0 or keep <= 0 or limit <= 0:
            raise ValueError(
                f"mark feed needs a positive bar length, keep and limit: {step_ms}, {keep}, {limit}"
            )
        keys = list(keys)
        first = last_open_ms - (min(keep, limit) - 1) * step_ms
        return cls(step_ms, limit, {k: empty_marks() for k in keys}, dict.fromkeys(keys, first))

    def newest(self, key: str) -> int | None:
        """The open (ms) of the newest mark bar held for ``key``."""
        frame = self.frames[key]
        return _stamp_ms(frame.index[-1]) if len(frame) else None

    def holds(self, key: str, open_ms: int) -> bool:
        newest = self.newest(key)
        return newest is not None and newest >= open_ms

    def due(self, last_open_ms: int) -> list[str]:
        """Keys missing the mark bar opened at ``last_open_ms`` (the newest closed bar)."""
        return [k for k in self.frames if not self.holds(k, last_open_ms)]

    def window(self, key: str, last_open_ms: int) -> Window:
        """``(start, end)`` opens to read for ``key`` in the background: after the newest held
        (from the floor) up to the newest closed bar ``last_open_ms``."""
        newest = self.newest(key)
        start = self.floor[key] if newest is None else max(self.floor[key], newest + self.step_ms)
        return self._clamp(start, last_open_ms)

    def _clamp(self, start: int, end: int) -> Window:
        return max(start, end - (self.limit - 1) * self.step_ms), end

    def lacking(self, key: str, opens: np.ndarray) -> int | None:
        """The first of the bar ``opens`` (ms, ascending) whose mark bar ``key`` does not hold."""
        held = opens_ms(self.frames[key].index)
        absent = ~np.isin(opens, held)
        return int(opens[absent.argmax()]) if absent.any() else None

    def set_floor(self, opens: Mapping[str, np.ndarray]) -> None:
        """A decision reading marks holds these bars (opens in ms): nothing older is kept."""
        for key, bar_opens in opens.items():
            if key in self.floor and len(bar_opens) and bar_opens[0] > self.floor[key]:
                self.floor[key] = int(bar_opens[0])
                frame = self.frames[key]
                self.frames[key] = frame[opens_ms(frame.index) >= self.floor[key]]

    def to_fetch_now(self, key: str, opens: Mapping[str, np.ndarray]) -> dict[str, Window]:
        """What a decision with these bar ``opens`` (per key, ms) that asks for ``key`` reads:
        nothing if every bar of ``key`` is held or its newest was read for already; else, for
        every key lacking some of its bars and not read for its newest yet, the window from the
        first lacking to the newest (each marked as read: one read per bar)."""
        newest = opens[key][-1]
        if self.fetched_for.get(key) == newest or self.lacking(key, opens[key]) is None:
            return {}
        out = {}
        for other, bar_opens in opens.items():
            if other not in self.frames or not len(bar_opens) or self.fetched_for.get(other) == bar_opens[-1]:
                continue
            first = self.lacking(other, bar_opens)
            if first is not None:
                self.fetched_for[other] = int(bar_opens[-1])
                out[other] = self._clamp(first, int(bar_opens[-1]))
        return out

    def merge(self, key: str, rows: pd.DataFrame, last_open_ms: int) -> int:
        """Rows read (store layout: ``ts`` + ``MARK_COLUMNS``) → held; a row opened after
        ``last_open_ms`` (a bar not closed yet) or before the floor is never taken. Returns how
        many rows were taken."""
        ts = rows["ts"].to_numpy(dtype="int64")
        take = (ts <= last_open_ms) & (ts >= self.floor[key])
        if not take.any():
            return 0
        new_ts = ts[take]
        new_values = np.column_stack([rows[c].to_numpy(dtype="float64")[take] for c in MARK_COLUMNS])
        held = self.frames[key]
        held_ts = opens_ms(held.index)
        kept = ~np.isin(held_ts, new_ts)  # a bar read again replaces the held one
        all_ts = np.concatenate([held_ts[kept], new_ts])
        order = np.argsort(all_ts, kind="stable")
        values = np.concatenate([held.to_numpy(dtype="float64")[kept], new_values])[order]
        index = pd.DatetimeIndex(pd.to_datetime(all_ts[order], unit="ms", utc=True))
        self.frames[key] = pd.DataFrame(values, index=index, columns=MARK_COLUMNS)
        return len(new_ts)


class LiveMarks(Mapping[str, pd.DataFrame]):
    """``data.mark`` of one live decision: ``keys`` are the linear keys, and ``marks[key]`` is
    ``frame(key)`` (the held mark bars, after ``frame`` made sure the decision's bar is held)
    on the index of ``bars[key]``, then ``then`` (the cuts of :meth:`MarketData.slice`)."""

    def __init__(
        self,
        keys: Iterable[str],
        bars: Mapping[str, pd.DataFrame],
        frame: Callable[[str], pd.DataFrame],
        then: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    ) -> None:
        self._keys = [k for k in keys if k in bars]
        self._bars = bars
        self._frame = frame
        self._then = then
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._cache:
            if key not in self._keys:
                raise KeyError(key)
            aligned = self._frame(key).reindex(self._bars[key].index)
            self._cache[key] = aligned if self._then is None else self._then(aligned)
        return self._cache[key]

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def map_frames(self, then: Callable[[pd.DataFrame], pd.DataFrame]) -> LiveMarks:
        """The same marks with ``then`` applied to each frame when it is read (reads nothing now)."""
        before = self._then
        both = then if before is None else (lambda frame: then(before(frame)))
        return LiveMarks(self._keys, self._bars, self._frame, both)


def require_bar(key: str, frame: pd.DataFrame, open_ms: int) -> pd.DataFrame:
    """``frame`` if it holds the mark bar opened at ``open_ms``, else :class:`MarkMissing`."""
    if not len(frame) or _stamp_ms(frame.index[-1]) < open_ms:
        when = pd.Timestamp(open_ms, unit="ms", tz="UTC").strftime("%Y-%m-%d %H:%M")
        raise MarkMissing(
            f"{key}: the mark-price bar of the bar opened at {when} UTC ({open_ms}) could not be read"
        )
    return frame
