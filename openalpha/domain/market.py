"""Market data records: bars, mark prices and funding rates. Times are int ms UTC."""

from __future__ import annotations

import msgspec


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    """One candle; ``ts`` is its open time. ``volume`` is in the base coin, ``turnover`` in quote."""

    symbol: str
    interval: str
    ts: int
    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0
    turnover: float = 0.0


class MarkPrice(msgspec.Struct, frozen=True, kw_only=True):
    """A mark-price observation (close of a mark-price candle, or a ticker's markPrice)."""

    symbol: str
    ts: int
    price: float


class FundingRate(msgspec.Struct, frozen=True, kw_only=True):
    """A settled funding rate: fraction per interval, ``ts`` = settlement time."""

    symbol: str
    ts: int
    rate: float
