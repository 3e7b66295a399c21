"""The stage machine: where a strategy may trade, and how it moves.

``backtest → paper → testnet → mainnet`` on evidence; demotion to ``paper`` or ``halted`` on
degradation; ``retired`` is final. Every move is a :class:`StageTransition` carrying the
evidence (the numbers that justified it) and who made it; the ledger stores each one.
Promotion to ``mainnet`` additionally needs a human approval with the capital allocated.
"""

from __future__ import annotations

from typing import Any

import msgspec

from openalpha.domain import Environment, Stage

_PROMOTE: dict[Stage, Stage] = {
    Stage.BACKTEST: Stage.PAPER,
    Stage.PAPER: Stage.TESTNET,
    Stage.TESTNET: Stage.MAINNET,
}

_ALLOWED: dict[Stage, frozenset[Stage]] = {
    Stage.BACKTEST: frozenset({Stage.PAPER, Stage.HALTED, Stage.RETIRED}),
    Stage.PAPER: frozenset({Stage.TESTNET, Stage.BACKTEST, Stage.HALTED, Stage.RETIRED}),
    Stage.TESTNET: frozenset({Stage.MAINNET, Stage.PAPER, Stage.HALTED, Stage.RETIRED}),
    Stage.MAINNET: frozenset({Stage.TESTNET, Stage.PAPER, Stage.HALTED, Stage.RETIRED}),
    Stage.HALTED: frozenset({Stage.PAPER, Stage.BACKTEST, Stage.RETIRED}),
    Stage.RETIRED: frozenset(),
}

# The environments a stage may send orders to (demo counts as paper: no real money).
_ENVIRONMENTS: dict[Stage, frozenset[Environment]] = {
    Stage.BACKTEST: frozenset(),
    Stage.PAPER: frozenset({Environment.PAPER, Environment.DEMO}),
    Stage.TESTNET: frozenset({Environment.PAPER, Environment.DEMO, Environment.TESTNET}),
    Stage.MAINNET: frozenset(Environment),
    Stage.HALTED: frozenset(),
    Stage.RETIRED: frozenset(),
}


class IllegalStageChange(ValueError):
    """A stage move the machine forbids (or mainnet without approval)."""


class StageTransition(msgspec.Struct, frozen=True, kw_only=True):
    strategy: str
    from_stage: Stage
    to_stage: Stage
    ts: int
    actor: str
    reason: str
    evidence: dict[str, Any] = {}
    capital: float | None = None

    @property
    def is_promotion(self) -> bool:
        return _PROMOTE.get(self.from_stage) is self.to_stage


def next_stage(stage: Stage) -> Stage | None:
    return _PROMOTE.get(stage)


def may_trade(stage: Stage, env: Environment) -> bool:
    """True when a strategy at ``stage`` may send orders to ``env`` (enforced by the runtime)."""
    return env in _ENVIRONMENTS[stage]


def transition(
    strategy: str,
    current: Stage,
    target: Stage,
    *,
    ts: int,
    actor: str,
    reason: str,
    evidence: dict[str, Any] | None = None,
    approved_by: str | None = None,
    capital: float | None = None,
) -> StageTransition:
    """Validate and describe a move; raises :class:`IllegalStageChange` when it is not allowed."""
    if target not in _ALLOWED[current]:
        raise IllegalStageChange(f"{strategy}: {current} -> {target} is not allowed")
    if target is Stage.MAINNET and current is Stage.TESTNET:
        if not approved_by:
            raise IllegalStageChange(f"{strategy}: promotion to mainnet needs a human approval")
        if capital is None or capital <= 0:
            raise IllegalStageChange(f"{strategy}: promotion to mainnet needs the capital allocated (> 0)")
    return StageTransition(
        strategy=strategy,
        from_stage=current,
        to_stage=target,
        ts=ts,
        actor=approved_by or actor,
        reason=reason,
        evidence=dict(evidence or {}),
        capital=capital,
    )
