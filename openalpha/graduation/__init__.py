"""The strategy stage machine: backtest, paper, testnet, mainnet (floor 3, pure)."""

from openalpha.graduation.criteria import GraduationCriteria, load_criteria
from openalpha.graduation.evaluate import (
    Assessment,
    BacktestEvidence,
    CriterionCheck,
    LiveEvidence,
    allocation,
    assess_demotion,
    assess_promotion,
    live_evidence,
    tracking_error,
)
from openalpha.graduation.stages import IllegalStageChange, StageTransition, may_trade, next_stage, transition

__all__ = [
    "Assessment",
    "BacktestEvidence",
    "CriterionCheck",
    "GraduationCriteria",
    "IllegalStageChange",
    "LiveEvidence",
    "StageTransition",
    "allocation",
    "assess_demotion",
    "assess_promotion",
    "live_evidence",
    "load_criteria",
    "may_trade",
    "next_stage",
    "tracking_error",
    "transition",
]
