"""Every store test runs on SQLite and on PostgreSQL (never silently skipped).

PostgreSQL comes from ``OPENALPHA_TEST_PG_URL`` (default: trust auth on 127.0.0.1:5432, database
``test``). Each test gets its own throwaway schema, dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from openalpha.store import Ledger

PG_URL = os.environ.get("OPENALPHA_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[object]:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as err:  # pragma: no cover - the message is the point
        pytest.fail(
            f"PostgreSQL is not reachable at {make_url(PG_URL).render_as_string(hide_password=True)} "
            f"({type(err).__name__}); start it or set OPENALPHA_TEST_PG_URL — the store tests never skip it",
            pytrace=False,
        )
    yield engine
    engine.dispose()


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    schema = f"oa_test_{uuid.uuid4().hex[:8]}_{next(_counter)}"
    with admin.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger.open(db_url) as opened:
        yield opened
