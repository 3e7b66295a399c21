"""An in-memory :class:`~openalpha.graduation.ports.StageBook` (unit tests, dry runs)."""

from __future__ import annotations

from openalpha.graduation.ports import ApprovalRequest, StageRecord


class MemoryStageBook:
    def __init__(self) -> None:
        self.records: list[StageRecord] = []
        self.requests: list[ApprovalRequest] = []

    def history(self, strategy: str | None = None) -> list[StageRecord]:
        return [r for r in self.records if strategy is None or r.strategy == strategy]

    def record(self, change: StageRecord) -> None:
        self.records.append(change)

    def request_approval(self, request: ApprovalRequest) -> None:
        self.requests.append(request)

    def approval_requests(self, strategy: str | None = None) -> list[ApprovalRequest]:
        return [r for r in self.requests if strategy is None or r.strategy == strategy]


__all__ = ["MemoryStageBook"]
