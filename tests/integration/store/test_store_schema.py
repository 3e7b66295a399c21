"""Migrations produce exactly the ORM schema, on both backends, and run idempotently."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, inspect, text
from sqlalchemy.exc import DBAPIError

from openalpha.domain import Event
from openalpha.store import Ledger, StoreError, current_revision, head_revision, make_engine
from openalpha.store.migrate import downgrade, upgrade
from openalpha.store.models import Base


def _diff(ledger: Ledger, metadata: MetaData) -> list[object]:
    with ledger.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_store_migrated_schema_equals_orm_metadata(ledger: Ledger) -> None:
    assert current_revision(ledger.engine) == head_revision()
    assert _diff(ledger, Base.metadata) == []


def test_store_schema_comparison_detects_a_drift(ledger: Ledger) -> None:
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["orders"].append_column(Column("extra", Integer, nullable=True))
    diff = _diff(ledger, drifted)
    assert any(d[0] == "add_column" and d[3].name == "extra" for d in diff if isinstance(d, tuple))


def test_store_upgrade_is_idempotent_and_downgrade_drops_everything(db_url: str) -> None:
    with Ledger.open(db_url) as first:
        first.journal.audit(Event(ts=1, kind="test", source="t", message="kept"))
    with Ledger.open(db_url) as second:  # reopening runs upgrade again: a no-op
        assert [e.message for e in second.journal.audit_events(None)] == ["kept"]
        downgrade(second.engine, "base")
        assert set(inspect(second.engine).get_table_names()) <= {"alembic_version"}
        upgrade(second.engine)
        assert set(Base.metadata.tables) <= set(inspect(second.engine).get_table_names())


def test_store_audit_events_are_append_only_in_the_database(ledger: Ledger) -> None:
    ledger.journal.audit(Event(ts=1, kind="test", source="t", message="immutable"))
    for statement in ("UPDATE audit_events SET message = 'changed'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as conn:
            conn.execute(text(statement))
    assert [e.message for e in ledger.journal.audit_events(None)] == ["immutable"]


def test_store_sqlite_uses_wal_and_busy_timeout(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/wal/ledger.db")  # parent directory is created
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_store_default_url_is_the_sqlite_file_in_home(
    oa_home: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.open() as ledger:
        assert ledger.engine.url.database == f"{oa_home}/openalpha.db"
    monkeypatch.setenv("OPENALPHA_DATABASE_URL", f"sqlite:///{oa_home}/other.db")
    with Ledger.open() as ledger:
        assert ledger.engine.url.database == f"{oa_home}/other.db"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://u@localhost/x", "unsupported database 'mysql'"),
        (
            "postgresql://u:hunter2@127.0.0.1:1/none",
            "cannot open the ledger at postgresql+psycopg2://u:***@127.0.0.1:1/none",
        ),
    ],
)
def test_store_bad_urls_fail_in_one_line_without_the_password(url: str, message: str) -> None:
    with pytest.raises(StoreError) as info:
        Ledger.open(url)
    text_ = str(info.value)
    assert message in text_
    assert "\n" not in text_ and "hunter2" not in text_
