"""Parsing time arguments: ``2023-01-01``, ``2023-01-01T12:00``, ``…Z``/``+00:00``, ms epoch, ``now``."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from openalpha.cli.errors import CliError


def parse_time_ms(text: str, option: str) -> int:
    """Milliseconds UTC for ``text``; naive date-times are UTC. Bad input → :class:`CliError`."""
    raw = text.strip()
    if raw.lower() == "now":
        return time.time_ns() // 1_000_000
    if raw.isdigit() and len(raw) >= 10:
        value = int(raw)
        return value * 1000 if len(raw) == 10 else value
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(
            f"{option}: cannot read {text!r} as a time (use 2023-01-01, 2023-01-01T12:00 or ms)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def format_ms(ms: int) -> str:
    """``2023-01-01 00:00`` (UTC) for tables and messages."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")
