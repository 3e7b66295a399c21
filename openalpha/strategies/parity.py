"""The parity check (ARCHITECTURE §3): targets over the full history must equal the targets a
live runner computes bar by bar on trailing ``warmup()+1`` windows. It also catches look-ahead:
a strategy that peeks at bar *t+1* cannot reproduce its full-history value on a window that
ends at *t*.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.intervals import interval_ms
from openalpha.domain.market_data import MarketData
from openalpha.strategies.base import Strategy


class ParityReport(msgspec.Struct, frozen=True, kw_only=True):
    """Outcome of :func:`check_parity`: bars checked and the mismatches (bar position, symbol,
    full-history value, trailing-window value), at most ``max_examples`` of them listed."""

    checked: int
    mismatches: int
    examples: list[tuple[int, str, float, float]]
    atol: float

    @property
    def ok(self) -> bool:
        return self.mismatches == 0


def window_at(data: MarketData, end: int, length: int) -> MarketData:
    """What a live runner sees after bar ``end`` closed: the last ``length`` bars up to and
    including bar ``end`` and the funding settled before that bar's close."""
    index = data.index
    start = index[max(0, end - length + 1)]
    stop = index[end] + pd.Timedelta(milliseconds=interval_ms(data.interval))
    return data.slice(start=start, end=stop)


def check_parity(
    strategy: Strategy,
    data: MarketData,
    bars: Sequence[int] | None = None,
    *,
    atol: float = 0.0,
    max_examples: int = 10,
) -> ParityReport:
    """Compare full-history targets with trailing-window targets at the bar positions ``bars``
    (default: every bar from ``warmup()`` on). ``atol`` is the tolerance; the built-ins are
    exact (0)."""
    full = strategy.targets(data)
    length = strategy.warmup() + 1
    positions = list(range(strategy.warmup(), len(data.index))) if bars is None else list(bars)
    examples: list[tuple[int, str, float, float]] = []
    mismatches = 0
    for pos in positions:
        live = strategy.targets(window_at(data, pos, length)).iloc[-1]
        for sym in full.columns:
            a = float(full[sym].iloc[pos])
            b = float(live[sym])
            same = (np.isnan(a) and np.isnan(b)) or abs(a - b) <= atol
            if not same:
                mismatches += 1
                if len(examples) < max_examples:
                    examples.append((pos, str(sym), a, b))
    return ParityReport(checked=len(positions), mismatches=mismatches, examples=examples, atol=atol)


__all__ = ["ParityReport", "check_parity", "window_at"]
