"""The ledger: SQLAlchemy 2 models and repositories, SQLite or PostgreSQL (floor 2).

``Ledger.open()`` gives the repositories over a migrated database; rows convert to and from
the Structs of :mod:`openalpha.domain`; money is exact on both backends.
"""

from openalpha.store.engine import default_url, make_engine, safe_url
from openalpha.store.errors import ConflictingRecord, StoreError, UnknownOrder
from openalpha.store.ledger import Ledger
from openalpha.store.migrate import current_revision, head_revision, upgrade
from openalpha.store.records import ModelRecord, RunRecord, StageChange, StatusChange

__all__ = [
    "ConflictingRecord", "Ledger", "ModelRecord", "RunRecord", "StageChange", "StatusChange", "StoreError",
    "UnknownOrder", "current_revision", "default_url", "head_revision", "make_engine", "safe_url", "upgrade",
]  # fmt: skip
