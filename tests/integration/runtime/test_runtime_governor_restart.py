"""The risk governor actor killed by Ray and restarted: a human's ``set_param`` change, a halt
and the kill switch come back from the ledger's audit log (real Ray, real SQLite ledger)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ray
from openalpha.actors.governor_actor import RiskGovernorActor
from openalpha.actors.ledger_actor import LedgerActor

from openalpha.config.schema import RiskConfig
from openalpha.domain import Environment

from .harness import wait_for


def _pid(actor: Any) -> int | None:
    try:
        return int(ray.get(actor.__ray_call__.remote(lambda _self: os.getpid()), timeout=5))
    except Exception:
        return None


def test_runtime_governor_restart_restores_parameter_changes(ray_address: str, tmp_path: Path) -> None:
    assert ray_address
    ledger = LedgerActor.remote(f"sqlite:///{tmp_path / 'ledger.db'}")  # type: ignore[attr-defined]
    envs = [Environment.PAPER]
    governor = RiskGovernorActor.remote(RiskConfig(), envs, ledger)  # type: ignore[attr-defined]
    try:
        assert ray.get(governor.state.remote())["config"].max_orders_per_minute != 7
        ray.get(governor.set_param.remote("max_orders_per_minute", 7, "alice", "calmer"))
        ray.get(governor.set_param.remote("risk_per_trade", 0.004, "alice", "smaller"))
        ray.get(governor.halt.remote("momo", "alice", "review"))
        ray.get(governor.engage_kill_switch.remote("alice", "incident"))
        pid = _pid(governor)
        ray.kill(governor, no_restart=False)
        wait_for("the restarted governor", lambda: _pid(governor) not in (None, pid), timeout=90)
        state = ray.get(governor.state.remote())
        assert (state["config"].max_orders_per_minute, state["config"].risk_per_trade) == (7, 0.004)
        assert state["halted"] == {"momo": "review"} and state["kill_switch"] is True
        # a fresh governor on the same ledger (the next `openalpha trade`) starts from it too
        fresh = RiskGovernorActor.remote(RiskConfig(), envs, ledger)  # type: ignore[attr-defined]
        assert ray.get(fresh.state.remote())["config"].max_orders_per_minute == 7
        ray.kill(fresh)
    finally:
        ray.kill(governor)
        ray.kill(ledger)
