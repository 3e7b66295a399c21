"""The runtime killed with SIGKILL at random moments, restarted each time, against one external
simulator that keeps its state: ``openalpha sim`` and ``openalpha trade --env paper --paper-url``
as a user runs them, the trade process group killed with ``kill -9``.

Afterwards: no orderLinkId twice on the exchange and no decision placed twice, every execution
of the simulator is in the ledger (nothing lost), and the fills in the ledger explain the
exchange's positions exactly (positions reconcile).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from .harness import (
    KEY,
    SECRET,
    SimProcess,
    cli_env,
    flip_config,
    kill_group,
    ledger_state,
    sim_truth,
    wait_for,
)

LIVES = 10
SEED = int(os.environ.get("OPENALPHA_SIGKILL_SEED", "20261124"))


class TradeProcess:
    """``openalpha trade`` in its own process group; remembers when the runtime came up."""

    def __init__(self, home: Path, config: Path, url: str, ray_address: str, duration: float | None) -> None:
        args = [
            sys.executable, "-m", "openalpha", "trade", "--env", "paper", "--paper-url", url,
            "--no-ui", "--config", str(config), "--address", ray_address,
        ]  # fmt: skip
        if duration is not None:
            args += ["--duration", str(duration)]
        env = cli_env(home, OPENALPHA_PAPER_API_KEY=KEY, OPENALPHA_PAPER_API_SECRET=SECRET)
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
        )
        self.up = threading.Event()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("runtime up in"):
                self.up.set()


def _runtime_gone() -> bool:
    return not (_named_actor_alive("SUPERVISOR") or _named_actor_alive("LEDGER"))


def _named_actor_alive(which: str) -> bool:
    """Whether the named actor is still registered. Right after a SIGKILL the name can outlive
    its job's function table: ``get_actor`` then fails loading the class (an AssertionError
    inside Ray, "Expected str or bytes, got NoneType") — the actor is still going away."""
    import ray
    from openalpha.actors import names

    try:
        ray.get_actor(getattr(names, which), namespace=names.NAMESPACE)
    except ValueError:
        return False
    except AssertionError:
        return True
    return True


@pytest.mark.slow
def test_runtime_survives_sigkill_without_duplicates_or_lost_fills(ray_address: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    home = tmp_path / "home"
    home.mkdir()
    config = flip_config(tmp_path)
    sim = SimProcess.start(home, speed=3600)
    kills: list[str] = []
    try:
        for life in range(LIVES):
            trade = TradeProcess(home, config, sim.url, ray_address, duration=None)
            if life % 2 == 0:  # any moment, mostly while it starts: connecting, reconciling, warming up
                time.sleep(rng.uniform(0.5, 10.0))
                phase = "trading" if trade.up.is_set() else "start"
            else:  # a random moment while trading
                assert trade.up.wait(90), "".join(trade.output)[-3000:]
                time.sleep(rng.uniform(0.2, 4.0))
                phase = "trading"
            assert trade.proc.poll() is None, "".join(trade.output)[-3000:]
            kill_group(trade.proc, signal.SIGKILL)
            kills.append(phase)
            wait_for("the killed runtime's actors to go away", _runtime_gone, timeout=60)
        # one last life that stops cleanly (its last reconcile writes the final positions)
        final = TradeProcess(home, config, sim.url, ray_address, duration=6.0)
        assert final.proc.wait(timeout=120) == 0, "".join(final.output)[-3000:]
        assert f"simulator (paper) at {sim.url}" in final.output[0]
        assert final.output[-1].strip() == "stopped cleanly"
        truth = sim_truth(sim.url)
    finally:
        sim.stop()
    ledger = ledger_state(f"sqlite:///{home / 'openalpha.db'}")
    assert len(kills) >= 10 and kills.count("trading") >= 5
    assert len(truth.trades) > 20, "too little trading to prove anything"
    # zero duplicate orders
    assert truth.duplicate_link_ids() == []
    assert truth.decisions_placed_twice() == []
    sent = {k: o for k, o in ledger.orders.items() if o.order_id}
    assert sorted(o["orderLinkId"] for o in truth.orders) == sorted(sent)
    # zero lost fills
    missing = {e["execId"] for e in truth.trades} - set(ledger.fills)
    assert not missing, f"{len(missing)} executions of the simulator are not in the ledger"
    # positions reconcile: our fills explain the exchange's positions, and the ledger says so
    from_fills: dict[str, Decimal] = defaultdict(Decimal)
    for fill in ledger.fills.values():
        from_fills[fill.symbol] += fill.qty * fill.side.sign
    for symbol, size in truth.positions.items():
        assert from_fills[symbol] == size, f"{symbol}: fills sum to {from_fills[symbol]}, exchange has {size}"
        assert ledger.positions[symbol] == size
    print(f"{len(kills)} kills ({kills.count('trading')} while trading), {len(truth.orders)} orders, "
          f"{len(truth.trades)} fills, seed {SEED}")  # fmt: skip
