"""Instrument filters: exact Decimal rounding to tick/step, and Bybit's order validation.

Sources: Bybit V5 ``/v5/market/instruments-info`` (priceFilter.tickSize, lotSizeFilter.qtyStep,
minOrderQty, maxOrderQty, maxMktOrderQty, minNotionalValue; spot basePrecision, minOrderAmt) and
the error tables in BYBIT_V5.md §2.

Error codes returned by :func:`check_order`:

* linear 10001 "The number of contracts exceeds minimum limit allowed" / "... maximum limit
  allowed" (third-party reports, pybit issues #168, #284); 110094 notional below minimum (docs);
  10001 for tick/step misalignment (retMsg UNVERIFIED, BYBIT_V5.md §2).
* spot 170134 price decimals too long, 170137 quantity decimals too long, 170136 quantity below
  minimum, 170140 order value below minimum (docs); 170135 quantity above maximum (UNVERIFIED).
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

import msgspec

from openalpha.domain.enums import Category, Side
from openalpha.domain.instrument import Instrument

__all__ = ["FilterViolation", "check_order", "on_grid", "round_price", "round_qty"]


class FilterViolation(msgspec.Struct, frozen=True):
    """Why Bybit would reject an order: its ``retCode`` and ``retMsg``."""

    code: int
    message: str


_EXACT = Context(prec=80, traps=[InvalidOperation, DivisionByZero, Overflow])
"""Wide enough that the integer quotient below is exact for any sane price or quantity; if it is
not, decimal raises instead of rounding silently."""


def _snap(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    """``value`` moved to a multiple of ``step``: FLOOR, CEILING or DOWN (towards zero). Exact."""
    if not step.is_finite() or step <= 0:
        raise ValueError(f"grid step must be > 0, got {step}")
    if not value.is_finite():
        raise ValueError(f"cannot round a non-finite value: {value}")
    with localcontext(_EXACT):
        quotient, remainder = divmod(value, step)  # quotient truncated towards zero, both exact
        if remainder and rounding == ROUND_FLOOR and value < 0:
            quotient -= 1
        elif remainder and rounding == ROUND_CEILING and value > 0:
            quotient += 1
        return quotient * step


def on_grid(value: Decimal, step: Decimal) -> bool:
    """True when ``value`` is an exact multiple of ``step``."""
    with localcontext(_EXACT):
        return value % step == 0


def round_price(price: Decimal, inst: Instrument, side: Side) -> Decimal:
    """Snap a limit price to the tick grid without crossing the caller's limit.

    A buy rounds DOWN (never pays more than asked), a sell rounds UP (never sells for less).
    """
    if price <= 0:
        raise ValueError(f"price must be > 0, got {price}")
    rounding = ROUND_FLOOR if Side(side) is Side.BUY else ROUND_CEILING
    return _snap(price, inst.tick_size, rounding)


def round_qty(qty: Decimal, inst: Instrument) -> Decimal:
    """Snap a quantity DOWN (towards zero) to the qty step: never more than asked for."""
    return _snap(qty, inst.qty_step, ROUND_DOWN)


def check_order(
    inst: Instrument,
    qty: Decimal,
    price: Decimal | None,
    *,
    ref_price: Decimal | None = None,
    market: bool = False,
) -> FilterViolation | None:
    """The violation Bybit would report for this order, or ``None`` if it passes the filters.

    ``qty`` is in base coin (convert a spot market buy sized in quote coin first); ``price`` is
    the limit price (ignored for a market order); ``ref_price`` values a market order for the
    minimum-notional check (e.g. the last or mark price). Checks run in a fixed order and the
    first failure is returned: price grid, then (linear) min qty, max qty, qty grid, notional;
    (spot) qty grid, min qty, max qty, order value.
    """
    if not market and price is None:
        return FilterViolation(10001, "params error: price is required for a Limit order")
    if market and ref_price is None and inst.min_notional > 0:
        raise ValueError("a market order needs ref_price to check the minimum order value")
    limit_price = None if market else price  # Bybit ignores the price of a market order
    if limit_price is not None and limit_price <= 0:
        return FilterViolation(10001, f"params error: price {limit_price} must be > 0")
    notional_price = ref_price if market else limit_price
    if inst.category is Category.SPOT:
        return _check_spot(inst, qty, limit_price, notional_price, market)
    return _check_linear(inst, qty, limit_price, notional_price, market)


def _check_linear(
    inst: Instrument, qty: Decimal, price: Decimal | None, ref: Decimal | None, market: bool
) -> FilterViolation | None:
    if price is not None and not on_grid(price, inst.tick_size):
        return FilterViolation(
            10001, f"params error: price {price} is not a multiple of tickSize {inst.tick_size}"
        )
    if qty < inst.min_qty:
        return FilterViolation(
            10001,
            "The number of contracts exceeds minimum limit allowed: too small, "
            f"order_qty:{qty} < min_qty:{inst.min_qty}",
        )
    max_qty = inst.max_mkt_qty if market and inst.max_mkt_qty is not None else inst.max_qty
    if qty > max_qty:
        return FilterViolation(
            10001,
            f"The number of contracts exceeds maximum limit allowed: too large, order_qty:{qty} > max_qty:{max_qty}",
        )
    if not on_grid(qty, inst.qty_step):
        return FilterViolation(10001, f"params error: qty {qty} is not a multiple of qtyStep {inst.qty_step}")
    if ref is not None and qty * ref < inst.min_notional:
        return FilterViolation(
            110094, f"Order does not meet minimum order value {inst.min_notional}{inst.quote_coin}"
        )
    return None


def _check_spot(
    inst: Instrument, qty: Decimal, price: Decimal | None, ref: Decimal | None, market: bool
) -> FilterViolation | None:
    if price is not None and not on_grid(price, inst.tick_size):
        return FilterViolation(170134, "Order price decimal too long.")
    if not on_grid(qty, inst.qty_step):
        return FilterViolation(170137, "Order quantity decimal too long.")
    if qty < inst.min_qty:
        return FilterViolation(170136, "Order quantity lower than the minimum.")
    max_qty = inst.max_mkt_qty if market and inst.max_mkt_qty is not None else inst.max_qty
    if qty > max_qty:
        return FilterViolation(170135, "Order quantity exceeded upper limit.")
    if ref is not None and qty * ref < inst.min_notional:
        return FilterViolation(170140, "Order value exceeded lower limit.")
    return None
