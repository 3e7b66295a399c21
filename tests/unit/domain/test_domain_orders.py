"""Order state machine, fills and the request invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openalpha.domain import (
    Category,
    DomainError,
    ExecType,
    Fill,
    IllegalTransition,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    can_transition,
)


def _request(qty: str = "0.010", **kw: object) -> OrderRequest:
    base: dict[str, object] = dict(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal(qty),
        price=Decimal("60000.1"),
        order_link_id="oa-mr-BTCUSDT-1",
    )
    base.update(kw)
    return OrderRequest(**base)  # type: ignore[arg-type]


def _fill(qty: str, price: str, n: int = 1, **kw: object) -> Fill:
    base: dict[str, object] = dict(
        exec_id=f"e{n}",
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=Side.BUY,
        price=Decimal(price),
        qty=Decimal(qty),
        fee=Decimal("0.01"),
        ts=1_000 + n,
        order_link_id="oa-mr-BTCUSDT-1",
    )
    base.update(kw)
    return Fill(**base)  # type: ignore[arg-type]


def test_lifecycle_new_partial_filled() -> None:
    order = Order.from_request(_request(), ts=1_000).transition(OrderStatus.NEW, 1_001, order_id="x1")
    order = order.apply_fill(_fill("0.004", "60000", 1))
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.leaves_qty == Decimal("0.006")
    order = order.apply_fill(_fill("0.006", "60001", 2))
    assert order.status is OrderStatus.FILLED
    # volume-weighted average, exact in Decimal
    assert order.avg_price == (Decimal("60000") * 4 + Decimal("60001") * 6) / 10
    assert order.fee == Decimal("0.02")
    assert not order.is_open


@pytest.mark.parametrize("terminal", [OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED])
@pytest.mark.parametrize("target", [OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED, OrderStatus.CANCELLED])
def test_terminal_states_are_final(terminal: OrderStatus, target: OrderStatus) -> None:
    order = Order.from_request(_request(), ts=1).transition(terminal, 2)
    if target is terminal:
        assert order.transition(target, 3) is order  # re-delivery of the same state is a no-op
        return
    with pytest.raises(IllegalTransition):
        order.transition(target, 3)


def test_new_cannot_go_back_or_be_rejected() -> None:
    order = Order.from_request(_request(), ts=1).transition(OrderStatus.NEW, 2)
    assert not can_transition(OrderStatus.NEW, OrderStatus.CREATED)
    with pytest.raises(IllegalTransition):
        order.transition(OrderStatus.REJECTED, 3)


def test_overfill_and_foreign_fills_raise() -> None:
    order = Order.from_request(_request(), ts=1)
    with pytest.raises(DomainError, match="overfills"):
        order.apply_fill(_fill("0.011", "60000"))
    with pytest.raises(DomainError, match="belongs to"):
        order.apply_fill(_fill("0.001", "60000", order_link_id="other"))
    with pytest.raises(DomainError, match="side"):
        order.apply_fill(_fill("0.001", "60000", side=Side.SELL))
    with pytest.raises(DomainError, match="funding"):
        order.apply_fill(_fill("0.001", "60000", exec_type=ExecType.FUNDING))


def test_filled_order_takes_no_more_fills() -> None:
    order = Order.from_request(_request(), ts=1).apply_fill(_fill("0.010", "60000"))
    with pytest.raises(DomainError):
        order.apply_fill(_fill("0.001", "60000", 2))


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"qty": Decimal(0)}, "positive"),
        ({"price": None}, "needs a price"),
        ({"price": Decimal("-1")}, "positive"),
        ({"order_link_id": "x" * 37}, "36"),
        ({"order_link_id": ""}, "36"),
    ],
)
def test_request_invariants(kw: dict[str, object], match: str) -> None:
    with pytest.raises(DomainError, match=match):
        _request(**kw)  # type: ignore[arg-type]


def test_side_helpers() -> None:
    assert Side.BUY.sign == 1 and Side.SELL.sign == -1
    assert Side.BUY.opposite() is Side.SELL
