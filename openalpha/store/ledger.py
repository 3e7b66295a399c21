"""``Ledger``: the engine, its migrations and the repositories, opened in one call."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from openalpha.store.account_repo import AccountRepository
from openalpha.store.engine import make_engine, safe_url
from openalpha.store.errors import StoreError
from openalpha.store.executions_repo import ExecutionRepository
from openalpha.store.journal_repo import JournalRepository
from openalpha.store.migrate import upgrade
from openalpha.store.orders_repo import OrderRepository
from openalpha.store.registry_repo import RegistryRepository


class Ledger:
    """The durable record. Each repository method runs in its own transaction.

    ``orders`` · ``executions`` (fills, funding) · ``account`` (positions, balances) ·
    ``journal`` (audit events, risk decisions) · ``registry`` (stages, runs, models).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sessions = sessionmaker(engine, expire_on_commit=False)
        self.orders = OrderRepository(sessions)
        self.executions = ExecutionRepository(sessions)
        self.account = AccountRepository(sessions)
        self.journal = JournalRepository(sessions)
        self.registry = RegistryRepository(sessions)

    @classmethod
    def open(
        cls, url: str | None = None, *, environ: Mapping[str, str] | None = None, migrate: bool = True
    ) -> Ledger:
        """Open ``url`` (default: ``OPENALPHA_DATABASE_URL`` or the SQLite file in the home) and
        upgrade its schema to the newest migration."""
        engine = make_engine(url, environ=environ)
        if migrate:
            try:
                upgrade(engine)
            except OperationalError as err:
                engine.dispose()
                reason = str(err.orig).strip().splitlines()[0] if err.orig else type(err).__name__
                raise StoreError(f"cannot open the ledger at {safe_url(engine.url)}: {reason}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
