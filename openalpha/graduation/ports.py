"""What the stage supervisor needs from the world, as Protocols (implemented above floor 3).

* :class:`StageBook` — the durable record of stage changes with their evidence, and of the
  approval requests for ``mainnet`` (``openalpha.live.stage_book.LedgerStageBook`` writes both
  to the ledger).
* :class:`EvidenceSource` — the numbers: the strategy's latest walk-forward sweep, and what it
  did live since it entered its stage (``openalpha.live.graduation_evidence``).
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from openalpha.domain import Stage
from openalpha.graduation.evaluate import BacktestEvidence, LiveEvidence
from openalpha.graduation.stages import StageTransition


class StageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One stage change as stored: ``from_stage`` is None for a strategy's first stage."""

    strategy: str
    to_stage: Stage
    ts: int
    actor: str
    reason: str
    from_stage: Stage | None = None
    evidence: dict[str, Any] = {}
    capital: float | None = None

    @classmethod
    def of(cls, t: StageTransition) -> StageRecord:
        return cls(
            strategy=t.strategy,
            from_stage=t.from_stage,
            to_stage=t.to_stage,
            ts=t.ts,
            actor=t.actor,
            reason=t.reason,
            evidence=dict(t.evidence),
            capital=t.capital,
        )

    @property
    def kind(self) -> str:
        """``initial``, ``promoted``, ``approved`` (to mainnet), ``demoted`` or ``moved``."""
        order = [Stage.BACKTEST, Stage.PAPER, Stage.TESTNET, Stage.MAINNET]
        if self.from_stage is None:
            return "initial"
        if self.to_stage is Stage.MAINNET:
            return "approved"
        if self.from_stage in order and self.to_stage in order:
            return "promoted" if order.index(self.to_stage) > order.index(self.from_stage) else "demoted"
        return "demoted" if self.to_stage in (Stage.HALTED, Stage.RETIRED) else "moved"


class ApprovalRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A strategy at ``testnet`` cleared every criterion; a human must approve ``mainnet``."""

    strategy: str
    ts: int
    evidence: dict[str, Any] = {}
    suggested_capital: float = 0.0


class StageBook(Protocol):
    def history(self, strategy: str | None = None) -> list[StageRecord]:
        """Stage changes (of one strategy, or all), oldest first."""
        ...

    def record(self, change: StageRecord) -> None: ...

    def request_approval(self, request: ApprovalRequest) -> None: ...

    def approval_requests(self, strategy: str | None = None) -> list[ApprovalRequest]:
        """Every approval request ever made, oldest first."""
        ...


class EvidenceSource(Protocol):
    def backtest(self, strategy: str) -> BacktestEvidence | None:
        """The strategy's newest walk-forward sweep result (None: no sweep recorded)."""
        ...

    def live(self, strategy: str, since_ms: int, until_ms: int) -> LiveEvidence | None:
        """What the strategy did in ``[since_ms, until_ms]`` (None: not measurable now)."""
        ...


__all__ = ["ApprovalRequest", "EvidenceSource", "StageBook", "StageRecord"]
