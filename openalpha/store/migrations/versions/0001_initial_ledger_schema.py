"""Initial ledger schema: orders (+ status history), fills, funding payments, position and
balance snapshots, risk decisions, append-only audit events, stage history, runs, models.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copy of openalpha.store.types.ExactDecimal: exact NUMERIC, or text on SQLite.
MONEY = sa.Numeric(asdecimal=True).with_variant(sa.String(64), "sqlite")

_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
_APPEND_ONLY_POSTGRES = [
    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
]


def _append_only() -> None:
    statements = _APPEND_ONLY_SQLITE if op.get_bind().dialect.name == "sqlite" else _APPEND_ONLY_POSTGRES
    for statement in statements:
        op.execute(statement)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=True),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_env_ts"), "audit_events", ["env", "ts"], unique=False)
    op.create_index(op.f("ix_audit_events_kind"), "audit_events", ["kind"], unique=False)

    op.create_table(
        "balances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("coin", sa.String(length=16), nullable=False),
        sa.Column("wallet_balance", MONEY, nullable=False),
        sa.Column("equity", MONEY, nullable=False),
        sa.Column("available", MONEY, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balances")),
    )
    op.create_index(op.f("ix_balances_env_coin_ts"), "balances", ["env", "coin", "ts"], unique=False)

    op.create_table(
        "fills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("exec_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("order_link_id", sa.String(length=36), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("exec_type", sa.String(length=16), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("qty", MONEY, nullable=False),
        sa.Column("fee", MONEY, nullable=False),
        sa.Column("fee_rate", MONEY, nullable=False),
        sa.Column("is_maker", sa.Boolean(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fills")),
        sa.UniqueConstraint("env", "exec_id", name=op.f("uq_fills_env_exec_id")),
    )
    op.create_index(op.f("ix_fills_env_order_link_id"), "fills", ["env", "order_link_id"], unique=False)
    op.create_index(op.f("ix_fills_env_ts"), "fills", ["env", "ts"], unique=False)

    op.create_table(
        "funding_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("exec_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("position_qty", MONEY, nullable=False),
        sa.Column("mark_price", MONEY, nullable=False),
        sa.Column("rate", MONEY, nullable=False),
        sa.Column("fee", MONEY, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_payments")),
        sa.UniqueConstraint("env", "exec_id", name=op.f("uq_funding_payments_env_exec_id")),
    )
    op.create_index(
        op.f("ix_funding_payments_env_symbol_ts"), "funding_payments", ["env", "symbol", "ts"], unique=False
    )

    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_models_name_version")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("order_link_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("order_type", sa.String(length=8), nullable=False),
        sa.Column("time_in_force", sa.String(length=16), nullable=False),
        sa.Column("reduce_only", sa.Boolean(), nullable=False),
        sa.Column("qty", MONEY, nullable=False),
        sa.Column("price", MONEY, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filled_qty", MONEY, nullable=False),
        sa.Column("avg_price", MONEY, nullable=False),
        sa.Column("fee", MONEY, nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.Column("updated_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("env", "order_link_id", name=op.f("uq_orders_env_order_link_id")),
    )
    op.create_index(op.f("ix_orders_env_status"), "orders", ["env", "status"], unique=False)
    op.create_index(op.f("ix_orders_strategy"), "orders", ["strategy"], unique=False)

    op.create_table(
        "position_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("size", MONEY, nullable=False),
        sa.Column("entry_price", MONEY, nullable=False),
        sa.Column("leverage", MONEY, nullable=False),
        sa.Column("mark_price", MONEY, nullable=False),
        sa.Column("liq_price", MONEY, nullable=True),
        sa.Column("position_im", MONEY, nullable=False),
        sa.Column("position_mm", MONEY, nullable=False),
        sa.Column("unrealised_pnl", MONEY, nullable=False),
        sa.Column("realised_pnl", MONEY, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_snapshots")),
    )
    op.create_index(
        op.f("ix_position_snapshots_env_symbol_category_ts"),
        "position_snapshots",
        ["env", "symbol", "category", "ts"],
        unique=False,
    )

    op.create_table(
        "risk_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested", sa.Float(), nullable=False),
        sa.Column("approved", sa.Float(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_decisions")),
    )
    op.create_index(
        op.f("ix_risk_decisions_env_strategy_ts"), "risk_decisions", ["env", "strategy", "ts"], unique=False
    )

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.Column("finished_ts", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_kind_created_ts"), "runs", ["kind", "created_ts"], unique=False)

    op.create_table(
        "stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=64), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_history")),
    )
    op.create_index(op.f("ix_stage_history_strategy_ts"), "stage_history", ["strategy", "ts"], unique=False)

    op.create_table(
        "order_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("env", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filled_qty", MONEY, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["orders.id"],
            name=op.f("fk_order_status_history_order_pk_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_status_history")),
    )
    op.create_index(
        op.f("ix_order_status_history_order_pk"), "order_status_history", ["order_pk"], unique=False
    )
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    op.drop_index(op.f("ix_order_status_history_order_pk"), table_name="order_status_history")

    op.drop_table("order_status_history")
    op.drop_index(op.f("ix_stage_history_strategy_ts"), table_name="stage_history")

    op.drop_table("stage_history")
    op.drop_index(op.f("ix_runs_kind_created_ts"), table_name="runs")

    op.drop_table("runs")
    op.drop_index(op.f("ix_risk_decisions_env_strategy_ts"), table_name="risk_decisions")

    op.drop_table("risk_decisions")
    op.drop_index(op.f("ix_position_snapshots_env_symbol_category_ts"), table_name="position_snapshots")

    op.drop_table("position_snapshots")
    op.drop_index(op.f("ix_orders_strategy"), table_name="orders")
    op.drop_index(op.f("ix_orders_env_status"), table_name="orders")

    op.drop_table("orders")
    op.drop_table("models")
    op.drop_index(op.f("ix_funding_payments_env_symbol_ts"), table_name="funding_payments")

    op.drop_table("funding_payments")
    op.drop_index(op.f("ix_fills_env_ts"), table_name="fills")
    op.drop_index(op.f("ix_fills_env_order_link_id"), table_name="fills")

    op.drop_table("fills")
    op.drop_index(op.f("ix_balances_env_coin_ts"), table_name="balances")

    op.drop_table("balances")
    op.drop_index(op.f("ix_audit_events_kind"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_env_ts"), table_name="audit_events")

    op.drop_table("audit_events")
