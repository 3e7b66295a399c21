"""``LedgerStageBook``: graduation's :class:`~openalpha.graduation.ports.StageBook` on the ledger.

Each stage change is two appends: a row in ``stage_history`` (strategy, from, to, actor,
reason, ts) and a system-wide audit event ``graduation.<kind>`` whose ``data`` holds the
evidence (every criterion's value and threshold, the raw numbers) plus ``strategy``, ``from``,
``to`` and ``capital``. Reading joins the two on (strategy, ts, to). Approval requests for
mainnet are audit events ``graduation.approval_requested`` with the same evidence.
"""

from __future__ import annotations

from typing import Any

from openalpha.domain import Event, Stage
from openalpha.domain.events import AuditValue
from openalpha.graduation.ports import ApprovalRequest, StageRecord
from openalpha.store import Ledger, StageChange

SOURCE = "graduation"
REQUESTED = "graduation.approval_requested"
_META = ("strategy", "from", "to", "capital", "suggested_capital")


def _scalar(value: Any) -> AuditValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _data(evidence: dict[str, Any], **meta: Any) -> dict[str, AuditValue]:
    out = {k: _scalar(v) for k, v in evidence.items()}
    out.update({k: _scalar(v) for k, v in meta.items()})
    return out


def _evidence(data: dict[str, AuditValue]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in _META}


class LedgerStageBook:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def record(self, change: StageRecord) -> None:
        self.ledger.registry.record_stage_change(
            StageChange(
                strategy=change.strategy,
                from_stage=change.from_stage,
                to_stage=change.to_stage,
                ts=change.ts,
                actor=change.actor,
                reason=change.reason,
            )
        )
        verb = {"initial": "starts at", "approved": "approved for"}.get(change.kind, f"{change.kind} to")
        self.ledger.journal.audit(
            Event(
                ts=change.ts,
                kind=f"graduation.{change.kind}",
                source=SOURCE,
                actor=change.actor,
                message=f"{change.strategy} {verb} {change.to_stage}: {change.reason}",
                data=_data(
                    change.evidence,
                    strategy=change.strategy,
                    to=str(change.to_stage),
                    capital=change.capital,
                    **{"from": None if change.from_stage is None else str(change.from_stage)},
                ),
            )
        )

    def history(self, strategy: str | None = None) -> list[StageRecord]:
        events = {
            (str(e.data.get("strategy")), e.ts, str(e.data.get("to"))): e
            for e in self.ledger.journal.audit_events(None, kind="graduation.")
            if e.kind != REQUESTED
        }
        out = []
        for row in self.ledger.registry.stage_history(strategy):
            event = events.get((row.strategy, row.ts, str(row.to_stage)))
            data = event.data if event is not None else {}
            capital = data.get("capital")
            out.append(
                StageRecord(
                    strategy=row.strategy,
                    from_stage=row.from_stage,
                    to_stage=row.to_stage,
                    ts=row.ts,
                    actor=row.actor,
                    reason=row.reason,
                    evidence=_evidence(data),
                    capital=float(capital) if isinstance(capital, int | float) else None,
                )
            )
        return out

    def request_approval(self, request: ApprovalRequest) -> None:
        self.ledger.journal.audit(
            Event(
                ts=request.ts,
                kind=REQUESTED,
                source=SOURCE,
                actor=SOURCE,
                message=f"{request.strategy} cleared testnet: mainnet awaits a human approval",
                data=_data(
                    request.evidence, strategy=request.strategy, suggested_capital=request.suggested_capital
                ),
            )
        )

    def approval_requests(self, strategy: str | None = None) -> list[ApprovalRequest]:
        out = []
        for e in self.ledger.journal.audit_events(None, kind=REQUESTED):
            sid = str(e.data.get("strategy"))
            if strategy is not None and sid != strategy:
                continue
            suggested = e.data.get("suggested_capital")
            out.append(
                ApprovalRequest(
                    strategy=sid,
                    ts=e.ts,
                    evidence=_evidence(e.data),
                    suggested_capital=float(suggested) if isinstance(suggested, int | float) else 0.0,
                )
            )
        return out

    def current_stages(self) -> dict[str, Stage]:
        return self.ledger.registry.current_stages()


__all__ = ["LedgerStageBook"]
