"""Funding settlement of USDT perpetuals.

Source: Bybit help centre "Funding Fee Calculation" and "What is funding rate" (BYBIT_V5.md §6):
funding is exchanged between longs and shorts at the end of each funding interval (every 8 h at
00:00, 08:00 and 16:00 UTC by default; some symbols use 4 h or 1 h, given by the instrument's
``fundingInterval`` in minutes). Funding fee = position value at mark price x funding rate; with a
positive rate longs pay shorts, with a negative rate shorts pay longs. Only positions open at the
settlement timestamp pay or receive.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "funding_payment",
    "funding_payment_f",
    "funding_times",
    "is_funding_time",
    "next_funding_time",
]

_MS_PER_MIN = 60_000


def funding_payment(size: Decimal, mark_price: Decimal, rate: Decimal) -> Decimal:
    """Amount the position PAYS at a settlement (positive = paid, negative = received).

    ``size`` is signed: positive for a long, negative for a short. A long with a positive rate
    pays; a short with a positive rate receives; both flip when the rate is negative.
    """
    return size * mark_price * rate


def funding_payment_f(size: float, mark_price: float, rate: float) -> float:
    """Float twin of :func:`funding_payment` (numba-compatible)."""
    return size * mark_price * rate


def _interval_ms(interval_min: int) -> int:
    if interval_min <= 0:
        raise ValueError(f"funding interval must be a positive number of minutes, got {interval_min}")
    return interval_min * _MS_PER_MIN


def funding_times(start_ms: int, end_ms: int, interval_min: int = 480) -> list[int]:
    """Settlement times (ms UTC) in ``[start_ms, end_ms)``, on multiples of the interval since the epoch."""
    step = _interval_ms(interval_min)
    first = -(-start_ms // step) * step  # ceil to the grid
    return list(range(first, end_ms, step))


def is_funding_time(ts_ms: int, interval_min: int = 480) -> bool:
    """True when ``ts_ms`` is exactly a settlement time."""
    return ts_ms % _interval_ms(interval_min) == 0


def next_funding_time(ts_ms: int, interval_min: int = 480) -> int:
    """The first settlement time strictly after ``ts_ms``."""
    step = _interval_ms(interval_min)
    return (ts_ms // step + 1) * step
