"""Bybit kline interval codes and their lengths."""

from __future__ import annotations

MINUTE_MS = 60_000

# Bybit V5 kline intervals (BYBIT_V5.md §3): minutes as digits, then D, W, M.
_MINUTES: dict[str, int] = {
    "1": 1,
    "3": 3,
    "5": 5,
    "15": 15,
    "30": 30,
    "60": 60,
    "120": 120,
    "240": 240,
    "360": 360,
    "720": 720,
    "D": 1440,
    "W": 10080,
}

INTERVALS: tuple[str, ...] = tuple(_MINUTES)

_ALIASES = {
    "1m": "1",
    "3m": "3",
    "5m": "5",
    "15m": "15",
    "30m": "30",
    "1h": "60",
    "2h": "120",
    "4h": "240",
    "6h": "360",
    "12h": "720",
    "1d": "D",
    "1w": "W",
}


def normalize_interval(interval: str | int) -> str:
    """Bybit's code for ``interval``: accepts ``60``, ``"60"``, ``"1h"``; raises ValueError otherwise."""
    text = str(interval).strip()
    text = _ALIASES.get(text.lower(), text)
    if text.upper() in ("D", "W"):
        text = text.upper()
    if text not in _MINUTES:
        raise ValueError(
            f"unknown interval {interval!r}; expected one of {', '.join(INTERVALS)} (or 1m, 1h, 4h, 1d)"
        )
    return text


def interval_minutes(interval: str | int) -> int:
    return _MINUTES[normalize_interval(interval)]


def interval_ms(interval: str | int) -> int:
    return interval_minutes(interval) * MINUTE_MS
