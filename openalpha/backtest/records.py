"""Kernel records → the frames of a :class:`BacktestResult`: orders/fills, trades, funding, liquidations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.backtest import kernel_steps as K

KIND_NAMES = {
    K.K_MARKET: "market",
    K.K_LIMIT: "limit",
    K.K_STOP: "stop_loss",
    K.K_TAKE: "take_profit",
    K.K_LIQ: "liquidation",
    K.K_CLOSEOUT: "closeout",
}

_KIND_ARRAY = np.array([KIND_NAMES[k] for k in range(len(KIND_NAMES))], dtype=object)

FILL_COLUMNS = [
    "time",
    "bar",
    "symbol",
    "side",
    "qty",
    "price",
    "notional",
    "fee",
    "kind",
    "realized_pnl",
    "trade_id",
    "reference_price",
]


def fills_frame(fills: np.ndarray, index: pd.DatetimeIndex, symbols: list[str]) -> pd.DataFrame:
    """One row per execution (a flip is a close and an open). ``reference_price`` is the bar's
    open for market orders (slippage = price − reference), the limit price for maker fills and
    the trigger level for stops, take-profits and liquidations."""
    if len(fills) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in FILL_COLUMNS})
    bar = fills[:, K.F_BAR].astype(np.int64)
    qty = fills[:, K.F_QTY]
    return pd.DataFrame(
        {
            "time": index[bar],
            "bar": bar,
            "symbol": np.asarray(symbols, dtype=object)[fills[:, K.F_INST].astype(np.int64)],
            "side": np.where(qty > 0, "Buy", "Sell"),
            "qty": np.abs(qty),
            "price": fills[:, K.F_PRICE],
            "notional": np.abs(qty) * fills[:, K.F_PRICE],
            "fee": fills[:, K.F_FEE],
            "kind": _KIND_ARRAY[fills[:, K.F_KIND].astype(np.int64)],
            "realized_pnl": fills[:, K.F_REALIZED],
            "trade_id": fills[:, K.F_TRADE].astype(np.int64),
            "reference_price": fills[:, K.F_TRIGGER],
        }
    )


def funding_frame(funds: np.ndarray, index: pd.DatetimeIndex, symbols: list[str]) -> pd.DataFrame:
    """One row per settlement paid or received: ``payment`` > 0 = paid by the account."""
    cols = ["time", "symbol", "position", "mark_price", "rate", "payment", "trade_id"]
    if len(funds) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    return pd.DataFrame(
        {
            "time": index[funds[:, K.G_BAR].astype(np.int64)],
            "symbol": np.asarray(symbols, dtype=object)[funds[:, K.G_INST].astype(np.int64)],
            "position": funds[:, K.G_QTY],
            "mark_price": funds[:, K.G_MARK],
            "rate": funds[:, K.G_RATE],
            "payment": funds[:, K.G_PAYMENT],
            "trade_id": funds[:, K.G_TRADE].astype(np.int64),
        }
    )


def liquidations_frame(fills: np.ndarray, index: pd.DatetimeIndex, symbols: list[str]) -> pd.DataFrame:
    rows = fills[fills[:, K.F_KIND] == K.K_LIQ] if len(fills) else fills
    cols = ["time", "symbol", "side", "qty", "liquidation_price", "margin_lost"]
    if len(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    qty = rows[:, K.F_QTY]
    return pd.DataFrame(
        {
            "time": index[rows[:, K.F_BAR].astype(np.int64)],
            "symbol": np.asarray(symbols, dtype=object)[rows[:, K.F_INST].astype(np.int64)],
            "side": np.where(qty < 0, "Buy", "Sell"),  # the side of the position that was liquidated
            "qty": np.abs(qty),
            "liquidation_price": rows[:, K.F_PRICE],
            "margin_lost": rows[:, K.F_MARGIN_LOST],
        }
    )


TRADE_COLUMNS = [
    "symbol",
    "trade_id",
    "side",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "qty",
    "gross_pnl",
    "fees",
    "funding",
    "pnl",
    "return",
    "bars",
    "exit_kind",
    "open",
]


def _first_rows(codes: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Row of the first and of the last record of each group (``codes`` in 0..groups-1)."""
    rows = np.arange(len(codes))
    first = np.empty(groups, dtype=np.int64)
    first[codes[::-1]] = rows[::-1]
    last = np.empty(groups, dtype=np.int64)
    last[codes] = rows
    return first, last


def trades_frame(
    fills: np.ndarray, funds: np.ndarray, index: pd.DatetimeIndex, symbols: list[str]
) -> pd.DataFrame:
    """Round trips per instrument (flat → position → flat), net of fees and funding, from the
    kernel's fill and funding records.

    A trade still open at the end is reported with ``exit_time`` NaT and ``open`` True; its
    P&L is realised P&L so far (partial reductions) minus costs. Groups are keyed by
    (instrument, trade id) as integers; sums go through pandas' grouped sum (compensated,
    in record order).
    """
    if len(fills) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in TRADE_COLUMNS})
    inst = fills[:, K.F_INST].astype(np.int64)
    trade = fills[:, K.F_TRADE].astype(np.int64)
    width = int(trade.max()) + 1
    codes, keys = pd.factorize(inst * width + trade, sort=False)  # groups in order of appearance
    groups = len(keys)
    first, last = _first_rows(codes, groups)
    raw = fills[:, K.F_QTY]
    qty = np.abs(raw)
    signed = np.where(raw > 0, qty, -qty)
    notional = qty * fills[:, K.F_PRICE]
    opening = np.sign(signed) == np.sign(signed[first][codes])
    parts = pd.DataFrame(
        {
            "open_notional": np.where(opening, notional, 0.0),
            "open_qty": np.where(opening, qty, 0.0),
            "close_notional": np.where(opening, 0.0, notional),
            "close_qty": np.where(opening, 0.0, qty),
            "gross_pnl": fills[:, K.F_REALIZED],
            "fees": fills[:, K.F_FEE],
            "net": signed,
        }
    )
    sums = parts.groupby(codes, sort=True).sum()  # codes 0..groups-1 = order of appearance
    funding_paid = np.zeros(groups)
    if len(funds):
        fkey = funds[:, K.G_INST].astype(np.int64) * width + funds[:, K.G_TRADE].astype(np.int64)
        paid = pd.Series(funds[:, K.G_PAYMENT]).groupby(fkey).sum()
        funding_paid = paid.reindex(keys).fillna(0.0).to_numpy(dtype=np.float64)
    first_bar = fills[first, K.F_BAR].astype(np.int64)
    last_bar = fills[last, K.F_BAR].astype(np.int64)
    is_open = np.abs(sums["net"].to_numpy()) > 1e-12
    open_notional = sums["open_notional"].to_numpy()
    open_qty = sums["open_qty"].to_numpy()
    close_qty = sums["close_qty"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        entry_px = open_notional / open_qty
        exit_px = np.where(close_qty > 0, sums["close_notional"].to_numpy() / close_qty, np.nan)
    gross = sums["gross_pnl"].to_numpy()
    fees = sums["fees"].to_numpy()
    pnl = gross - fees - funding_paid
    kinds = _KIND_ARRAY[fills[last, K.F_KIND].astype(np.int64)]
    exit_time = pd.Series(index[last_bar]).where(~is_open, pd.NaT)
    res = pd.DataFrame(
        {
            "symbol": np.asarray(symbols, dtype=object)[inst[first]],
            "trade_id": trade[first],
            "side": np.where(signed[first] > 0, "Long", "Short"),
            "entry_time": index[first_bar],
            "exit_time": exit_time,
            "entry_price": entry_px,
            "exit_price": exit_px,
            "qty": open_qty,
            "gross_pnl": gross,
            "fees": fees,
            "funding": funding_paid,
            "pnl": pnl,
            "return": pnl / open_notional,
            "bars": np.where(is_open, len(index) - first_bar, last_bar - first_bar),
            "exit_kind": np.where(is_open, "open", kinds),
            "open": is_open,
        }
    )
    if len(symbols) == 1 and not np.any(first_bar[1:] < first_bar[:-1]):
        return res  # one instrument, groups in order of appearance: already sorted by entry
    return res.sort_values(["entry_time", "symbol"], kind="stable").reset_index(drop=True)


__all__ = [
    "FILL_COLUMNS",
    "KIND_NAMES",
    "TRADE_COLUMNS",
    "fills_frame",
    "funding_frame",
    "liquidations_frame",
    "trades_frame",
]
