"""A strategy that never holds a position still hears every funding settlement (real Ray, real
simulator): the runtime reads the perps' public funding history, so each decision sees exactly
the settlements before its bar's close — the ones after start included, from the decision of
the bar that opens at the settlement on — and never one after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import ray
from openalpha.actors import names

from openalpha.data.sample import sample_store

from .harness import (
    START_MS,
    InProcessRuntime,
    ledger_state,
    pybit_client,
    sim_in_thread,
    strategy_entry,
    wait_for,
    write_config,
)

HOUR = 3_600_000
BAR = 15 * 60_000


def _seen(actor: Any) -> list[tuple[int, dict[str, list[tuple[int, float]]]]]:
    def read(self: Any) -> Any:
        return list(self.runner.strategy.seen)

    return ray.get(actor.__ray_call__.remote(read), timeout=10)  # type: ignore[no-any-return]


def _sample_funding(symbol: str) -> list[tuple[int, float]]:
    frame = sample_store().read("linear", "funding", symbol, "funding")
    return list(zip(frame["ts"].tolist(), frame["rate"].tolist(), strict=True))


def test_runtime_a_flat_strategy_sees_settlements_after_start(ray_address: str, tmp_path: Path) -> None:
    assert ray_address
    symbols = ["BTCUSDT", "ETHUSDT"]
    config = write_config(tmp_path / "flat.toml", [strategy_entry("WatchesFunding", symbols, "15")])
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with sim_in_thread(speed=3600) as (url, state):
        # the simulator serves no settlement after its clock, even when asked for one
        asked = pybit_client(url).get_funding_rate_history(
            category="linear", symbol="BTCUSDT", startTime=START_MS, endTime=START_MS + 30 * 24 * HOUR
        )["result"]["list"]
        assert max(int(i["fundingRateTimestamp"]) for i in asked) <= state.clock.now_ms()
        runtime = InProcessRuntime(config, url, db)
        try:
            listed = ray.util.list_named_actors(all_namespaces=True)
            strategy = runtime.actor(next(a["name"] for a in listed if a["namespace"] == names.NAMESPACE
                                          and a["name"].startswith(names.strategy(""))))  # fmt: skip
            first = _seen(strategy)
            last_wanted = (START_MS // (8 * HOUR) + 3) * 8 * HOUR  # two settlements after start, at least
            wait_for(
                "decisions past two settlements after start",
                lambda: (s := _seen(strategy)) and s[-1][0] >= last_wanted,
                timeout=120,
                every=0.5,
            )
            seen = _seen(strategy)
        finally:
            runtime.stop()
    assert not ledger_state(db).fills  # flat throughout: nothing came from the account
    start = seen[0][0]  # the first decision's bar: every settlement from it on must be seen
    assert first == [] or first[0][0] == start
    after_start = 0
    for symbol in symbols:
        book = _sample_funding(symbol)
        for opened, held in seen:
            close = opened + BAR
            before = [(t, r) for t, r in book if t < close]  # what the backtest sees at this close
            got = [(t, r) for t, r in held[symbol] if t < close]
            where = f"{symbol} at the bar {pd.Timestamp(opened, unit='ms')}"
            assert all(t <= close for t, _ in held[symbol]), f"{where}: a settlement after the bar close"
            assert got == before[len(before) - len(got) :], f"{where}: {got} is not the newest of the sample"
            if before[-1][0] >= start:
                assert got and got[-1] == before[-1], f"{where}: {before[-1]} missing from {got}"
        after_start += sum(1 for t, _ in book if start <= t < seen[-1][0])
    assert after_start >= 4  # the decisions did span settlements the warm-up could not have had
