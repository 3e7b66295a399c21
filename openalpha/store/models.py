"""The ledger's tables (SQLAlchemy 2 typed ORM).

Rows are storage, not domain objects: repositories convert them to and from the Structs of
:mod:`openalpha.domain`. Every row that belongs to a trading environment carries ``env`` and
every query of such data filters on it. Times are int milliseconds UTC; money is
:class:`~openalpha.store.types.ExactDecimal`.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from openalpha.store.types import ExactDecimal

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENV = String(16)
SYMBOL = String(40)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrderRow(Base):
    """An order as last known; ``order_link_id`` is unique within an environment."""

    __tablename__ = "orders"
    __table_args__ = (Unique("env", "order_link_id"), Index(None, "env", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str] = mapped_column(ENV)
    order_link_id: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[str] = mapped_column(String(64))
    strategy: Mapped[str] = mapped_column(String(64), index=True)
    symbol: Mapped[str] = mapped_column(SYMBOL)
    category: Mapped[str] = mapped_column(String(8))
    side: Mapped[str] = mapped_column(String(4))
    order_type: Mapped[str] = mapped_column(String(8))
    time_in_force: Mapped[str] = mapped_column(String(16))
    reduce_only: Mapped[bool] = mapped_column(Boolean)
    qty: Mapped[Decimal] = mapped_column(ExactDecimal)
    price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    status: Mapped[str] = mapped_column(String(16))
    filled_qty: Mapped[Decimal] = mapped_column(ExactDecimal)
    avg_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    fee: Mapped[Decimal] = mapped_column(ExactDecimal)
    reject_reason: Mapped[str] = mapped_column(Text)
    created_ts: Mapped[int] = mapped_column(BigInteger)
    updated_ts: Mapped[int] = mapped_column(BigInteger)


class OrderStatusRow(Base):
    """One step of an order's life: every status change and every change of its filled qty."""

    __tablename__ = "order_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    env: Mapped[str] = mapped_column(ENV)
    status: Mapped[str] = mapped_column(String(16))
    filled_qty: Mapped[Decimal] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(Text)
    ts: Mapped[int] = mapped_column(BigInteger)


class FillRow(Base):
    """A trade execution (never funding); ``exec_id`` is unique within an environment."""

    __tablename__ = "fills"
    __table_args__ = (Unique("env", "exec_id"), Index(None, "env", "ts"), Index(None, "env", "order_link_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str] = mapped_column(ENV)
    exec_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(64))
    order_link_id: Mapped[str] = mapped_column(String(36))
    symbol: Mapped[str] = mapped_column(SYMBOL)
    category: Mapped[str] = mapped_column(String(8))
    side: Mapped[str] = mapped_column(String(4))
    exec_type: Mapped[str] = mapped_column(String(16))
    price: Mapped[Decimal] = mapped_column(ExactDecimal)
    qty: Mapped[Decimal] = mapped_column(ExactDecimal)
    fee: Mapped[Decimal] = mapped_column(ExactDecimal)
    fee_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    is_maker: Mapped[bool] = mapped_column(Boolean)
    ts: Mapped[int] = mapped_column(BigInteger)


class FundingPaymentRow(Base):
    """A funding settlement (Bybit execType ``Funding``): ``fee`` > 0 paid, < 0 received."""

    __tablename__ = "funding_payments"
    __table_args__ = (Unique("env", "exec_id"), Index(None, "env", "symbol", "ts"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str] = mapped_column(ENV)
    exec_id: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(SYMBOL)
    category: Mapped[str] = mapped_column(String(8))
    side: Mapped[str] = mapped_column(String(4))
    position_qty: Mapped[Decimal] = mapped_column(ExactDecimal)
    mark_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    fee: Mapped[Decimal] = mapped_column(ExactDecimal)
    ts: Mapped[int] = mapped_column(BigInteger)


class PositionSnapshotRow(Base):
    __tablename__ = "position_snapshots"
    __table_args__ = (Index(None, "env", "symbol", "category", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str] = mapped_column(ENV)
    symbol: Mapped[str] = mapped_column(SYMBOL)
    category: Mapped[str] = mapped_column(String(8))
    size: Mapped[Decimal] = mapped_column(ExactDecimal)
    entry_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    leverage: Mapped[Decimal] = mapped_column(ExactDecimal)
    mark_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    liq_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    position_im: Mapped[Decimal] = mapped_column(ExactDecimal)
    position_mm: Mapped[Decimal] = mapped_column(ExactDecimal)
    unrealised_pnl: Mapped[Decimal] = mapped_column(ExactDecimal)
    realised_pnl: Mapped[Decimal] = mapped_column(ExactDecimal)
    ts: Mapped[int] = mapped_column(BigInteger)


class BalanceRow(Base):
    __tablename__ = "balances"
    __table_args__ = (Index(None, "env", "coin", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str] = mapped_column(ENV)
    coin: Mapped[str] = mapped_column(String(16))
    wallet_balance: Mapped[Decimal] = mapped_column(ExactDecimal)
    equity: Mapped[Decimal] = mapped_column(ExactDecimal)
    available: Mapped[Decimal] = mapped_column(ExactDecimal)
    ts: Mapped[int] = mapped_column(BigInteger)


class RiskDecisionRow(Base):
    __tablename__ = "risk_decisions"
    __table_args__ = (Index(None, "env", "strategy", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str] = mapped_column(ENV)
    strategy: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(SYMBOL)
    action: Mapped[str] = mapped_column(String(8))
    rule: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    requested: Mapped[float] = mapped_column(Float)
    approved: Mapped[float] = mapped_column(Float)
    ts: Mapped[int] = mapped_column(BigInteger)


class AuditEventRow(Base):
    """Append-only (the migration installs triggers that refuse UPDATE and DELETE).

    ``env`` is NULL for system-wide events (configuration, vault, process lifecycle).
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "env", "ts"), Index(None, "kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    env: Mapped[str | None] = mapped_column(ENV)
    ts: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)  # JSON object


class StageChangeRow(Base):
    """A strategy moving between graduation stages (the stage names the environment)."""

    __tablename__ = "stage_history"
    __table_args__ = (Index(None, "strategy", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy: Mapped[str] = mapped_column(String(64))
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    ts: Mapped[int] = mapped_column(BigInteger)


class RunRow(Base):
    """Index of backtest and sweep results; the artefacts live under ``Paths.runs``."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "kind", "created_ts"),)

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text)  # JSON object
    metrics: Mapped[str] = mapped_column(Text)  # JSON object
    created_ts: Mapped[int] = mapped_column(BigInteger)
    finished_ts: Mapped[int | None] = mapped_column(BigInteger)


class ModelRow(Base):
    """A trained model in the registry; the file lives under ``Paths.models``."""

    __tablename__ = "models"
    __table_args__ = (Unique("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text)  # JSON object
    metrics: Mapped[str] = mapped_column(Text)  # JSON object
    created_ts: Mapped[int] = mapped_column(BigInteger)


__all__ = [
    "AuditEventRow",
    "BalanceRow",
    "Base",
    "FillRow",
    "FundingPaymentRow",
    "ModelRow",
    "OrderRow",
    "OrderStatusRow",
    "PositionSnapshotRow",
    "RiskDecisionRow",
    "RunRow",
    "StageChangeRow",
]
