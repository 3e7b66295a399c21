"""The live mark-price feed's logic (no sockets, no Ray): which mark bars are read and when,
what is merged (never a bar that has not closed, the newest ``keep``), that ``data.mark`` reads
only when a strategy asks for a key (slicing and listing read nothing), and that a bar that
cannot be read fails the decision with a ``KeyError`` naming key and bar, never a stale frame."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import pytest

from openalpha.domain import Bar, MarketData
from openalpha.live import mark_poller
from openalpha.live.mark_feed import LiveMarks, MarkFeed, MarkMissing, require_bar
from openalpha.live.mark_poller import MarkPoller
from openalpha.live.strategy_runner import StrategyRunner
from openalpha.strategies.base import Strategy

HOUR = 3_600_000
DAY = 24 * HOUR


def _rows(opens: list[int]) -> pd.DataFrame:
    """Mark rows as the market client returns them; each value names its bar (open/1e6 + col)."""
    base = np.array(opens, dtype=np.float64) / 1e6
    return pd.DataFrame(
        {
            "ts": np.array(opens, dtype=np.int64),
            "open": base,
            "high": base + 0.3,
            "low": base - 0.3,
            "close": base + 0.1,
        }
    )


def _opens(frame: pd.DataFrame) -> list[int]:
    return [int(t.value // 1_000_000) for t in frame.index]


def _ms(*opens: int) -> np.ndarray:
    return np.array(opens, dtype=np.int64)


def test_the_first_read_is_the_warm_up_window_then_only_what_is_new() -> None:
    feed = MarkFeed.create(["BTCUSDT"], HOUR, keep=3, limit=5, last_open_ms=DAY)
    assert feed.due(DAY) == ["BTCUSDT"]
    assert feed.window("BTCUSDT", DAY) == (DAY - 2 * HOUR, DAY)
    assert feed.merge("BTCUSDT", _rows([DAY - 2 * HOUR, DAY - HOUR, DAY]), DAY) == 3
    assert feed.due(DAY) == [] and feed.due(DAY + HOUR) == ["BTCUSDT"]
    assert feed.window("BTCUSDT", DAY + 2 * HOUR) == (DAY + HOUR, DAY + 2 * HOUR)  # a gap is read too
    assert feed.window("BTCUSDT", DAY + 9 * HOUR) == (DAY + 5 * HOUR, DAY + 9 * HOUR)  # one read: <= limit


def test_merge_takes_no_bar_past_the_newest_closed_nor_before_the_floor_and_replaces_repeats() -> None:
    feed = MarkFeed.create(["BTCUSDT"], HOUR, keep=3, limit=1000, last_open_ms=DAY)
    assert (
        feed.merge("BTCUSDT", _rows([DAY - 3 * HOUR, DAY - 2 * HOUR, DAY - HOUR]), DAY) == 2
    )  # floor DAY - 2h
    # the endpoint also served the forming bar DAY + 2h: not taken
    assert feed.merge("BTCUSDT", _rows([DAY - HOUR, DAY, DAY + HOUR, DAY + 2 * HOUR]), DAY + HOUR) == 3
    frame = feed.frames["BTCUSDT"]
    assert _opens(frame) == [DAY - 2 * HOUR, DAY - HOUR, DAY, DAY + HOUR]
    assert frame.columns.tolist() == ["open", "high", "low", "close"] and frame.index.is_unique
    feed.set_floor({"BTCUSDT": _ms(DAY, DAY + HOUR)})  # a decision holding these bars read marks
    assert _opens(feed.frames["BTCUSDT"]) == [DAY, DAY + HOUR] and feed.floor["BTCUSDT"] == DAY
    feed.set_floor({"BTCUSDT": _ms(DAY - HOUR, DAY)})  # never back
    assert feed.floor["BTCUSDT"] == DAY


def test_bad_feed_settings_are_one_line_errors() -> None:
    with pytest.raises(ValueError, match="positive bar length"):
        MarkFeed.create(["BTCUSDT"], 0, keep=3, limit=1000, last_open_ms=DAY)


def test_the_decision_path_reads_what_its_bars_lack_once_for_every_key_lacking_it() -> None:
    feed = MarkFeed.create(["BTCUSDT", "ETHUSDT", "SOLUSDT"], HOUR, keep=3, limit=1000, last_open_ms=DAY)
    feed.merge("BTCUSDT", _rows([DAY - 2 * HOUR, DAY - HOUR, DAY]), DAY)
    feed.merge("SOLUSDT", _rows([DAY - 2 * HOUR, DAY - HOUR, DAY, DAY + HOUR]), DAY + HOUR)
    # the bars a decision holds after the runtime missed the bar DAY (a gap), per key
    opens = {k: _ms(DAY - 2 * HOUR, DAY - HOUR, DAY + HOUR) for k in ["BTCUSDT", "ETHUSDT", "SOLUSDT"]}
    assert feed.to_fetch_now("SOLUSDT", opens) == {}  # held: nothing read, whatever the others lack
    assert feed.to_fetch_now("BTCUSDT", opens) == {
        "BTCUSDT": (DAY + HOUR, DAY + HOUR),
        "ETHUSDT": (DAY - 2 * HOUR, DAY + HOUR),  # from the first bar it lacks
    }
    assert (
        feed.to_fetch_now("BTCUSDT", opens) == {} and feed.to_fetch_now("ETHUSDT", opens) == {}
    )  # read already
    later = {k: v + HOUR for k, v in opens.items()}  # DAY - h, DAY, DAY + 2h
    assert feed.to_fetch_now("ETHUSDT", later) == {
        "BTCUSDT": (DAY + 2 * HOUR, DAY + 2 * HOUR),
        "ETHUSDT": (DAY - HOUR, DAY + 2 * HOUR),
        "SOLUSDT": (DAY + 2 * HOUR, DAY + 2 * HOUR),
    }


def test_a_missing_bar_is_a_key_error_naming_key_and_bar() -> None:
    feed = MarkFeed.create(["BTCUSDT"], HOUR, keep=2, limit=1000, last_open_ms=DAY - HOUR)
    feed.merge("BTCUSDT", _rows([DAY - HOUR]), DAY - HOUR)
    with pytest.raises(KeyError) as err:
        require_bar("BTCUSDT", feed.frames["BTCUSDT"], DAY)
    assert isinstance(err.value, MarkMissing)
    assert (
        str(err.value)
        == f"BTCUSDT: the mark-price bar of the bar opened at 1970-01-02 00:00 UTC ({DAY}) could not be read"
    )
    assert require_bar("BTCUSDT", feed.frames["BTCUSDT"], DAY - HOUR) is feed.frames["BTCUSDT"]


def _bars(opens: list[int]) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(opens, unit="ms", utc=True))
    return pd.DataFrame({c: 1.0 for c in ["open", "high", "low", "close", "volume"]}, index=index)


def test_live_marks_read_only_the_key_asked_for_aligned_to_the_bars() -> None:
    feed = MarkFeed.create(["BTCUSDT", "ETHUSDT"], HOUR, keep=3, limit=1000, last_open_ms=DAY)
    feed.merge("BTCUSDT", _rows([DAY - HOUR, DAY]), DAY)  # no mark for DAY - 2h
    asked: list[str] = []

    def frame(key: str) -> pd.DataFrame:
        asked.append(key)
        return feed.frames[key]

    opens = [DAY - 2 * HOUR, DAY - HOUR, DAY]
    bars = {"BTCUSDT": _bars(opens), "ETHUSDT": _bars(opens), "BTCUSDT@spot": _bars(opens)}
    marks = LiveMarks(["BTCUSDT", "ETHUSDT"], bars, frame)
    data = MarketData(interval="60", bars=bars, mark=marks)
    assert list(marks) == ["BTCUSDT", "ETHUSDT"] and len(marks) == 2
    assert "BTCUSDT" in marks and "BTCUSDT@spot" not in marks and marks.get("BTCUSDT@spot") is None
    window = data.tail(2)  # slicing reads nothing
    assert list(window.mark) == ["BTCUSDT", "ETHUSDT"] and asked == []
    got = data.mark["BTCUSDT"]
    assert asked == ["BTCUSDT"] and got.index.equals(bars["BTCUSDT"].index)
    assert np.isnan(got.iloc[0]).all() and got["close"].iloc[-1] == DAY / 1e6 + 0.1  # NaN, not filled
    assert data.mark["BTCUSDT"] is got and asked == ["BTCUSDT"]  # once per decision
    assert _opens(window.mark["BTCUSDT"]) == [DAY - HOUR, DAY]  # the cut, applied when read
    with pytest.raises(KeyError):
        _ = data.mark["BTCUSDT@spot"]


# -- the poller around it, with the HTTP read replaced ------------------------------------------
class _Marks(Strategy):
    """Records the newest mark close per decision when ``reads`` (else never touches marks)."""

    name = "marks_for_tests"

    def __init__(self, reads: bool) -> None:
        super().__init__()
        self.reads = reads
        self.seen: list[float] = []

    def warmup(self) -> int:
        return 0

    def targets(self, data: MarketData) -> pd.DataFrame:
        window = data.tail(1)
        if self.reads:
            self.seen.append(float(window.mark["BTCUSDT"]["close"].iloc[-1]))
        return pd.DataFrame({"BTCUSDT": 0.0}, index=window.index)


def _bar(ts: int) -> Bar:
    return Bar(symbol="BTCUSDT", interval="60", ts=ts, open=1.0, high=1.0, low=1.0, close=1.0, volume=1.0)


def _setup(
    monkeypatch: pytest.MonkeyPatch, served: Any, reads_marks: bool
) -> tuple[StrategyRunner, MarkPoller, list[Any]]:
    reads: list[Any] = []

    async def read(client: Any, interval: str, windows: Any) -> Any:
        reads.append(dict(windows))
        return served(windows)

    monkeypatch.setattr(mark_poller, "_read", read)
    runner = StrategyRunner("s1", _Marks(reads_marks), ["BTCUSDT"], "60")
    feed = MarkFeed.create(["BTCUSDT"], HOUR, runner.keep, 1000, DAY - HOUR)
    poller = MarkPoller("http://unused", "60", feed, DAY - HOUR)  # not started: no thread
    runner.marks = poller.marks
    return runner, poller, reads


def _serve(windows: Any) -> Any:
    return {k: _rows(list(range(lo, hi + 1, HOUR))) for k, (lo, hi) in windows.items()}


def test_a_strategy_reading_marks_reads_a_missing_bar_on_the_decision_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner, poller, reads = _setup(monkeypatch, _serve, reads_marks=True)
    runner.on_bar("BTCUSDT", _bar(DAY))  # nothing read in the background: the decision reads it
    assert reads == [{"BTCUSDT": (DAY, DAY)}] and poller.decision_reads == 1
    poller.after_decision(DAY + 2 * HOUR)  # a reader: a bar still missing is read in the background
    assert poller._wake.is_set() and poller.read_due() is False  # it brought DAY + 1h
    runner.on_bar("BTCUSDT", _bar(DAY + HOUR))
    assert reads[1:] == [{"BTCUSDT": (DAY + HOUR, DAY + HOUR)}] and poller.decision_reads == 1
    assert runner.strategy.seen == [DAY / 1e6 + 0.1, (DAY + HOUR) / 1e6 + 0.1]  # type: ignore[attr-defined]
    assert runner.failures == 0 and poller.frames_read == 2 and poller.reads == 2


def test_a_strategy_not_reading_marks_never_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, poller, reads = _setup(monkeypatch, _serve, reads_marks=False)
    for i in range(3):
        assert len(runner.on_bar("BTCUSDT", _bar(DAY + i * HOUR))) == 1
        poller.after_decision(DAY + (i + 1) * HOUR)
        assert not poller._wake.is_set()  # no background read either
    assert reads == [] and poller.decision_reads == 0 and poller.frames_read == 0


def test_an_unreadable_bar_fails_the_decision_once_per_bar(
    monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def served(windows: Any) -> Any:
        raise OSError("connection refused")

    runner, poller, reads = _setup(monkeypatch, served, reads_marks=True)
    with caplog.at_level(logging.WARNING, logger="openalpha.live.mark_poller"):
        assert runner.on_bar("BTCUSDT", _bar(DAY)) == []
    assert len(reads) == 1 and runner.failures == 1
    assert runner.failure == (
        DAY,
        f"MarkMissing: BTCUSDT: the mark-price bar of the bar opened at 1970-01-02 00:00 UTC ({DAY}) could not be read",
    )
    assert "mark feed: reading BTCUSDT failed: OSError: connection refused" in caplog.text
    with pytest.raises(MarkMissing):  # asked again for the same bar: no second read
        poller.frame("BTCUSDT", runner.bars, DAY)
    assert len(reads) == 1


def test_a_model_needing_no_mark_prices_does_not_read_them() -> None:
    from openalpha.ml.features import FEATURES, feature_input, needs_mark

    plain = next(n for n, s in FEATURES.items() if not s.needs)
    assert needs_mark(["basis_mark"]) and not needs_mark([plain]) and needs_mark(None)
    feed = MarkFeed.create(["BTCUSDT"], HOUR, keep=3, limit=1000, last_open_ms=DAY)
    feed.merge("BTCUSDT", _rows([DAY - 2 * HOUR, DAY - HOUR, DAY]), DAY)
    asked: list[str] = []
    bars = {"BTCUSDT": _bars([DAY - 2 * HOUR, DAY - HOUR, DAY])}
    data = MarketData(
        interval="60",
        bars=bars,
        mark=LiveMarks(["BTCUSDT"], bars, lambda k: asked.append(k) or feed.frames[k]),
    )
    assert feature_input(data, "BTCUSDT", mark=needs_mark([plain])).mark_close is None and asked == []
    got = feature_input(data, "BTCUSDT", mark=needs_mark(["basis_mark"])).mark_close
    assert asked == ["BTCUSDT"] and got is not None and got.iloc[-1] == DAY / 1e6 + 0.1
