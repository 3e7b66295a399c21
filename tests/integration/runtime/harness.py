"""Shared pieces of the runtime reliability tests.

* the simulator: in a thread of the test process (:func:`sim_in_thread`) or as the user runs it,
  ``openalpha sim`` in its own process group (:class:`SimProcess`);
* the truth: everything the simulator knows about the account, read with pybit's own HTTP client
  (:func:`sim_truth`), and what the ledger holds (:func:`ledger_state`);
* a runtime on the session's Ray (:class:`InProcessRuntime`) and temporary configs
  (:func:`write_config`).

Market data is the real Bybit BTCUSDT/ETHUSDT sample shipped with the package.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from pybit.unified_trading import HTTP

from openalpha.data.sample import SAMPLE_DIR, sample_store
from openalpha.domain import Environment, Fill, Order
from openalpha.live.ids import parse_order_link_id

HERE = Path(__file__).resolve().parent
STRATEGIES = HERE / "strategies_for_tests.py"
KEY, SECRET = "RUNTIMEKEY00000001", "RUNTIMESECRET000000000000000000001"
PAPER = Environment.PAPER
# 2026-05-01 00:00 UTC: inside the sample's 5-minute range, weeks of data after it.
START_MS = int(pd.Timestamp("2026-05-01", tz="UTC").value // 1_000_000)
BALANCE = 10_000.0


def wait_for(what: str, predicate: Callable[[], Any], timeout: float, every: float = 0.2) -> Any:
    """Poll until ``predicate()`` is truthy; returns its value, or fails saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


@contextmanager
def local_ray() -> Iterator[str]:
    """A local Ray (``num_cpus=2``) for this process, or the one already running in it; yields
    its address (for ``--address``) and shuts down only what it started."""
    os.environ["RAY_AUTH_MODE"] = "disabled"
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    import ray
    from openalpha.actors.names import NAMESPACE

    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, log_to_driver=False)
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        if started:
            ray.shutdown()


# -- the simulator -------------------------------------------------------------------------------
class FreezableClock:
    """A replay clock whose market time a test can stop (no more bars, funding or mark moves),
    so balances can be compared exactly once the session is over."""

    def __new__(cls, start_ms: int, speed: float) -> Any:
        from openalpha.sim.clock import ReplayClock

        class _Clock(ReplayClock):
            frozen_at: int | None = None

            def now_ms(self) -> int:
                return self.frozen_at if self.frozen_at is not None else super().now_ms()

            def freeze(self) -> None:
                self.frozen_at = super().now_ms()

        return _Clock(start_ms, speed)


@contextmanager
def sim_in_thread(
    *, speed: float, start_ms: int = START_MS, fault_config: Any = None, seed: int = 0
) -> Iterator[tuple[str, Any]]:
    """The simulator on loopback in this process; yields ``(url, state)``."""
    from openalpha.sim.server import start_sim_in_thread
    from openalpha.sim.state import SimAccount, SimState

    state = SimState(
        store=sample_store(),
        clock=FreezableClock(start_ms, speed),
        accounts=[SimAccount(KEY, SECRET, BALANCE)],
        seed=seed,
    )
    if fault_config is not None:
        state.extensions["fault_config"] = fault_config
    url, stop = start_sim_in_thread(state)
    try:
        yield url, state
    finally:
        stop()


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "OPENALPHA_HOME": str(home), "RAY_AUTH_MODE": "disabled", **extra}
    env.pop("OPENALPHA_DATABASE_URL", None)
    env.pop("RAY_ADDRESS", None)
    return env


@dataclass
class SimProcess:
    """``openalpha sim`` in its own process group, as a user starts it."""

    proc: subprocess.Popen[str]
    url: str

    @classmethod
    def start(
        cls, home: Path, *, speed: float, start_ms: int = START_MS, faults: Path | None = None
    ) -> SimProcess:
        args = [
            sys.executable, "-m", "openalpha", "sim", "--data", str(SAMPLE_DIR),
            "--api-key", KEY, "--api-secret", SECRET, "--balance", str(BALANCE),
            "--start", str(pd.Timestamp(start_ms, unit="ms", tz="UTC").isoformat()), "--speed", str(speed),
        ]  # fmt: skip
        if faults is not None:
            args += ["--faults", str(faults)]
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=cli_env(home),
            start_new_session=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on " not in line:
            proc.kill()
            raise AssertionError(f"openalpha sim did not start: {line!r}")
        return cls(proc, line.split("listening on ", 1)[1].strip())

    def stop(self) -> None:
        kill_group(self.proc, signal.SIGTERM)


def kill_group(proc: subprocess.Popen[Any], sig: int) -> None:
    """Send ``sig`` to the process group of ``proc`` (its own session) and reap it."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


# -- the truth -----------------------------------------------------------------------------------
def pybit_client(url: str) -> HTTP:
    session = HTTP(api_key=KEY, api_secret=SECRET, max_retries=5, retry_delay=0.2)
    session.endpoint = url
    return session


def _paged(call: Callable[..., dict[str, Any]], limit: int, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = ""
    while True:
        result = call(**params, limit=limit, **({"cursor": cursor} if cursor else {}))["result"]
        rows += result["list"]
        cursor = result.get("nextPageCursor") or ""
        if not cursor:
            return rows


@dataclass
class Truth:
    """The simulator's account, as pybit reads it."""

    orders: list[dict[str, Any]]
    executions: list[dict[str, Any]]
    positions: dict[str, Decimal]
    wallet: dict[str, Decimal]

    @property
    def trades(self) -> list[dict[str, Any]]:
        return [e for e in self.executions if e["execType"] == "Trade"]

    @property
    def funding(self) -> list[dict[str, Any]]:
        return [e for e in self.executions if e["execType"] == "Funding"]

    def duplicate_link_ids(self) -> list[str]:
        counts = Counter(o["orderLinkId"] for o in self.orders if o["orderLinkId"])
        return [link for link, n in counts.items() if n > 1]

    def decisions_placed_twice(self) -> list[tuple[str, str, int]]:
        """(strategy tag, symbol, decision sequence) that reached the exchange more than once."""
        parsed = [parse_order_link_id(o["orderLinkId"]) for o in self.orders]
        counts = Counter(p[:3] for p in parsed if p is not None)
        return [d for d, n in counts.items() if n > 1]


def sim_truth(url: str) -> Truth:
    s = pybit_client(url)
    orders = _paged(s.get_order_history, 50, category="linear")
    executions = _paged(s.get_executions, 100, category="linear")
    positions = {
        p["symbol"]: Decimal(p["size"]) * (-1 if p["side"] == "Sell" else 1)
        for p in _paged(s.get_positions, 200, category="linear", settleCoin="USDT")
    }
    account = s.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
    usdt = next(c for c in account["coin"] if c["coin"] == "USDT")
    wallet = {"walletBalance": Decimal(usdt["walletBalance"]), "equity": Decimal(usdt["equity"])}
    return Truth(orders=orders, executions=executions, positions=positions, wallet=wallet)


@dataclass
class LedgerState:
    orders: dict[str, Order]
    fills: dict[str, Fill]
    funding: dict[str, Fill]
    positions: dict[str, Decimal]
    balances: dict[str, Any]
    decisions: list[Any] = field(default_factory=list)
    audit: list[Any] = field(default_factory=list)


def ledger_state(database_url: str) -> LedgerState:
    from openalpha.store.ledger import Ledger

    with Ledger.open(database_url) as ledger:
        return LedgerState(
            orders={o.order_link_id: o for o in ledger.orders.orders(PAPER)},
            fills={f.exec_id: f for f in ledger.executions.fills(PAPER)},
            funding={f.exec_id: f for f in ledger.executions.funding_payments(PAPER)},
            positions={k: p.size for k, p in ledger.account.latest_positions(PAPER).items()},
            balances=ledger.account.latest_balances(PAPER),
            decisions=ledger.journal.decisions(PAPER),
            audit=sorted(
                ledger.journal.audit_events(PAPER) + ledger.journal.audit_events(None), key=lambda e: e.ts
            ),
        )


def assert_ledger_matches(truth: Truth, ledger: LedgerState) -> None:
    """Every simulator order, execution, position and the balance is in the ledger, equal."""
    sim_orders = {o["orderLinkId"]: o for o in truth.orders}
    assert set(sim_orders) == {k for k, o in ledger.orders.items() if o.order_id}, "orders differ"
    for link, o in sim_orders.items():
        mine = ledger.orders[link]
        got = (mine.order_id, str(mine.side), mine.qty, mine.filled_qty, str(mine.status))
        want = (o["orderId"], o["side"], Decimal(o["qty"]), Decimal(o["cumExecQty"]), o["orderStatus"])
        assert got == want, f"order {link}: ledger {got} != simulator {want}"
    never_sent = [o for o in ledger.orders.values() if not o.order_id]
    assert all(not o.is_open for o in never_sent), f"orders left open locally: {never_sent}"
    sim_trades = {e["execId"]: e for e in truth.trades}
    lost = sorted(set(sim_trades) - set(ledger.fills))
    extra = sorted(set(ledger.fills) - set(sim_trades))
    assert not lost and not extra, (
        f"fills differ: {len(lost)} not in the ledger {[sim_trades[e] for e in lost][:3]}, "
        f"{len(extra)} not on the simulator {[ledger.fills[e] for e in extra][:3]}"
    )
    for exec_id, e in sim_trades.items():
        fill = ledger.fills[exec_id]
        got = (fill.order_link_id, fill.qty, fill.price, fill.fee)
        want = (e["orderLinkId"], Decimal(e["execQty"]), Decimal(e["execPrice"]), Decimal(e["execFee"]))
        assert got == want, f"fill {exec_id}: ledger {got} != simulator {want}"
    assert {e["execId"] for e in truth.funding} == set(ledger.funding), "funding payments differ"
    for symbol, size in truth.positions.items():
        unknown = [e.message for e in ledger.audit if e.kind == "reconcile_unknown"][-3:]
        assert ledger.positions.get(symbol, Decimal(0)) == size, (
            f"{symbol} position: ledger {ledger.positions.get(symbol)}, simulator {size}; {unknown}"
        )
    usdt = ledger.balances["USDT"]
    assert usdt.wallet_balance == truth.wallet["walletBalance"], "wallet balance differs"
    assert usdt.equity == truth.wallet["equity"], "equity differs"


# -- configs and the in-process runtime ----------------------------------------------------------
FAST_ORDERS = {"max_orders_per_minute": 100_000}  # Flip orders every bar: no order-rate cap


def write_config(path: Path, strategies: list[dict[str, Any]], risk: dict[str, Any] | None = None) -> Path:
    """A TOML config: the shipped defaults' shape with these strategies and risk overrides."""
    lines = ["[environments.paper]", "enabled = true", "", "[risk]"]
    for key, value in (risk or {}).items():
        if key != "milestones":
            lines.append(f"{key} = {_toml(value)}")
    for milestone in (risk or {}).get("milestones", []):
        lines += ["", "[[risk.milestones]]"] + [f"{k} = {_toml(v)}" for k, v in milestone.items()]
    for strategy in strategies:
        lines += ["", "[[strategies]]", 'env = "paper"']
        for key, value in strategy.items():
            if key != "params":
                lines.append(f"{key} = {_toml(value)}")
        if strategy.get("params"):
            lines += ["[strategies.params]"] + [f"{k} = {_toml(v)}" for k, v in strategy["params"].items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def strategy_entry(cls: str, symbols: list[str], interval: str = "60", **params: Any) -> dict[str, Any]:
    return {
        "name": f"{STRATEGIES}:{cls}",
        "symbols": symbols,
        "interval": interval,
        "capital_fraction": 0.3,
        "params": params,
    }


def flip_config(directory: Path) -> Path:
    """The runtime tests' usual set-up: ``Flip`` (an order every bar) on BTCUSDT and ETHUSDT,
    15-minute bars, no order-rate cap; written to ``directory/flip.toml``."""
    entry = strategy_entry("Flip", ["BTCUSDT", "ETHUSDT"], "15")
    return write_config(directory / "flip.toml", [entry], risk=FAST_ORDERS)


class InProcessRuntime:
    """The whole runtime on the test session's Ray, against a simulator URL."""

    def __init__(self, config_path: Path, url: str, database_url: str) -> None:
        from openalpha.actors.launch import start_runtime

        from openalpha.config import load_config
        from openalpha.live.settings import EnvSettings

        self.config = load_config(config_path)
        self.database_url = database_url
        settings = [EnvSettings(env=PAPER, base_url=url, sim_api_key=KEY, sim_api_secret=SECRET)]
        self.control = start_runtime(self.config, settings, database_url=database_url)

    def actor(self, name: str) -> Any:
        import ray
        from openalpha.actors import names

        return ray.get_actor(name, namespace=names.NAMESPACE)

    def stop(self) -> None:
        """Clean stop (a last reconcile), then the actors are gone and their names free."""
        import ray
        from openalpha.actors import names
        from openalpha.actors.launch import stop_runtime

        stop_runtime(self.control)
        ray.kill(self.control.supervisor, no_restart=True)

        def gone() -> bool:
            try:
                ray.get_actor(names.LEDGER, namespace=names.NAMESPACE)
            except ValueError:
                return True
            return False

        wait_for("the runtime's actors to go away", gone, timeout=30)
