"""A BTCUSDT linear order just created from its request (limit when priced, else market), for
the store tests; ``kw`` replaces fields of the created order."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain import Category, Order, OrderRequest, OrderType, Side

T0 = 1_717_200_000_000


def new_order(
    link: str = "mr-BTCUSDT-1",
    qty: str = "0.123",
    price: str | None = "67123.45",
    side: Side = Side.BUY,
    strategy: str = "mean_reversion",
    **kw: object,
) -> Order:
    request = OrderRequest(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        side=side,
        order_type=OrderType.LIMIT if price else OrderType.MARKET,
        qty=Decimal(qty),
        price=Decimal(price) if price else None,
        order_link_id=link,
        strategy=strategy,
    )
    order = Order.from_request(request, T0)
    return msgspec.structs.replace(order, **kw) if kw else order
