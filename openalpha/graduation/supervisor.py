"""``StageSupervisor``: the graduation loop as a plain object (the Ray actor is a thin shell).

On every :meth:`step`, for each strategy:

1. at a live stage (``paper``, ``testnet``, ``mainnet``) it measures what the strategy did since
   it entered the stage and **demotes** it (``paper`` → ``halted``, higher → ``paper``) when the
   drawdown, the Monte Carlo 5th percentile of its sweep, the tracking error against the
   backtest of the same period, or repeated risk denials say so;
2. otherwise it checks the gate out of the stage and **promotes** automatically up to
   ``testnet``; a strategy ready for ``mainnet`` gets an approval request instead (once per
   stay at ``testnet``), which only a human clears with :meth:`approve` and a capital.

Every change is a :class:`StageRecord` with the evidence that justified it, written to the
:class:`StageBook` before anyone is told. Stage start rule (:meth:`load`): a strategy with no
history starts at ``paper`` when it is configured for the paper environment, else ``backtest``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from openalpha.domain import Environment, Stage
from openalpha.graduation.criteria import GraduationCriteria
from openalpha.graduation.evaluate import (
    Assessment,
    BacktestEvidence,
    LiveEvidence,
    allocation,
    assess_demotion,
    assess_promotion,
)
from openalpha.graduation.ports import ApprovalRequest, EvidenceSource, StageBook, StageRecord
from openalpha.graduation.stages import IllegalStageChange, may_trade, transition

LIVE_STAGES = (Stage.PAPER, Stage.TESTNET, Stage.MAINNET)
SUPERVISOR = "graduation"
DAY_MS = 86_400_000


class Review(msgspec.Struct, frozen=True, kw_only=True):
    """Where a strategy stands now: its stage, capital and every check with value and threshold."""

    strategy: str
    env: Environment
    stage: Stage
    since_ms: int
    capital: float
    may_trade: bool
    assessment: Assessment
    demotion: list[str] = []
    demote_to: Stage | None = None
    pending_approval: bool = False
    backtest: BacktestEvidence | None = None
    live: LiveEvidence | None = None
    reason: str = ""  # of the last stage change
    last_change: StageRecord | None = None  # with the evidence that justified it


def initial_stage(env: Environment) -> Stage:
    """The documented start rule for a strategy without stage history."""
    return Stage.PAPER if env is Environment.PAPER else Stage.BACKTEST


def _scalars(prefix: str, struct: msgspec.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return {f"{prefix}{k}": v for k, v in msgspec.structs.asdict(struct).items()}


def evidence_of(a: Assessment, bt: BacktestEvidence | None, live: LiveEvidence | None) -> dict[str, Any]:
    """Flat evidence: every check (value and threshold) plus the raw numbers behind it."""
    out: dict[str, Any] = {}
    for c in a.checks:
        out[c.name] = c.value
        out[f"{c.name}.threshold"] = c.threshold
    out.update(_scalars("backtest.", bt))
    out.update(_scalars("live.", live))
    return out


class StageSupervisor:
    def __init__(
        self,
        book: StageBook,
        evidence: EvidenceSource,
        criteria: GraduationCriteria,
        strategies: Mapping[str, Environment],
        clock: Callable[[Environment], int],
    ) -> None:
        self.book = book
        self.evidence = evidence
        self.criteria = criteria
        self.strategies = dict(strategies)
        self.clock = clock
        self.reviews: dict[str, Review] = {}

    # -- state ----------------------------------------------------------------------------------
    def load(self) -> dict[str, Stage]:
        """Every configured strategy's current stage; records the first stage of new ones."""
        history = self.book.history()
        current = {r.strategy: r.to_stage for r in history}
        for sid, env in self.strategies.items():
            if sid not in current:
                stage = initial_stage(env)
                reason = (
                    "first start: configured for paper"
                    if stage is Stage.PAPER
                    else f"first start: configured for {env}; a sweep verdict must pass first"
                )
                self.book.record(
                    StageRecord(strategy=sid, to_stage=stage, ts=self.clock(env), actor=SUPERVISOR,
                                reason=reason, evidence={"configured_env": str(env)})
                )  # fmt: skip
                current[sid] = stage
        return {sid: current[sid] for sid in self.strategies}

    def last_change(self, sid: str) -> StageRecord | None:
        history = self.book.history(sid)
        return history[-1] if history else None

    def stage(self, sid: str) -> Stage:
        last = self.last_change(sid)
        return last.to_stage if last else initial_stage(self.strategies[sid])

    def capital(self, sid: str, now_ms: int | None = None) -> float:
        """USDT allocated at the current stage (0 where it may not trade)."""
        last = self.last_change(sid)
        stage = last.to_stage if last else Stage.BACKTEST
        since = last.ts if last else 0
        now = now_ms if now_ms is not None else self.clock(self.strategies[sid])
        approved = last.capital if last and last.to_stage is Stage.MAINNET else None
        return allocation(stage, self.criteria, max(0, now - since) / DAY_MS, approved)

    def pending(self, sid: str) -> ApprovalRequest | None:
        """The approval request made during the current stay at ``testnet``, if any."""
        last = self.last_change(sid)
        if last is None or last.to_stage is not Stage.TESTNET:
            return None
        requests = [r for r in self.book.approval_requests(sid) if r.ts >= last.ts]
        return requests[-1] if requests else None

    # -- judgement ------------------------------------------------------------------------------
    def review(self, sid: str) -> Review:
        env = self.strategies[sid]
        last = self.last_change(sid)
        stage = last.to_stage if last else initial_stage(env)
        now = self.clock(env)
        since = last.ts if last else now
        bt = self.evidence.backtest(sid)
        live = self.evidence.live(sid, since, now) if stage in LIVE_STAGES else None
        assessment = assess_promotion(sid, stage, self.criteria, backtest=bt, live=live)
        verdict = None
        if live is not None:
            verdict = assess_demotion(
                stage, self.criteria, live, mc_return_p5=bt.mc_return_p5 if bt else None
            )
        review = Review(
            strategy=sid,
            env=env,
            stage=stage,
            since_ms=since,
            capital=self.capital(sid, now),
            may_trade=may_trade(stage, env),
            assessment=assessment,
            demotion=verdict[1] if verdict else [],
            demote_to=verdict[0] if verdict else None,
            pending_approval=self.pending(sid) is not None,
            backtest=bt,
            live=live,
            reason=last.reason if last else "",
            last_change=last,
        )
        self.reviews[sid] = review
        return review

    def step(self) -> list[StageRecord]:
        """Review every strategy and act; returns the changes made (already recorded)."""
        changes = []
        for sid in self.strategies:
            change = self._act(self.review(sid))
            if change is not None:
                changes.append(change)
                self.review(sid)
        return changes

    def _act(self, r: Review) -> StageRecord | None:
        now = self.clock(r.env)
        evidence = evidence_of(r.assessment, r.backtest, r.live)
        if r.demote_to is not None:
            return self._record(r.strategy, r.stage, r.demote_to, now, "; ".join(r.demotion), evidence)
        a = r.assessment
        if not a.ready or a.target is None:
            return None
        if a.needs_approval:
            if not r.pending_approval:
                self.book.request_approval(
                    ApprovalRequest(strategy=r.strategy, ts=now, evidence=evidence,
                                    suggested_capital=self.criteria.allocation.mainnet_initial)
                )  # fmt: skip
                self.reviews[r.strategy] = msgspec.structs.replace(r, pending_approval=True)
            return None
        reason = f"every {r.stage} criterion passed" + (
            f" (sweep {r.backtest.run_id})" if r.backtest and r.stage is Stage.BACKTEST else ""
        )
        return self._record(r.strategy, r.stage, a.target, now, reason, evidence)

    def _record(
        self,
        sid: str,
        current: Stage,
        target: Stage,
        ts: int,
        reason: str,
        evidence: dict[str, Any],
        *,
        actor: str = SUPERVISOR,
        approved_by: str | None = None,
        capital: float | None = None,
    ) -> StageRecord:
        t = transition(sid, current, target, ts=ts, actor=actor, reason=reason, evidence=evidence,
                       approved_by=approved_by, capital=capital)  # fmt: skip
        record = StageRecord.of(t)
        if record.capital is None:
            record = msgspec.structs.replace(
                record, capital=allocation(target, self.criteria, 0.0, None) if target in LIVE_STAGES else 0.0
            )
        self.book.record(record)
        return record

    # -- humans ---------------------------------------------------------------------------------
    def _known(self, sid: str) -> Environment:
        if sid not in self.strategies:
            known = ", ".join(sorted(self.strategies)) or "none"
            raise IllegalStageChange(f"unknown strategy {sid!r} (known: {known})")
        return self.strategies[sid]

    def approve(self, sid: str, *, user: str, capital: float) -> StageRecord:
        """A human promotes a ``testnet`` strategy with a pending approval request to ``mainnet``."""
        env = self._known(sid)
        stage = self.stage(sid)
        if stage is not Stage.TESTNET:
            raise IllegalStageChange(
                f"{sid} is at {stage}: only a testnet strategy can be approved for mainnet"
            )
        request = self.pending(sid)
        if request is None:
            raise IllegalStageChange(
                f"{sid} has no pending approval request: its testnet criteria are not met yet"
            )
        if not user:
            raise IllegalStageChange("an approval needs the name of the person approving")
        cap = self.criteria.allocation.mainnet_max
        if not 0 < capital <= cap:
            raise IllegalStageChange(f"capital must be > 0 and at most {cap:g} USDT (allocation.mainnet_max)")
        evidence = {**request.evidence, "approval_request_ts": request.ts}
        return self._record(sid, stage, Stage.MAINNET, self.clock(env), f"approved by {user} with {capital:g} USDT",
                            evidence, actor=user, approved_by=user, capital=capital)  # fmt: skip

    def demote(self, sid: str, *, to: Stage, user: str, reason: str) -> StageRecord:
        """A human moves a strategy down to ``paper`` or ``halted`` (with a reason)."""
        env = self._known(sid)
        if to not in (Stage.PAPER, Stage.HALTED):
            raise IllegalStageChange(f"demote goes to paper or halted, not {to}")
        if not reason.strip():
            raise IllegalStageChange("a demotion needs a reason")
        stage = self.stage(sid)
        if stage is to:
            raise IllegalStageChange(f"{sid} is already at {stage}")
        if to is Stage.PAPER and stage is Stage.BACKTEST:
            raise IllegalStageChange(f"{sid} is at backtest: paper is a promotion, earned by a sweep verdict")
        review = self.reviews.get(sid) or self.review(sid)  # what was known when the human decided
        evidence = {
            "stage_before": str(stage),
            "capital_before": review.capital,
            "days_at_stage": max(0, self.clock(env) - review.since_ms) / DAY_MS,
            **evidence_of(review.assessment, review.backtest, review.live),
        }
        return self._record(
            sid, stage, to, self.clock(env), f"{user}: {reason.strip()}", evidence, actor=user
        )


__all__ = ["LIVE_STAGES", "Review", "StageSupervisor", "evidence_of", "initial_stage"]
