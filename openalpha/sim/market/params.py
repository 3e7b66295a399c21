"""Query-parameter parsing with Bybit's answers to bad input (retCode 10001, BYBIT_V5.md §2–3).

The retMsg wording is the simulator's own where Bybit's exact text is not documented; the
retCode is Bybit's.
"""

from __future__ import annotations

from collections.abc import Mapping

from openalpha.sim.envelope import PARAM_ERROR, BybitError

CATEGORIES = ("spot", "linear", "inverse", "option")
TRADED = ("spot", "linear")  # what the simulator has markets for; the others answer empty lists
KLINE_INTERVALS = ("1", "3", "5", "15", "30", "60", "120", "240", "360", "720", "D", "W", "M")


def param_error(message: str) -> BybitError:
    return BybitError(PARAM_ERROR, message)


def category(query: Mapping[str, str], allowed: tuple[str, ...], default: str | None = None) -> str:
    """``category``: required unless ``default`` is given; must be one of ``allowed``."""
    raw = query.get("category")
    if raw is None or raw == "":
        if default is None:
            raise param_error("params error: category is required")
        return default
    if raw not in allowed:
        raise param_error(f"params error: Illegal category {raw!r}")
    return raw


def symbol(query: Mapping[str, str], required: bool = True) -> str | None:
    raw = query.get("symbol")
    if raw is None or raw == "":
        if required:
            raise param_error("params error: symbol is required")
        return None
    if raw != raw.upper():  # Bybit symbols are uppercase (BYBIT_V5.md §3)
        raise param_error("Not supported symbols")
    return raw


def integer(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise param_error(f"params error: {name} must be an integer, got {raw!r}") from None


def limit(query: Mapping[str, str], low: int, high: int, default: int) -> int:
    value = integer(query, "limit")
    if value is None:
        return default
    if not low <= value <= high:
        raise param_error(f"params error: limit must be in [{low}, {high}], got {value}")
    return value


def interval(query: Mapping[str, str]) -> str:
    raw = query.get("interval")
    if raw is None or raw == "":
        raise param_error("params error: interval is required")
    if raw not in KLINE_INTERVALS:
        raise param_error("Invalid period!")
    return raw
