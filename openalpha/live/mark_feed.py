"""The mark-price OHLC a live strategy sees in ``data.mark`` (pure: no I/O).

:class:`MarkFeed` holds the last ``keep`` closed mark-price bars of each linear (perp) key, as
``/v5/market/mark-price-kline`` served them: which bars are missing, the window to read, the
merge (never a bar that has not closed). :class:`LiveMarks` is the read-only mapping a decision
gets as ``data.mark``: its keys are the linear keys (spot is absent, as in backtests); only
``marks[key]`` touches the feed, and it hands out the held frame on the bars' index, asking
``ensure`` first when the decision's own bar is missing. A bar still missing after that raises
:class:`MarkMissing` (a ``KeyError``): a strategy never gets a stale or forward-filled mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

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


@dataclass
class MarkFeed:
    """Per linear key: the held mark bars (tz-aware UTC index of bar opens, ``MARK_COLUMNS``)."""

    step_ms: int
    keep: int
    frames: dict[str, pd.DataFrame]
    # the bar each key's last decision-path read was for: at most one read per bar
    fetched_for: dict[str, int] = field(default_factory=dict)

    @classmethod
    def create(cls, keys: Iterable[str], step_ms: int, keep: int, limit: int) -> MarkFeed:
        """``limit``: the most bars one read may ask for (a read asks for at most ``keep``)."""
        if step_ms <= 0 or keep <= 0 or limit <= 0:
            raise ValueError(
                f"mark feed needs a positive bar length, keep and limit: {step_ms}, {keep}, {limit}"
            )
        return cls(step_ms=step_ms, keep=min(keep, limit), frames={k: empty_marks() for k in keys})

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
        """``(start, end)`` opens to read for ``key``: after the newest held (at most ``keep``
        bars back) up to the newest closed bar ``last_open_ms``."""
        oldest = last_open_ms - (self.keep - 1) * self.step_ms
        newest = self.newest(key)
        return (oldest if newest is None else max(oldest, newest + self.step_ms)), last_open_ms

    def to_fetch_now(self, key: str, open_ms: int) -> dict[str, Window]:
        """What a decision at the bar opened at ``open_ms`` that asks for ``key`` reads: nothing
        if that bar is held for ``key`` or was read for it already; else the windows of every key
        missing that bar and not read for it yet (each marked as read: one read per bar)."""
        if self.holds(key, open_ms) or self.fetched_for.get(key) == open_ms:
            return {}
        out = {}
        for other in self.frames:
            if not self.holds(other, open_ms) and self.fetched_for.get(other) != open_ms:
                self.fetched_for[other] = open_ms
                out[other] = self.window(other, open_ms)
        return out

    def merge(self, key: str, rows: pd.DataFrame, last_open_ms: int) -> int:
        """Rows read (store layout: ``ts`` + ``MARK_COLUMNS``) → held, newest ``keep`` kept; a
        row opened after ``last_open_ms`` (a bar not closed yet) is never taken. Returns how
        many rows were taken."""
        ts = rows["ts"].to_numpy(dtype="int64")
        fresh = rows[ts <= last_open_ms]
        if not len(fresh):
            return 0
        index = pd.DatetimeIndex(pd.to_datetime(fresh["ts"].to_numpy(dtype="int64"), unit="ms", utc=True))
        new = pd.DataFrame(fresh[MARK_COLUMNS].to_numpy(dtype="float64"), index=index, columns=MARK_COLUMNS)
        held = self.frames[key]
        merged = pd.concat([held[~held.index.isin(index)], new]).sort_index()
        self.frames[key] = merged[~merged.index.duplicated(keep="last")].tail(self.keep)
        return len(new)


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
