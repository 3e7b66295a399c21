"""Live strategies see mark-price OHLC (real Ray, real simulator): a strategy reading
``data.mark`` decides and trades on every bar, and the marks each decision saw are the sample
data's mark-price klines of those bars (what a backtest sees), the decision's own bar included,
none later; a strategy that never reads marks makes no mark read on its decision path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ray
from openalpha.actors import names

from openalpha.data.sample import sample_store

from . import harness

HOUR = 3_600_000


def _call(actor: Any, read: Any) -> Any:
    return ray.get(actor.__ray_call__.remote(read), timeout=10)


def _seen(actor: Any) -> list[tuple[int, dict[str, list[tuple[float, ...]]]]]:
    return _call(actor, lambda self: list(self.runner.strategy.seen))  # type: ignore[no-any-return]


def _counts(actor: Any) -> tuple[int, int, int, float]:
    """(mark frames the decisions asked for, reads the decision path made, reads in all, the
    decision-path reads' time in all)."""
    return _call(
        actor,
        lambda self: (
            self.marks.frames_read,
            self.marks.decision_reads,
            self.marks.reads,
            self.marks.decision_read_s,
        ),
    )  # type: ignore[no-any-return]


def _sample_marks(symbol: str) -> dict[int, tuple[float, ...]]:
    frame = sample_store().read("linear", "mark", symbol, "60")
    return {
        int(row[0]): tuple(float(v) for v in row[1:])
        for row in frame[["ts", "open", "high", "low", "close"]].to_numpy()
    }


def _strategy_actor(runtime: harness.InProcessRuntime, cls: str) -> Any:
    listed = ray.util.list_named_actors(all_namespaces=True)
    prefix = names.strategy("")
    found = [
        a["name"]
        for a in listed
        if a["namespace"] == names.NAMESPACE and a["name"].startswith(prefix) and cls in a["name"]
    ]
    assert len(found) == 1, found
    return runtime.actor(found[0])


def test_runtime_a_strategy_reading_marks_sees_the_mark_klines(ray_address: str, tmp_path: Path) -> None:
    assert ray_address
    symbols = ["BTCUSDT", "ETHUSDT"]
    entries = [
        harness.strategy_entry("ReadsMark", symbols, "60"),
        harness.strategy_entry("Flip", ["ETHUSDT"], "60"),
    ]
    config = harness.write_config(tmp_path / "mark.toml", entries, risk=harness.FAST_ORDERS)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with harness.sim_in_thread(speed=3600) as (url, _state):
        runtime = harness.InProcessRuntime(config, url, db)
        try:
            reader, flip = _strategy_actor(runtime, "ReadsMark"), _strategy_actor(runtime, "Flip")
            harness.wait_for(
                "eight decisions reading marks", lambda: len(_seen(reader)) >= 8, timeout=120, every=0.5
            )
            seen = _seen(reader)
            state = _call(reader, lambda self: self.state())
            reader_counts, flip_counts = _counts(reader), _counts(flip)
            flip_decided = _call(flip, lambda self: self.runner.last_decision_ts)
        finally:
            runtime.stop()
    assert "error" not in state  # no decision failed
    opens = [opened for opened, _ in seen]
    assert opens == list(range(opens[0], opens[0] + HOUR * len(opens), HOUR))  # every bar decided
    for symbol in symbols:
        book = _sample_marks(symbol)
        for opened, held in seen:
            rows = held[symbol]
            opens_seen = [int(r[0]) for r in rows]  # the window's bars (a bar the runtime missed is absent)
            assert len(rows) == 3 and opens_seen == sorted(opens_seen) and opens_seen[-1] == opened
            assert [r[1:] for r in rows] == [book[int(r[0])] for r in rows], f"{symbol} at {opened}"
    orders = harness.ledger_state(db).orders.values()
    assert any(o.symbol == "BTCUSDT" for o in orders)  # the mark reader trades
    assert reader_counts[0] >= 2 * len(seen)  # the reader asked for marks at every decision...
    # ...Flip, which never reads them, never did, and made no mark read after the one at start
    assert flip_decided is not None and flip_counts == (0, 0, 1, 0.0)
    print(
        f"mark reads: {reader_counts[1]} on the decision path ({1000 * reader_counts[3] / max(1, reader_counts[1]):.1f} ms"
        f" each on average), {reader_counts[2]} in all, {len(seen)} decisions"
    )
