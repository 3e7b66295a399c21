"""Every risk rule denies a real order end to end: a strategy asks for exposure, the exchange
actor asks the governor, the governor denies (or cuts the order below the instrument's minimum,
for the one rule that only resizes), the decision is in the ledger, and no order with that
decision's orderLinkId reached the simulator.

One runtime serves every rule: the milestone scale is tight in the config it starts with; the
other limits are tightened one at a time through the governor's audited ``set_param``, the
way an operator tightens a limit at runtime. The strategy is :class:`Switch`, so the test says
when it asks for exposure.
"""

from __future__ import annotations

import time
from pathlib import Path

import ray
from openalpha.actors import names

from openalpha.domain import RiskAction, RiskDecision
from openalpha.live.ids import order_link_id
from openalpha.store.ledger import Ledger

from .harness import (
    PAPER,
    InProcessRuntime,
    ledger_state,
    pybit_client,
    sim_in_thread,
    sim_truth,
    strategy_entry,
    wait_for,
    write_config,
)

HOUR_MS = 3_600_000
TIGHT = 1e-15  # a limit this small leaves no room for any new exposure


class Harness:
    def __init__(self, runtime: InProcessRuntime, target_file: Path, url: str) -> None:
        self.runtime = runtime
        self.target_file = target_file
        self.url = url
        self.governor = runtime.actor(names.GOVERNOR)
        plan = runtime.config.strategies[0]
        self.strategy_id = f"{plan.name}.{'+'.join(plan.symbols)}"

    def decisions(self) -> list[RiskDecision]:
        with Ledger.open(self.runtime.database_url) as ledger:
            return ledger.journal.decisions(PAPER, strategy=self.strategy_id)

    def ask(self, target: float, rule: str, timeout: float = 30) -> RiskDecision:
        """Set the strategy's target; returns the first new decision on it by ``rule``."""
        seen = len(self.decisions())
        self.target_file.write_text(repr(target))

        def found() -> RiskDecision | None:
            new = self.decisions()[seen:]
            return next((d for d in new if d.requested == target and d.rule == rule), None)

        return wait_for(f"a decision on {target} by {rule}", found, timeout=timeout)

    def settle(self, target: float) -> None:
        """Ask for ``target`` with loose limits and wait until it is decided and allowed."""
        seen = len(self.decisions())
        self.target_file.write_text(repr(target))
        wait_for(
            f"an allowed decision on {target}",
            lambda: any(d.requested == target and d.allowed for d in self.decisions()[seen:]),
            timeout=30,
        )

    def set(self, name: str, value: float) -> None:
        ray.get(self.governor.set_param.remote(name, value, "test", f"e2e: {name} = {value}"))

    def link_id(self, decision: RiskDecision) -> str:
        return order_link_id(self.strategy_id, decision.symbol, decision.ts // HOUR_MS)

    def sim_links(self) -> set[str]:
        return {o["orderLinkId"] for o in sim_truth(self.url).orders}

    def assert_denied_and_never_sent(self, decision: RiskDecision, rule: str) -> None:
        assert decision.action is RiskAction.DENY and decision.rule == rule, decision
        assert decision.approved == 0.0 or abs(decision.approved) < abs(decision.requested)
        assert self.link_id(decision) not in self.sim_links(), f"{rule}: the denied order reached the sim"


def _pnl_today(runtime: InProcessRuntime) -> float:
    return float(runtime.control.snapshot().env(PAPER).pnl_today)


def _lose_money(url: str, runtime: InProcessRuntime) -> None:
    """Round trips on BTCUSDT by hand (another program on the account): fees make the day red."""
    s = pybit_client(url)
    for _ in range(10):
        if _pnl_today(runtime) < -1.0:
            return
        for side, reduce in (("Buy", False), ("Sell", True)):
            s.place_order(category="linear", symbol="BTCUSDT", side=side, orderType="Market", qty="0.05",
                          reduceOnly=reduce)  # fmt: skip
        wait_for("a red day", lambda: _pnl_today(runtime) < -1.0, timeout=6)


def test_runtime_every_risk_rule_denies_a_real_order(ray_address: str, tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    config = write_config(
        tmp_path / "risk.toml",
        [strategy_entry("Switch", ["ETHUSDT"], "60", target_file=str(target))],
        # the milestone scale is tight from the start; risk per trade is loose so that it is
        # the milestone rule, not the risk budget, that leaves no room
        risk={"risk_per_trade": 1.0, "milestones": [{"equity": 1.0, "risk_scale": 5e-13}]},
    )
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    denied: dict[str, RiskDecision] = {}
    with sim_in_thread(speed=3600) as (url, _state):
        runtime = InProcessRuntime(config, url, db)
        try:
            h = Harness(runtime, target, url)
            # 1. milestone scaling, from the config
            denied["milestone_scaling"] = h.ask(1.0, "milestone_scaling")
            h.assert_denied_and_never_sent(denied["milestone_scaling"], "milestone_scaling")
            h.settle(0.0)
            h.set("risk_scale", 1.0)
            h.set("risk_per_trade", 0.01)
            # 2-4. the sizing rules that deny when no room is left
            for rule, param, loose in (
                ("risk_per_trade", "risk_per_trade", 0.01),
                ("strategy_capital_cap", "max_strategy_capital", 0.3),
                ("volatility_leverage", "target_volatility", 0.6),
            ):
                h.set(param, TIGHT)
                denied[rule] = h.ask(1.0, rule)
                h.assert_denied_and_never_sent(denied[rule], rule)
                h.settle(0.0)
                h.set(param, loose)
            # 5. max order notional only resizes: here to below the instrument's minimum
            h.set("max_order_notional", 1e-9)
            cut = h.ask(1.0, "max_order_notional")
            assert cut.action is RiskAction.RESIZE and abs(cut.approved) < 1e-9, cut
            assert h.link_id(cut) not in h.sim_links()
            denied["max_order_notional"] = cut
            h.settle(0.0)
            h.set("max_order_notional", 50_000.0)
            # 6. order rate: one order a minute; the second within the minute is denied
            h.set("max_orders_per_minute", 1)
            h.settle(0.2)
            wait_for("the first order", lambda: len(h.sim_links()) == 1, timeout=20)
            denied["order_rate"] = h.ask(0.4, "order_rate")
            h.assert_denied_and_never_sent(denied["order_rate"], "order_rate")
            h.set("max_orders_per_minute", 60)
            # 7. strategy drawdown: with a zero-width stop the first dip below its peak halts it
            h.set("strategy_drawdown_stop", TIGHT)
            sign = 1.0
            while not any(d.rule in ("strategy_halted", "strategy_drawdown") for d in h.decisions()):
                sign = -sign
                h.target_file.write_text(repr(0.2 * sign))
                time.sleep(1.5)  # about one bar at this speed
                assert len(h.decisions()) < 400, "the strategy never dipped below its peak"
            denied["strategy_halted"] = h.ask(1.0, "strategy_halted")
            h.assert_denied_and_never_sent(denied["strategy_halted"], "strategy_halted")
            h.settle(0.0)  # reductions pass a halted strategy
            h.set("strategy_drawdown_stop", 0.1)
            ray.get(h.governor.resume.remote(h.strategy_id, "test", "e2e: resume"))
            # 8. daily loss: the day is red (fees of trades by hand), the limit is zero-width
            _lose_money(url, runtime)
            h.set("daily_loss_limit", TIGHT)
            denied["daily_loss"] = h.ask(1.0, "daily_loss")
            h.assert_denied_and_never_sent(denied["daily_loss"], "daily_loss")
            h.settle(0.0)
            h.set("daily_loss_limit", 0.05)
            # 9. account drawdown (may be lowered at runtime, never raised): everything reduce-only
            h.set("account_drawdown_limit", TIGHT)
            denied["account_reduce_only"] = h.ask(1.0, "account_reduce_only")
            h.assert_denied_and_never_sent(denied["account_reduce_only"], "account_reduce_only")
            raised = h.governor.set_param.remote("account_drawdown_limit", 0.5, "test", "raise")
            try:
                ray.get(raised)
                raise AssertionError("the account drawdown limit was raised at runtime")
            except ray.exceptions.RayTaskError as err:
                assert "cannot be raised at runtime" in str(err)
        finally:
            runtime.stop()
    ledger = ledger_state(db)
    kinds = {e.kind for e in ledger.audit}
    assert {"risk.strategy_halted", "risk.account_locked"} <= kinds, kinds
    changes = [e for e in ledger.audit if e.kind.startswith("risk.param")]
    assert changes, "risk parameter changes were not audited"
    stored = {(d.rule, d.ts) for d in ledger.decisions}
    assert all((d.rule, d.ts) in stored for d in denied.values())
    print({rule: d.reason for rule, d in denied.items()})
