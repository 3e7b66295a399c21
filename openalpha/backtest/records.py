"""Kernel records → the frames of a :class:`BacktestResult`: orders/fills, trades, funding, liquidations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.backtest import kernel as K

KIND_NAMES = {
    K.K_MARKET: "market",
    K.K_LIMIT: "limit",
    K.K_STOP: "stop_loss",
    K.K_TAKE: "take_profit",
    K.K_LIQ: "liquidation",
    K.K_CLOSEOUT: "closeout",
}

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
            "kind": [KIND_NAMES[int(k)] for k in fills[:, K.F_KIND]],
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


def trades_frame(fills: pd.DataFrame, funding: pd.DataFrame, bar_count: int) -> pd.DataFrame:
    """Round trips per instrument (flat → position → flat), net of fees and funding.

    A trade still open at the end is reported with ``exit_time`` NaT and ``open`` True; its
    P&L is realised P&L so far (partial reductions) minus costs.
    """
    cols = [
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
    if len(fills) == 0:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    f = fills.copy()
    signed = np.where(f["side"] == "Buy", f["qty"], -f["qty"])
    f["signed"] = signed
    first_sign = f.groupby(["symbol", "trade_id"], sort=False)["signed"].transform("first")
    f["opening"] = np.sign(f["signed"]) == np.sign(first_sign)
    f["open_notional"] = np.where(f["opening"], f["notional"], 0.0)
    f["open_qty"] = np.where(f["opening"], f["qty"], 0.0)
    f["close_notional"] = np.where(f["opening"], 0.0, f["notional"])
    f["close_qty"] = np.where(f["opening"], 0.0, f["qty"])
    f["net"] = f["signed"]
    g = f.groupby(["symbol", "trade_id"], sort=False)
    out = g.agg(
        entry_time=("time", "first"),
        last_time=("time", "last"),
        first_bar=("bar", "first"),
        last_bar=("bar", "last"),
        first_sign=("signed", "first"),
        open_notional=("open_notional", "sum"),
        open_qty=("open_qty", "sum"),
        close_notional=("close_notional", "sum"),
        close_qty=("close_qty", "sum"),
        gross_pnl=("realized_pnl", "sum"),
        fees=("fee", "sum"),
        net=("net", "sum"),
        exit_kind=("kind", "last"),
    ).reset_index()
    if len(funding):
        paid = funding.groupby(["symbol", "trade_id"])["payment"].sum().rename("funding_paid")
        out = out.merge(paid, on=["symbol", "trade_id"], how="left")
    else:
        out["funding_paid"] = 0.0
    out["funding_paid"] = out["funding_paid"].fillna(0.0)
    is_open = np.abs(out["net"]) > 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        entry_px = out["open_notional"] / out["open_qty"]
        exit_px = np.where(out["close_qty"] > 0, out["close_notional"] / out["close_qty"], np.nan)
    pnl = out["gross_pnl"] - out["fees"] - out["funding_paid"]
    res = pd.DataFrame(
        {
            "symbol": out["symbol"],
            "trade_id": out["trade_id"],
            "side": np.where(out["first_sign"] > 0, "Long", "Short"),
            "entry_time": out["entry_time"],
            "exit_time": out["last_time"].where(~is_open, pd.NaT),
            "entry_price": entry_px,
            "exit_price": exit_px,
            "qty": out["open_qty"],
            "gross_pnl": out["gross_pnl"],
            "fees": out["fees"],
            "funding": out["funding_paid"],
            "pnl": pnl,
            "return": pnl / out["open_notional"],
            "bars": np.where(is_open, bar_count - out["first_bar"], out["last_bar"] - out["first_bar"]),
            "exit_kind": np.where(is_open, "open", out["exit_kind"]),
            "open": is_open,
        }
    )
    return res.sort_values(["entry_time", "symbol"], kind="stable").reset_index(drop=True)


__all__ = ["FILL_COLUMNS", "KIND_NAMES", "fills_frame", "funding_frame", "liquidations_frame", "trades_frame"]
