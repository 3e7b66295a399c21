"""Column types that keep money exact on every backend.

PostgreSQL stores :class:`~decimal.Decimal` natively in an unconstrained ``NUMERIC`` (no
rounding, no scale padding). SQLite has no exact decimal type (its NUMERIC affinity turns
``0.1`` into a binary float), so there the value is kept as its canonical decimal string.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

_SQLITE_DECIMAL = String(64)


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` column that round-trips exactly (NUMERIC on PostgreSQL, text on SQLite)."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SQLITE_DECIMAL)
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"exact decimal column needs a Decimal, got {type(value).__name__}")
        if not value.is_finite():
            raise ValueError(f"exact decimal column cannot store {value}")
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))
