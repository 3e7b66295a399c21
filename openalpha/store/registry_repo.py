"""Cross-environment records: strategy stage history, the runs index and the model registry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from openalpha.domain import Stage
from openalpha.store.convert import dumps, loads
from openalpha.store.errors import ConflictingRecord, StoreError
from openalpha.store.models import ModelRow, RunRow, StageChangeRow
from openalpha.store.records import ModelRecord, RunRecord, RunStatus, StageChange


def _to_stage_change(row: StageChangeRow) -> StageChange:
    return StageChange(
        strategy=row.strategy,
        from_stage=None if row.from_stage is None else Stage(row.from_stage),
        to_stage=Stage(row.to_stage),
        actor=row.actor,
        reason=row.reason,
        ts=row.ts,
    )


def _to_run(row: RunRow) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        kind=row.kind,  # type: ignore[arg-type]
        strategy=row.strategy,
        status=row.status,  # type: ignore[arg-type]
        path=row.path,
        params=loads(row.params),
        metrics=loads(row.metrics),
        created_ts=row.created_ts,
        finished_ts=row.finished_ts,
    )


def _to_model(row: ModelRow) -> ModelRecord:
    return ModelRecord(
        name=row.name,
        version=row.version,
        kind=row.kind,
        path=row.path,
        sha256=row.sha256,
        params=loads(row.params),
        metrics=loads(row.metrics),
        created_ts=row.created_ts,
    )


class RegistryRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # --- graduation stages ------------------------------------------------------------------

    def record_stage_change(self, change: StageChange) -> None:
        with self._sessions.begin() as session:
            session.add(
                StageChangeRow(
                    strategy=change.strategy,
                    from_stage=None if change.from_stage is None else change.from_stage.value,
                    to_stage=change.to_stage.value,
                    actor=change.actor,
                    reason=change.reason,
                    ts=change.ts,
                )
            )

    def stage_history(self, strategy: str | None = None) -> list[StageChange]:
        query = select(StageChangeRow)
        if strategy is not None:
            query = query.where(StageChangeRow.strategy == strategy)
        with self._sessions() as session:
            rows = session.scalars(query.order_by(StageChangeRow.ts, StageChangeRow.id))
            return [_to_stage_change(r) for r in rows]

    def current_stages(self) -> dict[str, Stage]:
        """Each strategy's stage after its newest change."""
        return {c.strategy: c.to_stage for c in self.stage_history()}

    # --- runs -----------------------------------------------------------------------------

    def record_run(self, run: RunRecord) -> None:
        try:
            with self._sessions.begin() as session:
                session.add(
                    RunRow(
                        run_id=run.run_id,
                        kind=run.kind,
                        strategy=run.strategy,
                        status=run.status,
                        path=run.path,
                        params=dumps(run.params),
                        metrics=dumps(run.metrics),
                        created_ts=run.created_ts,
                        finished_ts=run.finished_ts,
                    )
                )
        except IntegrityError:
            raise ConflictingRecord(f"run {run.run_id} already exists") from None

    def finish_run(
        self, run_id: str, *, status: RunStatus, finished_ts: int, metrics: dict[str, Any] | None = None
    ) -> RunRecord:
        with self._sessions.begin() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise StoreError(f"no run {run_id}")
            row.status = status
            row.finished_ts = finished_ts
            if metrics is not None:
                row.metrics = dumps(metrics)
            return _to_run(row)

    def get_run(self, run_id: str) -> RunRecord | None:
        with self._sessions() as session:
            row = session.get(RunRow, run_id)
            return None if row is None else _to_run(row)

    def runs(
        self, *, kind: str | None = None, strategy: str | None = None, limit: int | None = None
    ) -> list[RunRecord]:
        """Newest first."""
        query = select(RunRow)
        if kind is not None:
            query = query.where(RunRow.kind == kind)
        if strategy is not None:
            query = query.where(RunRow.strategy == strategy)
        query = query.order_by(RunRow.created_ts.desc(), RunRow.run_id).limit(limit)
        with self._sessions() as session:
            return [_to_run(r) for r in session.scalars(query)]

    # --- model registry ---------------------------------------------------------------------

    def next_model_version(self, name: str) -> int:
        with self._sessions() as session:
            current = session.scalar(select(func.max(ModelRow.version)).where(ModelRow.name == name))
        return 1 if current is None else int(current) + 1

    def register_model(self, model: ModelRecord) -> None:
        try:
            with self._sessions.begin() as session:
                session.add(
                    ModelRow(
                        name=model.name,
                        version=model.version,
                        kind=model.kind,
                        path=model.path,
                        sha256=model.sha256,
                        params=dumps(model.params),
                        metrics=dumps(model.metrics),
                        created_ts=model.created_ts,
                    )
                )
        except IntegrityError:
            raise ConflictingRecord(f"model {model.name} v{model.version} already registered") from None

    def models(self, name: str | None = None) -> list[ModelRecord]:
        query = select(ModelRow)
        if name is not None:
            query = query.where(ModelRow.name == name)
        with self._sessions() as session:
            return [_to_model(r) for r in session.scalars(query.order_by(ModelRow.name, ModelRow.version))]

    def latest_model(self, name: str) -> ModelRecord | None:
        found = self.models(name)
        return found[-1] if found else None
