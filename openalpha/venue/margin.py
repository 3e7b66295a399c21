"""Isolated margin for USDT linear perpetuals: IM, MM, liquidation and bankruptcy price.

Sources (BYBIT_V5.md §6): Bybit help centre "Liquidation Price (USDT Contract)",
"Maintenance Margin (USDT Contract)", "Margin Parameters".

* Position value = size x entry price; IM = value / leverage; MM = value x MMR - MM deduction,
  with MMR and deduction from the risk-limit tier that covers the position value.
* Long  LP = entry - (IM - MM) / size - extra margin / size
* Short LP = entry + (IM - MM) / size + extra margin / size
* Bankruptcy price: long entry x (1 - 1/leverage), short entry x (1 + 1/leverage).
* Liquidation triggers when the MARK price reaches the LP; the position is closed at the
  bankruptcy price.

Not modelled: the estimated closing fee that Bybit's newer UTA isolated-margin article adds to
IM/MM (BYBIT_V5.md marks its exact form unverified). A long LP that would be <= 0 (the position
can never be liquidated) is returned as 0, like Bybit's empty ``liqPrice``.

The ``*_f`` twins use only float arithmetic and loops over numpy arrays so that
``numba.njit`` can compile them for the backtester.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from openalpha.domain.enums import Side
from openalpha.domain.instrument import RiskTier
from openalpha.venue.risk_tiers import build_tiers, ladder, risk_tiers_for

__all__ = [
    "bankruptcy_price",
    "bankruptcy_price_f",
    "build_tiers",
    "initial_margin",
    "ladder",
    "liquidation_price",
    "liquidation_price_f",
    "maintenance_margin",
    "maintenance_margin_f",
    "max_leverage_for",
    "risk_tiers_for",
    "tier_arrays",
    "tier_for",
]

_ZERO = Decimal(0)


def tier_for(position_value: Decimal, tiers: Sequence[RiskTier]) -> RiskTier:
    """The tier whose limit covers ``|position_value|`` (the first with value <= limit).

    Raises ``ValueError`` when the value exceeds the largest risk limit: Bybit refuses such a
    position, and pretending otherwise would understate the margin.
    """
    if not tiers:
        raise ValueError("no risk-limit tiers given")
    value = abs(position_value)
    for tier in tiers:
        if value <= tier.limit:
            return tier
    raise ValueError(f"position value {value} exceeds the largest risk limit {tiers[-1].limit}")


def _check_leverage(leverage: Decimal) -> None:
    if leverage <= 0:
        raise ValueError(f"leverage must be > 0, got {leverage}")


def initial_margin(value: Decimal, leverage: Decimal) -> Decimal:
    """IM = |position value| / leverage."""
    _check_leverage(leverage)
    return abs(value) / leverage


def maintenance_margin(value: Decimal, tiers: Sequence[RiskTier]) -> Decimal:
    """MM = |position value| x MMR - MM deduction of the tier that covers the value."""
    tier = tier_for(value, tiers)
    return abs(value) * tier.mmr - tier.mm_deduction


def max_leverage_for(value: Decimal, tiers: Sequence[RiskTier]) -> Decimal:
    """Largest leverage Bybit allows for a position of this value."""
    return tier_for(value, tiers).max_leverage


def liquidation_price(
    side: Side,
    entry: Decimal,
    size: Decimal,
    leverage: Decimal,
    tiers: Sequence[RiskTier],
    extra_margin: Decimal = _ZERO,
) -> Decimal:
    """Isolated-margin liquidation price of a position of ``|size|`` opened at ``entry``.

    Example (help centre): 1 BTC long at 20,000, 50x, MMR 0.5 % -> IM 400, MM 100, LP 19,700.
    """
    _check_leverage(leverage)
    if entry <= 0:
        raise ValueError(f"entry price must be > 0, got {entry}")
    qty = abs(size)
    if qty == 0:
        raise ValueError("a liquidation price needs a non-zero position size")
    value = qty * entry
    im = value / leverage
    mm = maintenance_margin(value, tiers)
    distance = (im - mm) / qty + extra_margin / qty
    if Side(side) is Side.BUY:
        return max(entry - distance, _ZERO)
    return entry + distance


def bankruptcy_price(side: Side, entry: Decimal, leverage: Decimal) -> Decimal:
    """Price at which the position's initial margin is exhausted (where a liquidation closes)."""
    _check_leverage(leverage)
    if Side(side) is Side.BUY:
        return entry * (1 - 1 / leverage)
    return entry * (1 + 1 / leverage)


# ---- float twins (numba-compatible: floats and numpy arrays only) -------------------------


def liquidation_price_f(
    sign: float,
    entry: float,
    leverage: float,
    mmr: float,
    mm_deduction: float,
    size: float,
    extra_margin: float,
) -> float:
    """Float twin of :func:`liquidation_price`; ``sign`` > 0 for a long, < 0 for a short.

    ``mmr`` and ``mm_deduction`` are those of the tier covering ``|size| * entry`` (see
    :func:`tier_arrays`). Returns 0.0 for a long that cannot be liquidated.
    """
    qty = abs(size)
    value = qty * entry
    im = value / leverage
    mm = value * mmr - mm_deduction
    distance = (im - mm) / qty + extra_margin / qty
    if sign > 0:
        lp = entry - distance
        return lp if lp > 0.0 else 0.0
    return entry + distance


def bankruptcy_price_f(sign: float, entry: float, leverage: float) -> float:
    """Float twin of :func:`bankruptcy_price`."""
    if sign > 0:
        return entry * (1.0 - 1.0 / leverage)
    return entry * (1.0 + 1.0 / leverage)


def tier_arrays(
    tiers: Sequence[RiskTier],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(limits, mmrs, deductions)`` as float64 arrays, for :func:`maintenance_margin_f`."""
    if not tiers:
        raise ValueError("no risk-limit tiers given")
    limits = np.array([float(t.limit) for t in tiers], dtype=np.float64)
    mmrs = np.array([float(t.mmr) for t in tiers], dtype=np.float64)
    deds = np.array([float(t.mm_deduction) for t in tiers], dtype=np.float64)
    return limits, mmrs, deds


def maintenance_margin_f(
    value: float,
    limits: npt.NDArray[np.float64],
    mmrs: npt.NDArray[np.float64],
    deductions: npt.NDArray[np.float64],
) -> float:
    """Float twin of :func:`maintenance_margin`; beyond the last limit the last tier is used.

    (The Decimal version raises there; a numba loop cannot, so callers cap positions with
    :func:`max_leverage_for` / the last limit before they reach this.)
    """
    v = abs(value)
    n = limits.shape[0]
    i = 0
    while i < n - 1 and v > limits[i]:
        i += 1
    return float(v * mmrs[i] - deductions[i])
