"""The ``Exchange`` port: everything the live runtime asks of a venue.

Implemented by :class:`openalpha.exchange.bybit.BybitExchange` for every environment (paper on
the simulator, demo, testnet, mainnet). Methods are synchronous and thread-safe enough to be
called from one actor; stream callbacks run on the adapter's own threads and must not block.

Rules every implementation keeps:

* amounts sent are rounded with :mod:`openalpha.venue` (never a float on the wire);
* ``place_order`` is idempotent per ``orderLinkId``: re-sending the same request never creates
  a second order;
* a failed query raises (see :mod:`openalpha.exchange.errors`); it never answers "flat" or "empty"
  when it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol, runtime_checkable

import msgspec

from openalpha.domain import Balance, Bar, Category, Fill, Instrument, Order, OrderRequest, Position


class PrivateHandlers(msgspec.Struct, kw_only=True):
    """Callbacks for the private streams; each is optional and must not raise or block."""

    on_order: Callable[[Order], None] | None = None
    on_fill: Callable[[Fill], None] | None = None
    on_position: Callable[[Position], None] | None = None
    on_balance: Callable[[Balance], None] | None = None


@runtime_checkable
class Exchange(Protocol):
    """The port the runtime trades through."""

    # -- reference data ---------------------------------------------------------------------
    def server_time_ms(self) -> int:
        """The exchange clock in ms (also refreshes the local clock offset)."""
        ...

    def instruments(self, category: Category) -> list[Instrument]:
        """Every trading instrument of ``category`` (cached after the first call)."""
        ...

    def instrument(self, symbol: str, category: Category = Category.LINEAR) -> Instrument:
        """One instrument from the cache; raises RejectedError for an unknown symbol."""
        ...

    # -- orders -------------------------------------------------------------------------------
    def place_order(self, request: OrderRequest) -> Order:
        """Send an order (idempotent per ``order_link_id``); returns it as acknowledged."""
        ...

    def amend_order(
        self,
        symbol: str,
        category: Category,
        order_link_id: str,
        *,
        qty: Decimal | None = None,
        price: Decimal | None = None,
    ) -> Order:
        """Change qty and/or price of an open order; returns its state after the amend."""
        ...

    def cancel_order(self, symbol: str, category: Category, order_link_id: str) -> None:
        """Cancel one open order; raises OrderNotFound when it is unknown or already closed."""
        ...

    def cancel_all(self, category: Category, symbol: str | None = None) -> list[str]:
        """Cancel every open order (of ``symbol`` if given); returns the cancelled orderLinkIds."""
        ...

    def open_orders(self, category: Category, symbol: str | None = None) -> list[Order]:
        """Open orders (New / PartiallyFilled)."""
        ...

    def order_by_link_id(self, category: Category, symbol: str, order_link_id: str) -> Order | None:
        """The order with this ``orderLinkId`` (open or recently closed), or None if the exchange has none."""
        ...

    def executions_since(self, category: Category, since_ms: int, symbol: str | None = None) -> list[Fill]:
        """Executions (trades and funding) at or after ``since_ms``, oldest first."""
        ...

    # -- account ------------------------------------------------------------------------------
    def positions(self, category: Category = Category.LINEAR, symbol: str | None = None) -> list[Position]:
        """Open positions (with ``symbol``: that symbol's row, possibly flat)."""
        ...

    def wallet(self) -> list[Balance]:
        """Coin balances of the trading account."""
        ...

    def set_leverage(self, symbol: str, leverage: Decimal) -> None:
        """Set the (one-way) leverage of a linear symbol; unchanged leverage is not an error."""
        ...

    # -- streams ------------------------------------------------------------------------------
    def subscribe_bars(
        self,
        symbol: str,
        interval: str,
        callback: Callable[[Bar], None],
        category: Category = Category.LINEAR,
    ) -> None:
        """Call ``callback`` with every closed bar of ``symbol``."""
        ...

    def subscribe_private(self, handlers: PrivateHandlers) -> None:
        """Stream orders, fills, positions and balances; missed events are back-filled on reconnect."""
        ...

    def close(self) -> None:
        """Stop streams and release connections."""
        ...
