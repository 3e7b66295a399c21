"""One simulated Bybit unified account: coin balances, one-way linear positions, orders, executions.

Accounting rules (USDT linear perps, isolated margin per position; spot coins):

* ``walletBalance`` (USDT) changes only by realised PnL, trading fees and funding.
* A position's IM/MM/liquidation/bankruptcy prices come from :mod:`openalpha.venue.margin`
  using its entry price, size, leverage and the symbol's risk tiers.
* Open linear orders reserve ``leaves·price/leverage`` (order IM); open spot buys lock
  ``leaves·price`` USDT, open spot sells lock ``leaves`` of the base coin.
* Available USDT = wallet + unrealised PnL − position IM − order IM − spot-locked USDT.
* Spot fees are taken from the coin received (base on a buy, USDT on a sell), as Bybit does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openalpha.domain import Instrument, Side
from openalpha.sim.trading.records import ZERO, Execution, SimOrder, SimPosition, fmt
from openalpha.venue import bankruptcy_price, initial_margin, liquidation_price, maintenance_margin

DEFAULT_LEVERAGE = Decimal(10)
QUOTE = "USDT"


@dataclass
class Account:
    api_key: str
    secret: str
    uid: int
    coins: dict[str, Decimal] = field(default_factory=dict)
    leverage: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[str, SimPosition] = field(default_factory=dict)
    orders: dict[str, SimOrder] = field(default_factory=dict)
    open: dict[str, SimOrder] = field(default_factory=dict)  # the open subset of ``orders``
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)

    # -- positions --------------------------------------------------------------------------
    def position(self, symbol: str, inst: Instrument) -> SimPosition:
        pos = self.positions.get(symbol)
        if pos is None:
            lev = self.leverage.get(symbol, min(DEFAULT_LEVERAGE, inst.max_leverage))
            pos = self.positions[symbol] = SimPosition(symbol=symbol, leverage=lev)
        return pos

    def apply_linear_fill(
        self, inst: Instrument, side: Side, qty: Decimal, price: Decimal, fee: Decimal, ts: int
    ) -> tuple[Decimal, Decimal]:
        """Book a linear fill; returns (closed size, realised PnL before fees)."""
        pos = self.position(inst.symbol, inst)
        signed = qty * side.sign
        size = pos.size
        closed = ZERO
        pnl = ZERO
        if size == 0 or (size > 0) == (signed > 0):
            total = abs(size) + qty
            pos.entry = (abs(size) * pos.entry + qty * price) / total
            if size == 0:
                pos.created_ms = ts
        else:
            closed = min(qty, abs(size))
            pnl = closed * (price - pos.entry) * (1 if size > 0 else -1)
            if qty > abs(size):
                pos.entry = price
                pos.created_ms = ts
            elif qty == abs(size):
                pos.entry = ZERO
        pos.size = size + signed
        if pos.size == 0:
            pos.take_profit = pos.stop_loss = None
            pos.status = "Normal"
        self.coins[QUOTE] = self.coins.get(QUOTE, ZERO) + pnl - fee
        pos.cum_realised += pnl - fee
        pos.cur_realised += pnl - fee
        pos.updated_ms = ts
        return closed, pnl

    def apply_spot_fill(
        self, inst: Instrument, side: Side, qty: Decimal, price: Decimal, rate: Decimal
    ) -> tuple[Decimal, str]:
        """Book a spot fill; returns (fee, fee coin). Fees come out of the coin received."""
        base, quote = inst.base_coin, inst.quote_coin
        value = qty * price
        if side is Side.BUY:
            fee = qty * rate
            self.coins[base] = self.coins.get(base, ZERO) + qty - fee
            self.coins[quote] = self.coins.get(quote, ZERO) - value
            return fee, base
        fee = value * rate
        self.coins[base] = self.coins.get(base, ZERO) - qty
        self.coins[quote] = self.coins.get(quote, ZERO) + value - fee
        return fee, quote

    # -- margin -----------------------------------------------------------------------------
    @staticmethod
    def position_margins(pos: SimPosition, inst: Instrument) -> tuple[Decimal, Decimal]:
        """(IM, MM) of a position at its entry price."""
        if pos.size == 0:
            return ZERO, ZERO
        value = abs(pos.size) * pos.entry
        return initial_margin(value, pos.leverage), maintenance_margin(value, inst.risk_tiers)

    @staticmethod
    def liq_price(pos: SimPosition, inst: Instrument) -> Decimal | None:
        if pos.size == 0:
            return None
        side = Side.BUY if pos.size > 0 else Side.SELL
        return liquidation_price(side, pos.entry, abs(pos.size), pos.leverage, inst.risk_tiers)

    @staticmethod
    def bust_price(pos: SimPosition) -> Decimal:
        side = Side.BUY if pos.size > 0 else Side.SELL
        return bankruptcy_price(side, pos.entry, pos.leverage)

    def open_orders(self) -> list[SimOrder]:
        return [o for o in self.open.values() if o.is_open]

    def order_im(self, instruments: Callable[[str, str], Instrument]) -> tuple[Decimal, Decimal]:
        """(linear order IM, spot-locked USDT) of the open orders."""
        im = ZERO
        locked = ZERO
        for o in self.open_orders():
            if o.price is None:
                continue
            if o.category == "linear":
                if not o.reduce_only:
                    lev = self.position(o.symbol, instruments("linear", o.symbol)).leverage
                    im += o.leaves * o.price / lev
            elif o.side == "Buy":
                locked += o.leaves * o.price
        return im, locked

    def locked_coin(self, coin: str, instruments: Callable[[str, str], Instrument]) -> Decimal:
        """Base coin locked by open spot sell orders."""
        total = ZERO
        for o in self.open_orders():
            if o.category == "spot" and o.side == "Sell" and instruments("spot", o.symbol).base_coin == coin:
                total += o.leaves
        return total

    def totals(
        self, instruments: Callable[[str, str], Instrument], mark: Callable[[str], Decimal | None]
    ) -> dict[str, Decimal]:
        """Account-level USDT figures: wallet, uPnL, position IM/MM, order IM, locked, available."""
        upl = pim = pmm = ZERO
        for pos in self.positions.values():
            if pos.size == 0:
                continue
            inst = instruments("linear", pos.symbol)
            price = mark(pos.symbol)
            if price is not None:
                upl += pos.size * (price - pos.entry)
            im, mm = self.position_margins(pos, inst)
            pim += im
            pmm += mm
        oim, locked = self.order_im(instruments)
        wallet = self.coins.get(QUOTE, ZERO)
        return {
            "wallet": wallet,
            "upl": upl,
            "position_im": pim,
            "position_mm": pmm,
            "order_im": oim,
            "locked": locked,
            "available": wallet + upl - pim - oim - locked,
        }

    def position_view(self, pos: SimPosition, inst: Instrument, mark: Decimal | None) -> dict[str, Any]:
        """Bybit ``/v5/position/list`` item."""
        im, mm = self.position_margins(pos, inst)
        liq = self.liq_price(pos, inst)
        value = abs(pos.size) * pos.entry
        upl = pos.size * (mark - pos.entry) if (mark is not None and pos.size) else ZERO
        return {
            "positionIdx": 0,
            "riskId": 1,
            "riskLimitValue": fmt(inst.risk_tiers[0].limit) if inst.risk_tiers else "0",
            "symbol": pos.symbol,
            "side": pos.side,
            "size": fmt(abs(pos.size)),
            "avgPrice": fmt(pos.entry),
            "positionValue": fmt(value),
            "tradeMode": 0,
            "autoAddMargin": 0,
            "positionStatus": pos.status,
            "leverage": fmt(pos.leverage),
            "markPrice": fmt(mark) if mark is not None else "",
            "liqPrice": fmt(liq) if liq else "",
            "bustPrice": fmt(self.bust_price(pos)) if pos.size else "",
            "positionIM": fmt(im),
            "positionIMByMp": fmt(abs(pos.size) * mark / pos.leverage) if mark is not None else fmt(im),
            "positionMM": fmt(mm),
            "positionMMByMp": fmt(mm),
            "positionBalance": fmt(im),
            "takeProfit": fmt(pos.take_profit) if pos.take_profit else "",
            "stopLoss": fmt(pos.stop_loss) if pos.stop_loss else "",
            "trailingStop": "0",
            "sessionAvgPrice": "",
            "delta": "",
            "gamma": "",
            "vega": "",
            "theta": "",
            "unrealisedPnl": fmt(upl),
            "curRealisedPnl": fmt(pos.cur_realised),
            "cumRealisedPnl": fmt(pos.cum_realised),
            "adlRankIndicator": 2 if pos.size else 0,
            "createdTime": str(pos.created_ms),
            "updatedTime": str(pos.updated_ms),
            "seq": pos.seq,
            "isReduceOnly": False,
            "mmrSysUpdatedTime": "",
            "leverageSysUpdatedTime": "",
            "tpslMode": "Full",
            "breakEvenPrice": fmt(pos.entry) if pos.size else "",
        }
