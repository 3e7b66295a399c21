"""The runtime's stage gate: no order reaches an environment above the strategy's stage."""

from __future__ import annotations

from openalpha.domain import Environment, RiskAction, RiskDecision, Signal, Stage
from openalpha.graduation.stages import may_trade

RULE = "graduation"


def stage_gate(signal: Signal, stage: Stage | None, env: Environment) -> RiskDecision | None:
    """None when ``stage`` may trade ``env``; else a DENY with rule ``graduation`` (unknown = deny)."""
    if stage is not None and may_trade(stage, env):
        return None
    return RiskDecision(
        action=RiskAction.DENY,
        rule=RULE,
        reason=f"stage {stage or 'unknown'} may not trade {env}",
        strategy=signal.strategy,
        symbol=signal.symbol,
        ts=signal.ts,
        requested=signal.target,
        approved=0.0,
    )


__all__ = ["RULE", "stage_gate"]
