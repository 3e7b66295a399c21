"""Turn a target exposure (fraction of the strategy's equity) into an exact order.

The quantity is rounded DOWN to the instrument's step with :mod:`openalpha.venue`, and checked
against the instrument's filters; a delta below the minimum is skipped with the reason.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain import Instrument, Side
from openalpha.venue import check_order, round_qty


class SizedOrder(msgspec.Struct, frozen=True, kw_only=True):
    side: Side
    qty: Decimal
    reduce_only: bool
    target_qty: Decimal


class Skipped(msgspec.Struct, frozen=True, kw_only=True):
    reason: str
    target_qty: Decimal


def size_order(
    *,
    target: float,
    equity: Decimal,
    price: Decimal,
    position_qty: Decimal,
    instrument: Instrument,
) -> SizedOrder | Skipped:
    """The order that moves ``position_qty`` (signed) to ``target`` × ``equity`` of notional."""
    if price <= 0 or equity <= 0:
        return Skipped(reason=f"cannot size with price {price} and equity {equity}", target_qty=position_qty)
    if not instrument.is_perp and target < 0:
        return Skipped(reason="spot cannot be shorted", target_qty=position_qty)
    raw_target = Decimal(repr(target)) * equity / price
    target_qty = round_qty(abs(raw_target), instrument) * (1 if raw_target >= 0 else -1)
    delta = target_qty - position_qty
    if delta == 0:
        reason = "already at target"
        if raw_target != position_qty:
            reason += " (the remaining change is below the instrument's minimum step)"
        return Skipped(reason=reason, target_qty=target_qty)
    side = Side.BUY if delta > 0 else Side.SELL
    qty = round_qty(abs(delta), instrument)
    reduce_only = (
        position_qty != 0 and abs(target_qty) < abs(position_qty) and (target_qty * position_qty >= 0)
    )
    if reduce_only and target_qty == 0:
        qty = abs(position_qty)  # closing: exactly the position, never a dust remainder
    violation = check_order(instrument, qty, None, ref_price=price, market=True)
    if qty == 0 or (violation is not None and not reduce_only):
        reason = violation.message if violation else "rounds to zero"
        return Skipped(reason=f"order below the instrument's minimum: {reason}", target_qty=target_qty)
    return SizedOrder(side=side, qty=qty, reduce_only=reduce_only, target_qty=target_qty)
