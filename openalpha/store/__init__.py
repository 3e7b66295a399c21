"""The ledger: SQLAlchemy 2 models and repositories, SQLite or PostgreSQL (floor 2)."""
