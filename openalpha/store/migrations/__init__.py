"""Alembic migrations of the ledger (run programmatically by :mod:`openalpha.store.migrate`)."""
