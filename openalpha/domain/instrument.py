"""Instruments and their exchange filters.

Naming convention (used everywhere a symbol crosses a boundary): a linear USDT perpetual is
named by its Bybit symbol (``BTCUSDT``); the spot market of the same pair carries the suffix
``@spot`` (``BTCUSDT@spot``). :func:`instrument_key` and :func:`split_key` convert.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain.enums import Category

SPOT_SUFFIX = "@spot"


def instrument_key(symbol: str, category: Category | str) -> str:
    """The project-wide name of ``symbol`` in ``category`` (``BTCUSDT`` or ``BTCUSDT@spot``)."""
    cat = Category(category)
    return f"{symbol}{SPOT_SUFFIX}" if cat is Category.SPOT else symbol


def split_key(key: str) -> tuple[str, Category]:
    """Inverse of :func:`instrument_key`: ``"BTCUSDT@spot"`` -> ``("BTCUSDT", Category.SPOT)``."""
    if key.endswith(SPOT_SUFFIX):
        return key[: -len(SPOT_SUFFIX)], Category.SPOT
    return key, Category.LINEAR


class RiskTier(msgspec.Struct, frozen=True, kw_only=True):
    """One risk-limit tier of a linear contract (Bybit ``/v5/market/risk-limit``).

    ``limit`` is the largest position value (USDT) the tier covers; ``mmr`` and ``imr`` are
    fractions (0.005 = 0.5 %); ``mm_deduction`` is the tier's maintenance-margin deduction.
    """

    limit: Decimal
    mmr: Decimal
    imr: Decimal
    max_leverage: Decimal
    mm_deduction: Decimal = Decimal(0)


class Instrument(msgspec.Struct, frozen=True, kw_only=True):
    """A tradable market with the filters Bybit enforces on orders."""

    symbol: str
    category: Category
    base_coin: str
    quote_coin: str
    tick_size: Decimal
    qty_step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal = Decimal(0)
    max_mkt_qty: Decimal | None = None
    max_leverage: Decimal = Decimal(1)
    funding_interval_min: int = 480
    risk_tiers: tuple[RiskTier, ...] = ()

    @property
    def key(self) -> str:
        return instrument_key(self.symbol, self.category)

    @property
    def is_perp(self) -> bool:
        return self.category is Category.LINEAR
