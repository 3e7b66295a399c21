"""Bybit JSON views of simulator state that several endpoints and topics share."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openalpha.domain import Category
from openalpha.sim.trading.account import QUOTE, Account
from openalpha.sim.trading.records import ZERO, fmt

if TYPE_CHECKING:
    from openalpha.sim.trading.engine import Engine


def _coin_price(engine: Engine, coin: str) -> Decimal | None:
    if coin == QUOTE:
        return Decimal(1)
    for cat in (Category.SPOT, Category.LINEAR):
        price = engine.last_price(cat.value, f"{coin}{QUOTE}")
        if price is not None:
            return price
    return None


def wallet_view(engine: Engine, acct: Account, coins: set[str] | None) -> list[dict[str, Any]]:
    """``/v5/account/wallet-balance`` ``list`` (one UNIFIED account) — also the ``wallet`` topic's data."""
    t = engine.totals(acct)
    rows = []
    total_equity = ZERO
    for coin in sorted(acct.coins):
        amount = acct.coins[coin]
        if coins and coin not in coins:
            continue
        price = _coin_price(engine, coin) or ZERO
        if coin == QUOTE:
            equity = amount + t["upl"]
            locked = t["locked"]
            upl = t["upl"]
            pim, pmm, oim = t["position_im"], t["position_mm"], t["order_im"]
        else:
            equity = amount
            locked = acct.locked_coin(coin, engine.inst_lookup)
            upl = pim = pmm = oim = ZERO
        usd = equity * price
        total_equity += usd
        cum = sum((p.cum_realised for p in acct.positions.values()), ZERO) if coin == QUOTE else ZERO
        rows.append(
            {
                "coin": coin,
                "equity": fmt(equity),
                "usdValue": fmt(usd),
                "walletBalance": fmt(amount),
                "free": "",
                "locked": fmt(locked),
                "spotHedgingQty": "0",
                "borrowAmount": "0",
                "availableToWithdraw": "",
                "availableToBorrow": "",
                "accruedInterest": "0",
                "totalOrderIM": fmt(oim),
                "totalPositionIM": fmt(pim),
                "totalPositionMM": fmt(pmm),
                "unrealisedPnl": fmt(upl),
                "cumRealisedPnl": fmt(cum),
                "bonus": "0",
                "marginCollateral": True,
                "collateralSwitch": True,
                "autoCollateral": False,
            }
        )
    margin_balance = t["wallet"] + t["upl"]
    total_im = t["position_im"] + t["order_im"]
    return [
        {
            "accountType": "UNIFIED",
            "accountIMRate": fmt((total_im / margin_balance).quantize(Decimal("0.0001")))
            if margin_balance > 0
            else "0",
            "accountMMRate": fmt((t["position_mm"] / margin_balance).quantize(Decimal("0.0001")))
            if margin_balance > 0
            else "0",
            "accountLTV": "0",
            "totalEquity": fmt(total_equity),
            "totalWalletBalance": fmt(t["wallet"]),
            "totalMarginBalance": fmt(margin_balance),
            "totalAvailableBalance": fmt(t["available"]),
            "totalPerpUPL": fmt(t["upl"]),
            "totalInitialMargin": fmt(total_im),
            "totalMaintenanceMargin": fmt(t["position_mm"]),
            "accountIMRateByMp": "0",
            "accountMMRateByMp": "0",
            "totalInitialMarginByMp": fmt(total_im),
            "totalMaintenanceMarginByMp": fmt(t["position_mm"]),
            "coin": rows,
        }
    ]


def position_rows(engine: Engine, acct: Account, symbol: str | None) -> list[dict[str, Any]]:
    """``/v5/position/list`` rows: the symbol's row (even flat), or every open position."""
    rows = []
    if symbol is not None:
        inst = engine.instrument("linear", symbol)
        pos = acct.position(symbol, inst)
        rows.append(acct.position_view(pos, inst, engine.mark_price(symbol)))
        return rows
    for sym in sorted(acct.positions):
        pos = acct.positions[sym]
        if pos.size != 0:
            inst = engine.inst_lookup("linear", sym)
            rows.append(acct.position_view(pos, inst, engine.mark_price(sym)))
    return rows
