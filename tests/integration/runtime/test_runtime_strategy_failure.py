"""A strategy whose ``targets()`` raises on every bar in a running runtime (real Ray, real
simulator): it sends nothing, the rest keeps trading, and the failure is in the snapshot that
``openalpha status`` and the dashboard read."""

from __future__ import annotations

from pathlib import Path

from .harness import (
    FAST_ORDERS,
    InProcessRuntime,
    ledger_state,
    sim_in_thread,
    strategy_entry,
    wait_for,
    write_config,
)


def test_runtime_a_failing_strategy_shows_in_status(ray_address: str, tmp_path: Path) -> None:
    assert ray_address
    entries = [strategy_entry("Raises", ["BTCUSDT"], "15"), strategy_entry("Flip", ["ETHUSDT"], "15")]
    config = write_config(tmp_path / "raises.toml", entries, risk=FAST_ORDERS)
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    with sim_in_thread(speed=3600) as (url, _state):
        runtime = InProcessRuntime(config, url, db)
        try:

            def failing() -> dict[str, object] | None:
                snap = runtime.control.snapshot()
                by_name = {s.name.rsplit(":", 1)[-1]: s for s in snap.strategies}
                s = by_name["Raises"]
                return {"error": s.error, "errors": s.errors, "ts": s.error_ts} if s.errors >= 2 else None

            seen = wait_for("two failed decisions in the snapshot", failing, timeout=90, every=0.5)
            assert str(seen["error"]).startswith("RuntimeError: broken on purpose at ") and seen["ts"] > 0
            assert "second line" not in str(seen["error"])  # the first line of the message only
            orders = ledger_state(db).orders
            assert orders and all(o.symbol == "ETHUSDT" for o in orders.values())  # Flip trades on
        finally:
            runtime.stop()
