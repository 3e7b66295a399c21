"""Bybit trading fees: the VIP schedule for spot and USDT linear contracts, and the fee of a fill.

Source: Bybit help centre "Trading Fee Structure" (article 000001634), as recorded in
BYBIT_V5.md §6. Rates are fractions of the traded value (0.00055 = 0.055 %). The rate that
really applies to an account (regional schedules, promotions) is returned by
``GET /v5/account/fee-rate``; these tables are the documented defaults.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain.enums import Category

__all__ = ["FEE_TIERS", "FeeRates", "fee_rates", "trade_fee", "trade_fee_f"]


class FeeRates(msgspec.Struct, frozen=True):
    """Maker and taker fee rates of one VIP tier, as fractions of the traded value."""

    maker: Decimal
    taker: Decimal


FEE_TIERS: tuple[str, ...] = ("VIP0", "VIP1", "VIP2", "VIP3", "VIP4", "VIP5", "SUPREME")


def _rates(maker_pct: str, taker_pct: str) -> FeeRates:
    hundred = Decimal(100)
    return FeeRates(maker=Decimal(maker_pct) / hundred, taker=Decimal(taker_pct) / hundred)


# (maker %, taker %) per tier, BYBIT_V5.md §6.
_SCHEDULE: dict[Category, dict[str, FeeRates]] = {
    Category.LINEAR: {
        "VIP0": _rates("0.0200", "0.0550"),
        "VIP1": _rates("0.0180", "0.0400"),
        "VIP2": _rates("0.0160", "0.0375"),
        "VIP3": _rates("0.0140", "0.0350"),
        "VIP4": _rates("0.0120", "0.0320"),
        "VIP5": _rates("0.0100", "0.0320"),
        "SUPREME": _rates("0.0000", "0.0300"),
    },
    Category.SPOT: {
        "VIP0": _rates("0.1000", "0.1000"),
        "VIP1": _rates("0.0675", "0.0800"),
        "VIP2": _rates("0.0650", "0.0775"),
        "VIP3": _rates("0.0625", "0.0750"),
        "VIP4": _rates("0.0500", "0.0600"),
        "VIP5": _rates("0.0400", "0.0500"),
        "SUPREME": _rates("0.0300", "0.0450"),
    },
}


def _normalise_tier(tier: str) -> str:
    name = tier.replace(" ", "").replace("_", "").upper()
    return "VIP0" if name in ("NONVIP", "VIP") else name


def fee_rates(tier: str = "VIP0", category: Category | str = Category.LINEAR) -> FeeRates:
    """Maker/taker rates of ``tier`` ("VIP0".."VIP5", "SUPREME"; case and spaces ignored)."""
    cat = Category(category)
    name = _normalise_tier(tier)
    table = _SCHEDULE[cat]
    if name not in table:
        raise ValueError(f"unknown fee tier {tier!r}: expected one of {', '.join(FEE_TIERS)}")
    return table[name]


def trade_fee(price: Decimal, qty: Decimal, rate: Decimal) -> Decimal:
    """Fee of a fill: ``|price * qty| * rate`` in quote currency; never negative.

    A negative ``rate`` (a maker rebate) is not part of the published schedule and is refused,
    so a typo cannot silently turn a cost into income.
    """
    if rate < 0:
        raise ValueError(f"fee rate must be >= 0, got {rate}")
    return abs(price * qty) * rate


def trade_fee_f(price: float, qty: float, rate: float) -> float:
    """Float twin of :func:`trade_fee` for vectorised/numba code (no validation)."""
    return abs(price * qty) * rate
