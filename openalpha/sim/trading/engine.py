"""The simulator's matching engine: orders in, fills, positions, funding and liquidations out.

Fill model (documented contract; README "Simulator fill model"):

1. **Reference price.** The engine trades against the close of the last *closed* bar of the
   finest stored interval at the replay clock's time ("last price"). The mark price is the
   matching mark-price bar's close when mark bars of the same interval are stored, else the
   last price.
2. **Incoming orders** meet the synthetic book of :mod:`openalpha.sim.trading.book` built
   around the last price and sized from the last bar's volume. Market orders (and the
   marketable part of limit orders) walk it level by level, paying the taker fee; liquidity
   taken stays taken until the next bar closes, so size moves the price. What the book cannot
   fill is cancelled (Market, IOC), refused whole (FOK) or rests (GTC). PostOnly orders that
   would cross are accepted, then end ``Cancelled`` with ``EC_PostOnlyWillTakeLiquidity``.
3. **Resting limit orders** fill at their own price (maker fee) when a later bar trades
   *through* it (buy: ``low < price``; sell: ``high > price`` — a touch is not a fill), at
   most ``participation × bar volume`` per bar shared by all orders in time priority, so
   large orders fill partially over several bars.
4. **TP/SL** (position-level, ``Full`` mode, trigger LastPrice or MarkPrice) trigger when a bar's
   high/low reaches them; the whole position closes at the trigger price, or at the bar's open
   when the bar gapped past it; stop-loss first when both trigger in one bar.
5. **Liquidation:** when a bar's mark low (long) / high (short) reaches the position's
   liquidation price, the position closes at its bankruptcy price (``execType=BustTrade``, no
   fee): the isolated margin is lost.
6. **Funding** at every funding time of the instrument (``venue.funding_times``): each open
   position pays ``venue.funding_payment(size, mark, rate)`` with the stored rate for that time
   (or the latest before it), booked as an execution with ``execType=Funding``.
7. Same data + same seed + same requests at the same replay times → the same run (ids come
   from a seeded generator; nothing else is random).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openalpha.domain import Category, Instrument, Side
from openalpha.sim.trading.account import QUOTE, Account
from openalpha.sim.trading.book import Book, BookParams, build_book
from openalpha.sim.trading.errors import SimError
from openalpha.sim.trading.feed import MarketFeed, Series
from openalpha.sim.trading.records import ZERO, Execution, SimOrder, fmt
from openalpha.venue import fee_rates, round_qty, trade_fee

Listener = Callable[[Account, str, list[dict[str, Any]]], None]


@dataclass(frozen=True)
class EngineParams:
    fee_tier: str = "VIP0"
    participation: float = 0.1
    book: BookParams = field(default_factory=BookParams)


def dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


class Engine:
    """All accounts of one simulator, trading against one :class:`MarketFeed`."""

    def __init__(
        self,
        instruments: dict[tuple[Category, str], Instrument],
        feed: MarketFeed,
        clock: Callable[[], int],
        *,
        seed: int = 0,
        params: EngineParams | None = None,
    ) -> None:
        self.instruments = instruments
        self.feed = feed
        self.clock = clock
        self.params = params or EngineParams()
        self.accounts: dict[str, Account] = {}
        self.listeners: list[Listener] = []
        # Who wants events for an account (set by the WebSocket hub); views are only built when True.
        self.watched: Callable[[Account], bool] = lambda acct: bool(self.listeners)
        self.public_watch: Callable[[], bool] = lambda: bool(self.listeners)
        self._rng = random.Random(seed)
        self._seq = 0
        # (category, symbol) -> open orders in time priority, across accounts
        self.resting: dict[tuple[Category, str], list[tuple[Account, SimOrder]]] = {}
        # (category, symbol) -> (bar index, taken by buyers, taken by sellers)
        self._taken: dict[tuple[Category, str], tuple[int, Decimal, Decimal]] = {}
        self.cursor: dict[tuple[Category, str], int] = {}
        self.funding_done: dict[str, int] = {}
        from openalpha.sim.trading.replay import Replayer

        self.replayer = Replayer(self)

    # -- setup ----------------------------------------------------------------------------------
    def add_account(self, api_key: str, secret: str, balance: Decimal) -> Account:
        acct = Account(api_key=api_key, secret=secret, uid=100000 + len(self.accounts) + 1)
        acct.coins[QUOTE] = balance
        self.accounts[api_key] = acct
        return acct

    @property
    def secrets(self) -> dict[str, str]:
        return {key: acct.secret for key, acct in self.accounts.items()}

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def instrument(self, category: str, symbol: str) -> Instrument:
        try:
            cat = Category(category)
        except ValueError:
            raise SimError(10001, f"params error: category {category!r} is not supported") from None
        inst = self.instruments.get((cat, symbol))
        if inst is None:
            raise SimError(10001, f"params error: symbol invalid: {symbol!r}")
        return inst

    def inst_lookup(self, category: str, symbol: str) -> Instrument:
        return self.instruments[(Category(category), symbol)]

    def series(self, inst: Instrument) -> Series:
        s = self.feed.get(inst.category, inst.symbol)
        if s is None:
            raise SimError(10001, f"params error: the simulator has no market data for {inst.symbol}")
        return s

    # -- prices -----------------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock())

    def last_index(self, inst: Instrument, now: int | None = None) -> int:
        s = self.series(inst)
        i = s.last_closed(self.now() if now is None else now)
        if i < 0:
            raise SimError(10001, f"no closed bar of {inst.symbol} yet at the replay time")
        return i

    def last_price(self, category: str, symbol: str) -> Decimal | None:
        s = self.feed.get(category, symbol)
        if s is None:
            return None
        i = s.last_closed(self.now())
        return dec(s.close[i]) if i >= 0 else None

    def mark_price(self, symbol: str) -> Decimal | None:
        s = self.feed.get(Category.LINEAR, symbol)
        if s is None:
            return None
        i = s.last_closed(self.now())
        return dec(s.mark_at(i)) if i >= 0 else None

    def book(self, inst: Instrument, index: int | None = None) -> Book:
        s = self.series(inst)
        i = self.last_index(inst) if index is None else index
        return build_book(float(s.close[i]), float(s.volume[i]), inst, self.params.book)

    def taken(self, key: tuple[Category, str], index: int) -> tuple[Decimal, Decimal]:
        bar, buy, sell = self._taken.get(key, (-1, ZERO, ZERO))
        return (buy, sell) if bar == index else (ZERO, ZERO)

    def add_taken(self, key: tuple[Category, str], index: int, side: Side, qty: Decimal) -> None:
        buy, sell = self.taken(key, index)
        if side is Side.BUY:
            buy += qty
        else:
            sell += qty
        self._taken[key] = (index, buy, sell)

    # -- events -----------------------------------------------------------------------------------
    def emit(self, acct: Account, topic: str, items: list[dict[str, Any]]) -> None:
        for listener in self.listeners:
            listener(acct, topic, items)

    def emit_order(self, acct: Account, order: SimOrder) -> None:
        if self.watched(acct):
            self.emit(acct, "order", [order.to_ws()])

    def emit_position(self, acct: Account, inst: Instrument) -> None:
        if inst.category is not Category.LINEAR or not self.watched(acct):
            return
        pos = acct.position(inst.symbol, inst)
        item = acct.position_view(pos, inst, self.mark_price(inst.symbol))
        item["category"] = "linear"
        item["entryPrice"] = item["avgPrice"]
        self.emit(acct, "position", [item])

    def emit_wallet(self, acct: Account) -> None:
        if not self.watched(acct):
            return
        from openalpha.sim.trading.views import wallet_view

        self.emit(acct, "wallet", wallet_view(self, acct, None))

    # -- fills --------------------------------------------------------------------------------------
    def fill(
        self,
        acct: Account,
        order: SimOrder,
        inst: Instrument,
        price: Decimal,
        qty: Decimal,
        *,
        maker: bool,
        ts: int,
        exec_type: str = "Trade",
        fee_rate: Decimal | None = None,
    ) -> Execution:
        """Book one execution of ``order`` (account, order state, execution record)."""
        side = Side(order.side)
        rates = fee_rates(self.params.fee_tier, inst.category)
        rate = (rates.maker if maker else rates.taker) if fee_rate is None else fee_rate
        closed = pnl = ZERO
        if inst.category is Category.SPOT:
            fee, coin = acct.apply_spot_fill(inst, side, qty, price, rate)
        else:
            fee, coin = trade_fee(price, qty, rate), QUOTE
            closed, pnl = acct.apply_linear_fill(inst, side, qty, price, fee, ts)
        order.cum_qty += qty
        order.cum_value += qty * price
        order.cum_fee += fee
        order.fee_coin = coin
        order.updated_ms = ts
        order.status = "Filled" if order.cum_qty >= order.qty else "PartiallyFilled"
        mark = self.mark_price(inst.symbol) if inst.category is Category.LINEAR else None
        ex = Execution(
            exec_id=self.new_id(),
            category=inst.category.value,
            symbol=inst.symbol,
            side=order.side,
            exec_type=exec_type,
            exec_price=price,
            exec_qty=qty,
            exec_fee=fee,
            fee_rate=rate,
            exec_time=ts,
            is_maker=maker,
            mark_price=mark if mark is not None else price,
            order=order,
            closed_size=closed,
            exec_pnl=pnl,
            fee_coin=coin,
            seq=self.next_seq(),
        )
        acct.executions.append(ex)
        if order.take_profit or order.stop_loss:
            pos = acct.position(inst.symbol, inst)
            if pos.size != 0:
                pos.take_profit, pos.stop_loss = order.take_profit, order.stop_loss
                pos.tp_trigger_by, pos.sl_trigger_by = order.tp_trigger_by, order.sl_trigger_by
        if self.watched(acct) or self.public_watch():
            self.emit(acct, "execution", [ex.to_ws()])
        return ex

    def close_order(self, acct: Account, order: SimOrder, status: str, ts: int, reason: str = "") -> None:
        order.status = status
        order.updated_ms = ts
        if reason:
            order.reject_reason = reason
        acct.open.pop(order.order_id, None)
        key = (Category(order.category), order.symbol)
        book = self.resting.get(key)
        if book:
            self.resting[key] = [(a, o) for a, o in book if o is not order]

    def finish_after_fills(self, acct: Account, order: SimOrder, inst: Instrument, ts: int) -> None:
        """Publish the order, position and wallet after an order changed."""
        self.emit_order(acct, order)
        self.emit_position(acct, inst)
        self.emit_wallet(acct)

    def reducible(self, acct: Account, order: SimOrder, inst: Instrument) -> Decimal:
        """How much of ``order`` may still fill under reduce-only (its leaves when not reduce-only)."""
        if not order.reduce_only or inst.category is Category.SPOT:
            return order.qty - order.cum_qty
        pos = acct.position(inst.symbol, inst)
        if pos.size == 0 or (pos.size > 0) == (order.side == "Buy"):
            return ZERO
        return min(order.qty - order.cum_qty, abs(pos.size))

    def round_down(self, inst: Instrument, qty: Decimal) -> Decimal:
        return round_qty(qty, inst) if qty > 0 else ZERO

    # -- time ---------------------------------------------------------------------------------------
    def sync(self, now: int | None = None) -> None:
        """Advance every instrument to ``now``: resting fills, TP/SL, liquidations, funding."""
        self.replayer.advance(self.now() if now is None else now)

    def totals(self, acct: Account) -> dict[str, Decimal]:
        return acct.totals(self.inst_lookup, self.mark_price)

    def available_usdt(self, acct: Account) -> Decimal:
        return self.totals(acct)["available"]

    def wallet_coin(self, acct: Account, coin: str) -> str:
        return fmt(acct.coins.get(coin, ZERO))
