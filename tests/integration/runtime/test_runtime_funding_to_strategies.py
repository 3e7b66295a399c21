"""Funding settled on the account reaches the strategy actors: after a settlement the simulator
booked (a funding execution in the ledger), the strategy's runner holds that rate at that time,
which its warm-up history could not have had (real Ray, real simulator, real ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ray
from openalpha.actors import names

from .harness import (
    InProcessRuntime,
    flip_config,
    ledger_state,
    sim_in_thread,
    wait_for,
)


def _runner_funding(actor: Any) -> dict[str, dict[int, float]]:
    def read(self: Any) -> dict[str, dict[int, float]]:
        return {
            k: {int(t.value // 1_000_000): float(r) for t, r in s.items()}
            for k, s in self.runner.funding.items()
        }

    return ray.get(actor.__ray_call__.remote(read), timeout=10)  # type: ignore[no-any-return]


def test_runtime_funding_settlements_reach_the_strategy(ray_address: str, tmp_path: Path) -> None:
    assert ray_address
    config = flip_config(tmp_path)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with sim_in_thread(speed=3600) as (url, _state):
        runtime = InProcessRuntime(config, url, db)
        try:
            strategies = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                          if a["namespace"] == names.NAMESPACE and a["name"].startswith(names.strategy(""))]  # fmt: skip
            assert len(strategies) == 1
            strategy = runtime.actor(strategies[0])

            def delivered() -> bool:
                settled = ledger_state(db).funding.values()
                held = _runner_funding(strategy)
                return any(held.get(f.symbol, {}).get(f.ts) == float(f.fee_rate) for f in settled)

            wait_for("a funding settlement in the strategy's data", delivered, timeout=120, every=1.0)
        finally:
            runtime.stop()
