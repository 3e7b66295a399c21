"""Messages between components and the audit trail.

Commands are imperative (``SubmitOrder``), events past tense (``OrderFilled``). Every message
is a tagged Struct so a union of them decodes unambiguously; ``ts`` is int ms UTC.
"""

from __future__ import annotations

import msgspec

from openalpha.domain.account import RiskDecision, Signal
from openalpha.domain.enums import Environment
from openalpha.domain.orders import Fill, Order, OrderRequest

AuditValue = str | int | float | bool | None


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """An audit-log entry: who did what, where, and the facts behind it."""

    ts: int
    kind: str
    source: str
    message: str
    env: Environment | None = None
    actor: str = "system"
    data: dict[str, AuditValue] = {}


class _Message(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="type"):
    ts: int


class SubmitOrder(_Message, frozen=True, kw_only=True):
    env: Environment
    request: OrderRequest


class CancelOrder(_Message, frozen=True, kw_only=True):
    env: Environment
    symbol: str
    order_link_id: str


class SignalEmitted(_Message, frozen=True, kw_only=True):
    signal: Signal


class RiskDecided(_Message, frozen=True, kw_only=True):
    decision: RiskDecision


class OrderAccepted(_Message, frozen=True, kw_only=True):
    env: Environment
    order: Order


class OrderRejected(_Message, frozen=True, kw_only=True):
    env: Environment
    order_link_id: str
    code: int
    reason: str


class OrderFilled(_Message, frozen=True, kw_only=True):
    env: Environment
    fill: Fill


class OrderCancelled(_Message, frozen=True, kw_only=True):
    env: Environment
    order_link_id: str
    reason: str = ""


Message = (
    SubmitOrder
    | CancelOrder
    | SignalEmitted
    | RiskDecided
    | OrderAccepted
    | OrderRejected
    | OrderFilled
    | OrderCancelled
)
