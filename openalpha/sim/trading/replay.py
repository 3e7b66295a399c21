"""Moving the simulated market forward in time: bar by bar, but only where something can happen.

For each instrument the replayer keeps a cursor (the last processed closed bar). Advancing to
``now`` processes the bars closed since, interleaved with funding settlements. Bars on which
nothing can happen (no order crossed, no TP/SL/liquidation price reached) are skipped with one
vectorised numpy scan, so a year of one-minute bars costs little when few orders rest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from openalpha.domain import Category, Instrument
from openalpha.sim.trading.records import ZERO, SimOrder
from openalpha.venue import funding_payment, funding_times

if TYPE_CHECKING:
    from openalpha.sim.trading.account import Account
    from openalpha.sim.trading.engine import Engine
    from openalpha.sim.trading.feed import Series


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


class Replayer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def advance(self, now: int) -> None:
        eng = self.engine
        for key, inst in sorted(eng.instruments.items()):
            series = eng.feed.get(*key)
            if series is None:
                continue
            target = series.last_closed(now)
            cursor = eng.cursor.get(key)
            if cursor is None:
                # First sight of this instrument: everything closed so far is history.
                eng.cursor[key] = target
                if inst.category is Category.LINEAR and target >= 0:
                    eng.funding_done.setdefault(inst.symbol, int(series.close_ts[target]))
                continue
            if target <= cursor:
                continue
            if inst.category is Category.LINEAR:
                start = eng.funding_done.get(inst.symbol, int(series.close_ts[cursor]))
                end = int(series.close_ts[target])
                for t in funding_times(start + 1, end + 1, inst.funding_interval_min):
                    self._run_bars(key, inst, series, series.closed_through(t))
                    self._settle_funding(inst, series, t)
                    eng.funding_done[inst.symbol] = t
            self._run_bars(key, inst, series, target)

    # -- bars -------------------------------------------------------------------------------------
    def _run_bars(self, key: tuple[Category, str], inst: Instrument, series: Series, target: int) -> None:
        eng = self.engine
        cursor = eng.cursor[key]
        while cursor < target:
            nxt = self._next_event(key, inst, series, cursor + 1, target)
            if nxt < 0:
                cursor = target
                break
            self._process_bar(key, inst, series, nxt)
            cursor = nxt
            eng.cursor[key] = cursor
        eng.cursor[key] = max(eng.cursor[key], target)

    def _order_limits(self, key: tuple[Category, str]) -> tuple[float, float]:
        """(highest resting buy price, lowest resting sell price); +/-inf when none."""
        buy_max = -np.inf
        sell_min = np.inf
        for _, o in self.engine.resting.get(key, ()):
            if o.price is None:
                continue
            if o.side == "Buy":
                buy_max = max(buy_max, float(o.price))
            else:
                sell_min = min(sell_min, float(o.price))
        return buy_max, sell_min

    def _watched(
        self, key: tuple[Category, str], inst: Instrument
    ) -> tuple[float, float, float, float, float, float]:
        """Thresholds: (buy-side low, sell-side high, long trigger-low, short trigger-high) on last
        price, and (long liq, short liq) on mark price; +/-inf when nothing is watched."""
        buy_max, sell_min = self._order_limits(key)
        long_low = liq_long = -np.inf
        short_high = liq_short = np.inf
        if inst.category is not Category.LINEAR:
            return buy_max, sell_min, long_low, short_high, liq_long, liq_short
        for acct in self.engine.accounts.values():
            pos = acct.positions.get(inst.symbol)
            if pos is None or pos.size == 0:
                continue
            liq = float(acct.liq_price(pos, inst) or 0)
            sl = float(pos.stop_loss) if pos.stop_loss else None
            tp = float(pos.take_profit) if pos.take_profit else None
            if pos.size > 0:
                long_low = max(long_low, sl) if sl else long_low
                sell_min = min(sell_min, tp) if tp else sell_min
                liq_long = max(liq_long, liq) if liq else liq_long
            else:
                short_high = min(short_high, sl) if sl else short_high
                buy_max = max(buy_max, tp) if tp else buy_max
                liq_short = min(liq_short, liq) if liq else liq_short
        return buy_max, sell_min, long_low, short_high, liq_long, liq_short

    def _next_event(
        self, key: tuple[Category, str], inst: Instrument, series: Series, lo: int, hi: int
    ) -> int:
        """First bar index in [lo, hi] where something may happen, or -1."""
        buy_max, sell_min, long_low, short_high, liq_long, liq_short = self._watched(key, inst)
        if (
            buy_max == -np.inf
            and sell_min == np.inf
            and long_low == -np.inf
            and short_high == np.inf
            and liq_long == -np.inf
            and liq_short == np.inf
        ):
            return -1
        low = series.low[lo : hi + 1]
        high = series.high[lo : hi + 1]
        mask = (low <= buy_max) | (high >= sell_min) | (low <= long_low) | (high >= short_high)
        if liq_long > -np.inf or liq_short < np.inf:
            m_high, m_low, _ = series.mark_arrays()
            mask |= (m_low[lo : hi + 1] <= liq_long) | (m_high[lo : hi + 1] >= liq_short)
        hits = np.flatnonzero(mask)
        return lo + int(hits[0]) if hits.size else -1

    def _process_bar(self, key: tuple[Category, str], inst: Instrument, series: Series, i: int) -> None:
        ts = int(series.close_ts[i])
        self._fill_resting(key, inst, series, i, ts)
        if inst.category is Category.LINEAR:
            for acct in list(self.engine.accounts.values()):
                self._tpsl(acct, inst, series, i, ts)
                self._liquidate(acct, inst, series, i, ts)

    def _fill_resting(
        self, key: tuple[Category, str], inst: Instrument, series: Series, i: int, ts: int
    ) -> None:
        eng = self.engine
        resting = eng.resting.get(key)
        if not resting:
            return
        low, high = float(series.low[i]), float(series.high[i])
        budget = {
            "Buy": eng.round_down(inst, _dec(series.volume[i] * eng.params.participation)),
            "Sell": eng.round_down(inst, _dec(series.volume[i] * eng.params.participation)),
        }
        for acct, order in list(resting):
            if order.price is None or not order.is_open:
                continue
            px = float(order.price)
            through = low < px if order.side == "Buy" else high > px
            if not through:
                continue
            q = min(eng.reducible(acct, order, inst), budget[order.side])
            if q > 0:
                eng.fill(acct, order, inst, order.price, q, maker=True, ts=ts)
                budget[order.side] -= q
            if order.cum_qty >= order.qty:
                eng.close_order(acct, order, "Filled", ts)
            elif eng.reducible(acct, order, inst) == 0:
                eng.close_order(acct, order, "Cancelled", ts, "EC_ReduceOnlySetQuantity")
            if q > 0 or not order.is_open:
                eng.finish_after_fills(acct, order, inst, ts)

    def _close_position(
        self, acct: Account, inst: Instrument, price: Decimal, ts: int, kind: str, exec_type: str = "Trade"
    ) -> None:
        eng = self.engine
        pos = acct.position(inst.symbol, inst)
        side = "Sell" if pos.size > 0 else "Buy"
        order = SimOrder(
            order_id=eng.new_id(),
            order_link_id="",
            category="linear",
            symbol=inst.symbol,
            side=side,
            order_type="Market",
            qty=abs(pos.size),
            price=None,
            time_in_force="IOC",
            created_ms=ts,
            updated_ms=ts,
            reduce_only=True,
            close_on_trigger=True,
            stop_order_type=kind,
            create_type={"StopLoss": "CreateByStopLoss", "TakeProfit": "CreateByTakeProfit"}.get(
                kind, "CreateByLiq"
            ),
            last_price_on_created=price,
        )
        acct.orders[order.order_id] = order
        fee_rate = ZERO if exec_type == "BustTrade" else None
        eng.fill(
            acct, order, inst, price, order.qty, maker=False, ts=ts, exec_type=exec_type, fee_rate=fee_rate
        )
        order.status = "Filled"
        if exec_type == "BustTrade":
            pos.status = "Normal"
        eng.finish_after_fills(acct, order, inst, ts)

    def _tpsl(self, acct: Account, inst: Instrument, series: Series, i: int, ts: int) -> None:
        pos = acct.positions.get(inst.symbol)
        if pos is None or pos.size == 0 or not (pos.take_profit or pos.stop_loss):
            return
        long = pos.size > 0
        for kind, level, by in (
            ("StopLoss", pos.stop_loss, pos.sl_trigger_by),
            ("TakeProfit", pos.take_profit, pos.tp_trigger_by),
        ):
            if not level:
                continue
            if by == "MarkPrice":
                high, low, _ = (float(a[i]) for a in series.mark_arrays())
            else:
                high, low = float(series.high[i]), float(series.low[i])
            opened = float(series.open[i])
            lv = float(level)
            adverse = kind == "StopLoss"
            hit = (low <= lv) if (long == adverse) else (high >= lv)
            if not hit:
                continue
            gapped = (opened < lv) if (long == adverse) else (opened > lv)
            price = _dec(opened) if gapped else level
            self._close_position(acct, inst, price, ts, kind)
            return

    def _liquidate(self, acct: Account, inst: Instrument, series: Series, i: int, ts: int) -> None:
        pos = acct.positions.get(inst.symbol)
        if pos is None or pos.size == 0:
            return
        liq = acct.liq_price(pos, inst)
        if not liq:
            return
        m_high, m_low, _ = series.mark_arrays()
        reached = float(m_low[i]) <= float(liq) if pos.size > 0 else float(m_high[i]) >= float(liq)
        if reached:
            pos.status = "Liq"
            self._close_position(acct, inst, acct.bust_price(pos), ts, "", exec_type="BustTrade")

    # -- funding ----------------------------------------------------------------------------------
    def _settle_funding(self, inst: Instrument, series: Series, t: int) -> None:
        eng = self.engine
        i = series.closed_through(t)
        if i < 0:
            return
        mark = _dec(series.mark_at(i))
        rate = _dec(series.funding_rate_at(t))
        for acct in eng.accounts.values():
            pos = acct.positions.get(inst.symbol)
            if pos is None or pos.size == 0:
                continue
            pay = funding_payment(pos.size, mark, rate)
            acct.coins["USDT"] = acct.coins.get("USDT", ZERO) - pay
            pos.cum_realised -= pay
            pos.cur_realised -= pay
            from openalpha.sim.trading.records import Execution

            ex = Execution(
                exec_id=eng.new_id(),
                category="linear",
                symbol=inst.symbol,
                side="Buy" if pos.size > 0 else "Sell",
                exec_type="Funding",
                exec_price=mark,
                exec_qty=abs(pos.size),
                exec_fee=pay,
                fee_rate=rate,
                exec_time=t,
                is_maker=False,
                mark_price=mark,
                seq=eng.next_seq(),
            )
            acct.executions.append(ex)
            if eng.watched(acct):
                eng.emit(acct, "execution", [ex.to_ws()])
            eng.emit_position(acct, inst)
            eng.emit_wallet(acct)
