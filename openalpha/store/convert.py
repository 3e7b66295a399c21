"""Conversions between ORM rows and :mod:`openalpha.domain` Structs (exact, both ways)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from openalpha.domain import (
    Balance,
    Category,
    Environment,
    Event,
    ExecType,
    Fill,
    Order,
    OrderStatus,
    OrderType,
    Position,
    RiskAction,
    RiskDecision,
    Side,
    TimeInForce,
)
from openalpha.store.errors import StoreError
from openalpha.store.models import (
    AuditEventRow,
    BalanceRow,
    FillRow,
    FundingPaymentRow,
    OrderRow,
    PositionSnapshotRow,
    RiskDecisionRow,
)


def env_name(env: Environment | str) -> str:
    """The stored spelling of ``env``; an unknown name is a one-line :class:`StoreError`."""
    try:
        return Environment(env).value
    except ValueError:
        names = ", ".join(e.value for e in Environment)
        raise StoreError(f"unknown environment {env!r}; expected one of {names}") from None


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)


def loads(text: str) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}


# --- orders --------------------------------------------------------------------------------

ORDER_STATE_FIELDS = ("order_id", "status", "filled_qty", "avg_price", "fee", "reject_reason", "updated_ts")
ORDER_REQUEST_FIELDS = (
    "symbol", "category", "side", "order_type", "qty", "price", "time_in_force", "reduce_only", "strategy",
)  # fmt: skip


def order_values(order: Order) -> dict[str, Any]:
    return {
        "order_link_id": order.order_link_id,
        "order_id": order.order_id,
        "strategy": order.strategy,
        "symbol": order.symbol,
        "category": order.category.value,
        "side": order.side.value,
        "order_type": order.order_type.value,
        "time_in_force": order.time_in_force.value,
        "reduce_only": order.reduce_only,
        "qty": order.qty,
        "price": order.price,
        "status": order.status.value,
        "filled_qty": order.filled_qty,
        "avg_price": order.avg_price,
        "fee": order.fee,
        "reject_reason": order.reject_reason,
        "created_ts": order.created_ts,
        "updated_ts": order.updated_ts,
    }


def row_to_order(row: OrderRow) -> Order:
    return Order(
        order_link_id=row.order_link_id,
        order_id=row.order_id,
        strategy=row.strategy,
        symbol=row.symbol,
        category=Category(row.category),
        side=Side(row.side),
        order_type=OrderType(row.order_type),
        time_in_force=TimeInForce(row.time_in_force),
        reduce_only=row.reduce_only,
        qty=row.qty,
        price=row.price,
        status=OrderStatus(row.status),
        filled_qty=row.filled_qty,
        avg_price=row.avg_price,
        fee=row.fee,
        reject_reason=row.reject_reason,
        created_ts=row.created_ts,
        updated_ts=row.updated_ts,
    )


# --- executions ------------------------------------------------------------------------------


def fill_row(env: str, fill: Fill) -> FillRow:
    return FillRow(
        env=env,
        exec_id=fill.exec_id,
        order_id=fill.order_id,
        order_link_id=fill.order_link_id,
        symbol=fill.symbol,
        category=fill.category.value,
        side=fill.side.value,
        exec_type=fill.exec_type.value,
        price=fill.price,
        qty=fill.qty,
        fee=fill.fee,
        fee_rate=fill.fee_rate,
        is_maker=fill.is_maker,
        ts=fill.ts,
    )


def row_to_fill(row: FillRow) -> Fill:
    return Fill(
        exec_id=row.exec_id,
        order_id=row.order_id,
        order_link_id=row.order_link_id,
        symbol=row.symbol,
        category=Category(row.category),
        side=Side(row.side),
        exec_type=ExecType(row.exec_type),
        price=row.price,
        qty=row.qty,
        fee=row.fee,
        fee_rate=row.fee_rate,
        is_maker=row.is_maker,
        ts=row.ts,
    )


def funding_row(env: str, fill: Fill) -> FundingPaymentRow:
    """A funding execution: Bybit reports the position size as qty, the mark price as price,
    the funding rate as feeRate and the amount as fee (positive = paid)."""
    return FundingPaymentRow(
        env=env,
        exec_id=fill.exec_id,
        symbol=fill.symbol,
        category=fill.category.value,
        side=fill.side.value,
        position_qty=fill.qty,
        mark_price=fill.price,
        rate=fill.fee_rate,
        fee=fill.fee,
        ts=fill.ts,
    )


def row_to_funding(row: FundingPaymentRow) -> Fill:
    return Fill(
        exec_id=row.exec_id,
        symbol=row.symbol,
        category=Category(row.category),
        side=Side(row.side),
        exec_type=ExecType.FUNDING,
        price=row.mark_price,
        qty=row.position_qty,
        fee=row.fee,
        fee_rate=row.rate,
        ts=row.ts,
    )


# --- account -------------------------------------------------------------------------------


def position_row(env: str, p: Position) -> PositionSnapshotRow:
    return PositionSnapshotRow(
        env=env,
        symbol=p.symbol,
        category=p.category.value,
        size=p.size,
        entry_price=p.entry_price,
        leverage=p.leverage,
        mark_price=p.mark_price,
        liq_price=p.liq_price,
        position_im=p.position_im,
        position_mm=p.position_mm,
        unrealised_pnl=p.unrealised_pnl,
        realised_pnl=p.realised_pnl,
        ts=p.ts,
    )


def row_to_position(row: PositionSnapshotRow) -> Position:
    return Position(
        symbol=row.symbol,
        category=Category(row.category),
        size=row.size,
        entry_price=row.entry_price,
        leverage=row.leverage,
        mark_price=row.mark_price,
        liq_price=row.liq_price,
        position_im=row.position_im,
        position_mm=row.position_mm,
        unrealised_pnl=row.unrealised_pnl,
        realised_pnl=row.realised_pnl,
        ts=row.ts,
    )


def balance_row(b: Balance) -> BalanceRow:
    return BalanceRow(
        env=env_name(b.env),
        coin=b.coin,
        wallet_balance=b.wallet_balance,
        equity=b.equity,
        available=b.available,
        ts=b.ts,
    )


def row_to_balance(row: BalanceRow) -> Balance:
    return Balance(
        env=Environment(row.env),
        coin=row.coin,
        wallet_balance=row.wallet_balance,
        equity=row.equity,
        available=row.available,
        ts=row.ts,
    )


# --- journal -------------------------------------------------------------------------------


def decision_row(env: str, d: RiskDecision) -> RiskDecisionRow:
    return RiskDecisionRow(
        env=env,
        strategy=d.strategy,
        symbol=d.symbol,
        action=d.action.value,
        rule=d.rule,
        reason=d.reason,
        requested=d.requested,
        approved=d.approved,
        ts=d.ts,
    )


def row_to_decision(row: RiskDecisionRow) -> RiskDecision:
    return RiskDecision(
        action=RiskAction(row.action),
        rule=row.rule,
        reason=row.reason,
        strategy=row.strategy,
        symbol=row.symbol,
        requested=row.requested,
        approved=row.approved,
        ts=row.ts,
    )


def event_row(e: Event) -> AuditEventRow:
    return AuditEventRow(
        env=None if e.env is None else env_name(e.env),
        ts=e.ts,
        kind=e.kind,
        source=e.source,
        actor=e.actor,
        message=e.message,
        data=dumps(dict(e.data)),
    )


def row_to_event(row: AuditEventRow) -> Event:
    return Event(
        env=None if row.env is None else Environment(row.env),
        ts=row.ts,
        kind=row.kind,
        source=row.source,
        actor=row.actor,
        message=row.message,
        data=loads(row.data),
    )


def same_decimal(a: Decimal | None, b: Decimal | None) -> bool:
    return a == b if a is not None and b is not None else a is b
