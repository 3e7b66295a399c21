"""Order requests, orders with their lifecycle state machine, and fills.

Quantities and prices that reach an exchange are ``Decimal`` (exact); they are rounded to the
instrument's filters by :mod:`openalpha.venue` before an :class:`OrderRequest` is built.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain.enums import Category, ExecType, OrderStatus, OrderType, Side, TimeInForce
from openalpha.domain.errors import DomainError, IllegalTransition

# Which states each state may move to. Bybit can report a fill before we see the
# acknowledgement, so a CREATED order may jump straight to a fill or a cancel.
_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.CREATED: frozenset(
        {
            OrderStatus.NEW,
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.FILLED,
            OrderStatus.CANCELLED,
            OrderStatus.REJECTED,
        }
    ),
    OrderStatus.NEW: frozenset({OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED, OrderStatus.CANCELLED}),
    OrderStatus.PARTIALLY_FILLED: frozenset(
        {OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED, OrderStatus.CANCELLED}
    ),
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    """True when an order in ``current`` may move to ``new``."""
    return new in _TRANSITIONS[current]


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What a strategy (through the risk governor) asks the exchange to do."""

    symbol: str
    category: Category
    side: Side
    order_type: OrderType
    qty: Decimal
    order_link_id: str
    price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    strategy: str = ""

    def __post_init__(self) -> None:
        if self.qty <= 0:
            raise DomainError(f"order qty must be positive, got {self.qty}")
        if self.order_type is OrderType.LIMIT and self.price is None:
            raise DomainError("a Limit order needs a price")
        if self.price is not None and self.price <= 0:
            raise DomainError(f"order price must be positive, got {self.price}")
        if not 0 < len(self.order_link_id) <= 36:
            raise DomainError("orderLinkId must have 1 to 36 characters")


class Fill(msgspec.Struct, frozen=True, kw_only=True):
    """One execution. Funding settlements are executions too, but never order fills."""

    exec_id: str
    symbol: str
    category: Category
    side: Side
    price: Decimal
    qty: Decimal
    fee: Decimal
    ts: int
    order_id: str = ""
    order_link_id: str = ""
    fee_rate: Decimal = Decimal(0)
    is_maker: bool = False
    exec_type: ExecType = ExecType.TRADE

    @property
    def is_trade(self) -> bool:
        """True for executions that fill an order (not funding)."""
        return self.exec_type is not ExecType.FUNDING

    @property
    def value(self) -> Decimal:
        return self.price * self.qty


class Order(msgspec.Struct, frozen=True, kw_only=True):
    """An order as we know it. Immutable: every change returns a new ``Order``."""

    order_link_id: str
    symbol: str
    category: Category
    side: Side
    order_type: OrderType
    qty: Decimal
    created_ts: int
    price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    order_id: str = ""
    status: OrderStatus = OrderStatus.CREATED
    filled_qty: Decimal = Decimal(0)
    avg_price: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    updated_ts: int = 0
    reject_reason: str = ""
    strategy: str = ""

    @classmethod
    def from_request(cls, request: OrderRequest, ts: int) -> Order:
        return cls(
            order_link_id=request.order_link_id,
            symbol=request.symbol,
            category=request.category,
            side=request.side,
            order_type=request.order_type,
            qty=request.qty,
            price=request.price,
            time_in_force=request.time_in_force,
            reduce_only=request.reduce_only,
            created_ts=ts,
            updated_ts=ts,
            strategy=request.strategy,
        )

    @property
    def leaves_qty(self) -> Decimal:
        return self.qty - self.filled_qty

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def transition(self, status: OrderStatus, ts: int, *, reason: str = "", order_id: str = "") -> Order:
        """Move to ``status``; raises :class:`IllegalTransition` when the state machine forbids it."""
        if status is self.status and status is not OrderStatus.PARTIALLY_FILLED:
            return self  # idempotent re-delivery of the same state
        if not can_transition(self.status, status):
            raise IllegalTransition(f"order {self.order_link_id}: {self.status} -> {status} is not allowed")
        return msgspec.structs.replace(
            self,
            status=status,
            updated_ts=ts,
            reject_reason=reason or self.reject_reason,
            order_id=order_id or self.order_id,
        )

    def apply_fill(self, fill: Fill) -> Order:
        """Account for one execution of this order and move to PartiallyFilled or Filled."""
        if not fill.is_trade:
            raise DomainError("a funding execution is not an order fill")
        if fill.order_link_id and fill.order_link_id != self.order_link_id:
            raise DomainError(
                f"fill {fill.exec_id} belongs to {fill.order_link_id}, not {self.order_link_id}"
            )
        if fill.side is not self.side:
            raise DomainError(f"fill {fill.exec_id} side {fill.side} differs from order side {self.side}")
        filled = self.filled_qty + fill.qty
        if filled > self.qty:
            raise DomainError(f"fill {fill.exec_id} overfills {self.order_link_id}: {filled} > {self.qty}")
        status = OrderStatus.FILLED if filled == self.qty else OrderStatus.PARTIALLY_FILLED
        if not can_transition(self.status, status):
            raise IllegalTransition(f"order {self.order_link_id}: {self.status} cannot take a fill")
        avg = (self.avg_price * self.filled_qty + fill.price * fill.qty) / filled
        return msgspec.structs.replace(
            self,
            status=status,
            filled_qty=filled,
            avg_price=avg,
            fee=self.fee + fill.fee,
            updated_ts=fill.ts,
            order_id=fill.order_id or self.order_id,
        )
