"""The governor: composition, latches, kill switch, audited and revertible parameter changes."""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openalpha.config import RiskConfig
from openalpha.domain import Environment, RiskAction
from openalpha.risk import ManualClock, RiskGovernor, RiskParamError, RiskRequest, RiskState

T0 = 1_717_200_000_000
STATE = RiskState(
    equity=20_000.0,
    peak_equity=20_000.0,
    day_start_equity=20_000.0,
    strategy_equity=6_000.0,
    strategy_peak_equity=6_000.0,
    strategy_other_notional=0.0,
)


def governor(**config: object) -> tuple[RiskGovernor, ManualClock]:
    clock = ManualClock(T0)
    return RiskGovernor(RiskConfig(**config), clock, env=Environment.PAPER), clock  # type: ignore[arg-type]


def req(target: float, current: float | None = 0.0, strategy: str = "momo", **kw: object) -> RiskRequest:
    kw.setdefault("volatility", 0.6)
    kw.setdefault("stop_distance", 0.05)
    return RiskRequest(strategy=strategy, symbol="BTCUSDT", ts=T0, target=target, current=current,
                       **kw)  # type: ignore[arg-type]  # fmt: skip


def state(**kw: object) -> RiskState:
    return msgspec.structs.replace(STATE, **kw)


def test_governor_allows_a_healthy_request() -> None:
    gov, _ = governor()
    decision = gov.evaluate(req(0.5), STATE)
    assert decision.action is RiskAction.ALLOW and decision.approved == 0.5 and decision.rule == "governor"
    assert gov.drain_events() == []


def test_governor_first_deny_wins() -> None:
    gov, _ = governor()
    decision = gov.evaluate(req(0.5, volatility=None, stop_distance=None), state(equity=18_900.0))
    assert decision.rule == "daily_loss"  # also no volatility, but the daily loss rule comes first
    assert decision.action is RiskAction.DENY and decision.approved == 0.0


@pytest.mark.parametrize(("vol", "max_notional", "rule", "approved"), [
    (1.2, 3_600.0, "volatility_leverage", 0.5),   # vol cap 0.5 < order cap 0.6
    (1.0, 2_400.0, "max_order_notional", 0.4),    # order cap 0.4 < vol cap 0.6
])  # fmt: skip
def test_governor_resizes_compose_to_the_smallest(
    vol: float, max_notional: float, rule: str, approved: float
) -> None:
    gov, _ = governor(max_order_notional=max_notional)
    decision = gov.evaluate(req(1.0, volatility=vol), STATE)
    assert decision.action is RiskAction.RESIZE and decision.rule == rule
    assert math.isclose(decision.approved, approved) and decision.requested == 1.0


@pytest.mark.parametrize(
    "unknown", ["position", "equity", "strategy_equity", "peak_equity", "day_start_equity"]
)
def test_governor_denies_when_state_is_unknown(unknown: str) -> None:
    gov, _ = governor()
    if unknown == "position":
        decision = gov.evaluate(req(0.0, current=None), STATE)
    else:
        decision = gov.evaluate(req(0.0, current=0.3), state(**{unknown: None}))  # even a reduction
    assert decision.action is RiskAction.DENY and "unknown" in decision.reason


def test_governor_kill_switch_denies_everything_and_is_audited() -> None:
    gov, clock = governor()
    gov.engage_kill_switch(actor="alice", reason="exchange incident")
    assert gov.evaluate(req(0.0, current=0.5), STATE).rule == "kill_switch"
    clock.advance(1_000)
    gov.release_kill_switch(actor="alice", reason="resolved")
    assert gov.evaluate(req(0.5), STATE).action is RiskAction.ALLOW
    events = gov.drain_events()
    assert [(e.kind, e.actor, e.ts, e.env) for e in events] == [
        ("risk.kill_switch", "alice", T0, Environment.PAPER),
        ("risk.kill_switch_released", "alice", T0 + 1_000, Environment.PAPER),
    ]
    assert gov.drain_events() == []


def test_governor_halts_a_strategy_past_its_drawdown_stop_until_resumed() -> None:
    gov, _ = governor()
    down = state(strategy_equity=5_300.0)
    first = gov.evaluate(req(0.5), down)
    assert first.rule == "strategy_halted" and "drawdown -11.67 % hit the stop" in first.reason
    recovered = state(strategy_equity=5_900.0)
    assert gov.evaluate(req(0.5), recovered).rule == "strategy_halted"  # sticky
    assert gov.evaluate(req(0.0, current=0.5), recovered).action is RiskAction.ALLOW  # may flatten
    assert gov.evaluate(req(0.5, strategy="carry"), recovered).action is RiskAction.ALLOW  # others trade
    gov.resume("momo", actor="alice", reason="reviewed")
    assert gov.evaluate(req(0.5), recovered).action is RiskAction.ALLOW
    kinds = [e.kind for e in gov.drain_events()]
    assert kinds == ["risk.strategy_halted", "risk.strategy_resumed"]


def test_governor_account_drawdown_locks_reduce_only_until_cleared() -> None:
    gov, _ = governor()
    assert gov.evaluate(req(0.5), state(equity=16_900.0)).action is RiskAction.DENY
    back = state(equity=19_000.0, day_start_equity=19_000.0)
    assert gov.evaluate(req(0.5), back).rule == "account_reduce_only"
    assert gov.evaluate(req(0.2, current=0.5), back).action is RiskAction.ALLOW
    gov.clear_account_lock(actor="alice", reason="post-mortem done")
    assert gov.evaluate(req(0.5), back).action is RiskAction.ALLOW
    events = gov.drain_events()
    assert [e.kind for e in events] == ["risk.account_locked", "risk.account_unlocked"]
    assert events[0].data["drawdown"] == pytest.approx(-0.155)


def test_governor_account_limit_can_be_lowered_never_raised() -> None:
    gov, _ = governor()
    lowered = gov.set_param("account_drawdown_limit", 0.10, actor="alice", reason="tighter")
    assert gov.config.account_drawdown_limit == 0.10
    with pytest.raises(RiskParamError, match="cannot be raised at runtime"):
        gov.set_param("account_drawdown_limit", 0.12, actor="alice", reason="loosen")
    with pytest.raises(RiskParamError, match="would raise account_drawdown_limit"):
        gov.revert(lowered.id, actor="alice")
    assert gov.config.account_drawdown_limit == 0.10
    assert gov.evaluate(req(0.5), state(equity=17_900.0)).action is RiskAction.DENY  # -10.5 % now breaches


def test_governor_param_changes_are_audited_and_revertible() -> None:
    gov, clock = governor()
    change = gov.set_param("risk_per_trade", 0.02, actor="alice", reason="more risk")
    clock.advance(5_000)
    undo = gov.revert(change.id, actor="bob")
    assert gov.config.risk_per_trade == 0.01
    assert (undo.old, undo.new, undo.reverts, undo.actor, undo.ts) == (
        0.02,
        0.01,
        change.id,
        "bob",
        T0 + 5_000,
    )
    events = gov.drain_events()
    assert [e.data["name"] for e in events] == ["risk_per_trade", "risk_per_trade"]
    assert events[1].data["reverts"] == change.id
    with pytest.raises(RiskParamError, match=r"risk.risk_per_trade = 1.5 rejected"):
        gov.set_param("risk_per_trade", 1.5, actor="alice", reason="typo")
    with pytest.raises(RiskParamError, match="unknown risk parameter 'max_drawdown'"):
        gov.set_param("max_drawdown", 0.2, actor="alice", reason="?")
    assert [c.id for c in gov.changes] == [1, 2]


def test_governor_milestone_crossing_is_an_automatic_revertible_change() -> None:
    gov, _ = governor()
    request = req(3.0, stop_distance=0.02, volatility=0.2, leverage=10.0)  # risk per trade binds
    small = gov.evaluate(request, state(equity=24_000.0, peak_equity=24_000.0, day_start_equity=24_000.0))
    rich = state(equity=26_000.0, peak_equity=26_000.0, day_start_equity=26_000.0)
    scaled = gov.evaluate(request, rich)
    assert math.isclose(small.approved, 24_000 * 0.01 / 0.02 / 6_000)
    assert math.isclose(scaled.approved, 26_000 * 0.01 * 0.8 / 0.02 / 6_000)
    (auto,) = gov.changes
    assert auto.automatic and (auto.name, auto.old, auto.new) == ("risk_scale", 1.0, 0.8)
    gov.revert(auto.id, actor="alice", reason="keep full risk")
    pinned = gov.evaluate(request, rich)
    assert math.isclose(pinned.approved, 26_000 * 0.01 / 0.02 / 6_000)
    assert [e.data["automatic"] for e in gov.drain_events()] == [True, False]


def test_governor_order_rate_counts_only_real_orders() -> None:
    gov, clock = governor(max_orders_per_minute=2)
    assert gov.evaluate(req(0.1), STATE).action is RiskAction.ALLOW
    assert gov.evaluate(req(0.1, current=0.1), STATE).action is RiskAction.ALLOW  # no move: not an order
    clock.advance(1_000)
    assert gov.evaluate(req(0.2, current=0.1), STATE).action is RiskAction.ALLOW
    assert gov.evaluate(req(0.3, current=0.2), STATE).rule == "order_rate"
    clock.advance(60_000)
    assert gov.evaluate(req(0.3, current=0.2), STATE).action is RiskAction.ALLOW


finite = st.floats(min_value=-8, max_value=8, allow_nan=False)
money = st.one_of(st.none(), st.floats(min_value=1, max_value=1e6))


@settings(max_examples=300, deadline=None)
@given(
    target=finite, current=finite, vol=st.one_of(st.none(), st.floats(0.01, 3)),
    equity=money, strategy_equity=money, other=st.floats(0, 1e5),
)  # fmt: skip
def test_governor_property_approved_lies_between_current_and_target(
    target: float,
    current: float,
    vol: float | None,
    equity: float | None,
    strategy_equity: float | None,
    other: float,
) -> None:
    gov, _ = governor()
    s = state(equity=equity, peak_equity=equity and equity * 1.05, day_start_equity=equity,
              strategy_equity=strategy_equity, strategy_peak_equity=strategy_equity,
              strategy_other_notional=other)  # fmt: skip
    d = gov.evaluate(req(target, current=current, volatility=vol, stop_distance=None), s)
    low, high = sorted((current, target))
    assert low - 1e-9 <= d.approved <= high + 1e-9
    assert d.reason
    if d.action is RiskAction.DENY:
        assert d.approved == current
    if None in (equity, strategy_equity):
        assert d.action is RiskAction.DENY
    if d.action is not RiskAction.DENY and vol is not None and abs(d.approved) > abs(current) + 1e-9:
        assert abs(d.approved) <= min(5.0, 0.6 / vol) + 1e-9


def _busy_governor() -> tuple[RiskGovernor, list[object]]:
    gov, clock = governor()
    gov.evaluate(req(0.5), state(strategy_equity=5_300.0))  # halts momo
    gov.halt("carry", actor="alice", reason="manual review")
    gov.evaluate(req(0.5), state(equity=16_000.0))  # locks the account
    gov.set_param("risk_per_trade", 0.02, actor="alice", reason="more")
    lowered = gov.set_param("max_orders_per_minute", 30, actor="alice", reason="calmer")
    gov.revert(lowered.id, actor="bob")
    gov.set_param("account_drawdown_limit", 0.12, actor="alice", reason="tighter")
    rich = state(equity=60_000.0, peak_equity=60_000.0, day_start_equity=60_000.0)
    clock.advance(1)
    gov.clear_account_lock(actor="alice", reason="reviewed")
    gov.evaluate(req(0.1), state(equity=20_000.0))
    gov.evaluate(req(0.1), rich)  # automatic milestone change 1.0 -> 0.6
    gov.set_param("risk_scale", 0.9, actor="alice", reason="pin")
    gov.engage_kill_switch(actor="alice", reason="incident")
    return gov, list(gov.drain_events())


def test_governor_restores_its_state_from_audit_events() -> None:
    before, events = _busy_governor()
    after, _ = governor()
    after.restore(events)  # type: ignore[arg-type]
    assert after.kill_switch and after.halted == before.halted and set(after.halted) == {"momo", "carry"}
    assert after.account_locked is None
    assert after.config == before.config
    assert (after.config.risk_per_trade, after.config.account_drawdown_limit) == (0.02, 0.12)
    assert after.config.max_orders_per_minute == 60
    assert after.params.pinned_scale == 0.9
    assert [(c.id, c.name, c.new, c.automatic) for c in after.changes] == [
        (c.id, c.name, c.new, c.automatic) for c in before.changes
    ]
    assert after.set_param("max_leverage", 3.0, actor="x", reason="y").id == len(before.changes) + 1
    assert after.drain_events()[-1].data["name"] == "max_leverage"  # restore itself emitted nothing


def test_governor_restore_lets_an_edited_config_win() -> None:
    _, events = _busy_governor()
    clock = ManualClock(T0)
    edited = RiskGovernor(RiskConfig(account_drawdown_limit=0.2, risk_per_trade=0.015), clock)
    edited.restore(events)  # type: ignore[arg-type]
    assert edited.config.account_drawdown_limit == 0.2  # the logged 0.15 -> 0.12 no longer applies
    assert edited.config.risk_per_trade == 0.015
