"""Plain-text formatting for the dashboard (pure; no NiceGUI)."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def money(value: float | None, unit: str = "USDT") -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:,.2f} {unit}".strip()


def signed_money(value: float | None, unit: str = "USDT") -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:+,.2f} {unit}".strip()


def pct(value: float | None, digits: int = 2) -> str:
    """``0.0123`` → ``1.23 %``."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:.{digits}f} %"


def number(value: float | None, digits: int = 6) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}"


def ts(ms: int | None) -> str:
    """int ms UTC → ``2024-01-02 03:04:05Z``."""
    if not ms:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def age(ms: int | None, now_ms: int) -> str:
    """How long ago, compactly: ``12 s``, ``5 min``, ``3 h``, ``2 d``."""
    if not ms:
        return "never"
    seconds = max(0, (now_ms - ms) // 1000)
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
