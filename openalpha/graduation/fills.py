"""A strategy's live record rebuilt from its own fills (pure).

The ledger keeps every execution; the fills of one strategy (attributed by its orderLinkId)
marked to the bar closes give its equity over time, and the round trips give the PnL of its
closed trades — the two inputs of :func:`openalpha.graduation.evaluate.live_evidence`.

Conventions: the equity at a bar is taken at that bar's close and indexed by its open time
(as in :class:`openalpha.backtest.result.BacktestResult`), so a fill at ``ts`` counts for the
bar whose ``[open, open + interval)`` holds it. Fees are in the quote currency and reduce
cash; funding payments are not fills and are not included (the backtest of the same period
includes them, which the tracking tolerance absorbs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from openalpha.domain import Fill, instrument_key


def fill_key(fill: Fill) -> str:
    return instrument_key(fill.symbol, fill.category)


def _signed(fill: Fill) -> float:
    return float(fill.qty) * fill.side.sign


def equity_curve(fills: Iterable[Fill], closes: pd.DataFrame, base: float, interval_ms: int) -> pd.Series:
    """``base`` + cash flows + positions marked at each bar's close.

    ``closes``: one column per instrument key, indexed by bar open time (UTC). Fills before
    the first bar set the starting position and cash; a fill of an instrument with no column
    makes every later value NaN (unknown, never guessed).
    """
    trades = sorted((f for f in fills if f.is_trade), key=lambda f: f.ts)
    index = closes.index
    opens = (
        pd.DatetimeIndex(index).as_unit("ms").asi8.astype(np.int64) if len(index) else np.empty(0, np.int64)
    )
    values = np.full(len(index), np.nan)
    qty: dict[str, float] = defaultdict(float)
    cash = 0.0
    i = 0
    for j, open_ms in enumerate(opens):
        end = open_ms + interval_ms
        while i < len(trades) and trades[i].ts < end:
            f = trades[i]
            qty[fill_key(f)] += _signed(f)
            cash -= _signed(f) * float(f.price) + float(f.fee)
            i += 1
        marked = 0.0
        for key, q in qty.items():
            if abs(q) < 1e-12:
                continue
            price = closes[key].iloc[j] if key in closes.columns else np.nan
            marked += q * float(price)
        values[j] = base + cash + marked
    return pd.Series(values, index=index, name="equity")


def closed_trades(fills: Iterable[Fill]) -> list[tuple[int, float]]:
    """``(close ts, net PnL after fees)`` of every round trip that closed: flat → position → flat.

    A fill that flips the position closes the trade with its proportional share and opens the
    next one with the rest. Open trades are not counted.
    """
    pnl: list[tuple[int, float]] = []
    qty: dict[str, float] = defaultdict(float)
    cash: dict[str, float] = defaultdict(float)
    for f in sorted((f for f in fills if f.is_trade), key=lambda f: f.ts):
        key, signed, price, fee = fill_key(f), _signed(f), float(f.price), float(f.fee)
        before = qty[key]
        after = before + signed
        flat = abs(after) < 1e-12
        if before != 0 and (flat or (after > 0) != (before > 0)):
            closing = -before  # the part of this fill that brings the position to zero
            share = closing / signed
            cash[key] -= closing * price + fee * share
            pnl.append((f.ts, cash[key]))
            rest = signed - closing
            cash[key] = -(rest * price) - fee * (1 - share)
        else:
            cash[key] -= signed * price + fee
        qty[key] = 0.0 if flat else after
    return pnl


def closed_trade_pnl(fills: Iterable[Fill], since_ms: int | None = None) -> np.ndarray:
    """Net PnL of the round trips closed at or after ``since_ms`` (all when None)."""
    return np.asarray(
        [p for ts, p in closed_trades(fills) if since_ms is None or ts >= since_ms], dtype=np.float64
    )


__all__ = ["closed_trade_pnl", "closed_trades", "equity_curve", "fill_key"]
