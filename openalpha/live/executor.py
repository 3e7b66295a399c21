"""Moves one environment's positions to the targets the governor approved.

Plain object behind the exchange actor: given an approved target for (strategy, instrument) at
a bar close, it sizes the delta against *that strategy's* position (:class:`StrategyBook`) and
its capital (account equity × allocation), then submits a market order through the
:class:`OrderManager` with the decision's deterministic ``orderLinkId``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import msgspec

from openalpha.domain import Environment, Event, Instrument, Order, OrderRequest, OrderType, split_key
from openalpha.domain.intervals import interval_ms
from openalpha.live.book import StrategyBook
from openalpha.live.ids import order_link_id
from openalpha.live.order_manager import OrderManager
from openalpha.live.sizing import Skipped, size_order


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    strategy_id: str
    key: str
    ts: int
    order: Order | None = None
    skipped: str = ""


class TargetExecutor:
    def __init__(
        self,
        env: Environment,
        manager: OrderManager,
        book: StrategyBook,
        instruments: dict[str, Instrument],
        clock: Callable[[], int],
    ) -> None:
        self.env = env
        self.manager = manager
        self.book = book
        self.instruments = instruments
        self.clock = clock
        self.blocked = False  # the kill switch: nothing new goes out

    def apply(
        self,
        *,
        strategy_id: str,
        key: str,
        target: float,
        bar_ts: int,
        interval: str,
        price: Decimal,
        capital: Decimal,
    ) -> Outcome:
        """Submit the order (if any) that moves the strategy's ``key`` position to ``target``."""
        if self.blocked:
            return self._skip(strategy_id, key, bar_ts, "kill switch engaged")
        instrument = self.instruments.get(key)
        if instrument is None:
            return self._skip(strategy_id, key, bar_ts, f"no instrument filters for {key}")
        sized = size_order(
            target=target,
            equity=capital,
            price=price,
            position_qty=self.book.position(strategy_id, key),
            instrument=instrument,
        )
        if isinstance(sized, Skipped):
            return self._skip(strategy_id, key, bar_ts, sized.reason)
        symbol, category = split_key(key)
        # reduce-only is judged on the account's net position (several strategies may share it)
        net = self.book.total(key)
        reduce_only = sized.reduce_only and net * sized.side.sign < 0 and sized.qty <= abs(net)
        request = OrderRequest(
            symbol=symbol,
            category=category,
            side=sized.side,
            order_type=OrderType.MARKET,
            qty=sized.qty,
            reduce_only=reduce_only,
            order_link_id=order_link_id(strategy_id, key, bar_ts // interval_ms(interval)),
            strategy=strategy_id,
        )
        return Outcome(strategy_id=strategy_id, key=key, ts=bar_ts, order=self.manager.submit(request))

    def _skip(self, strategy_id: str, key: str, ts: int, reason: str) -> Outcome:
        if not reason.startswith("already at target"):
            self.manager.journal.audit(
                Event(
                    ts=self.clock(),
                    kind="order_skipped",
                    source="executor",
                    message=f"{strategy_id} {key}: {reason}",
                    env=self.env,
                )
            )
        return Outcome(strategy_id=strategy_id, key=key, ts=ts, skipped=reason)
