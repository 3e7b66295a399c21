"""The synthetic order book the simulator quotes and takes liquidity from.

Around a reference price ``P`` (the close of the last closed bar) the book has ``levels``
price levels per side:

* best ask = ``P`` rounded up to the tick plus ``half_spread`` ticks, best bid = ``P`` rounded
  down to the tick minus ``half_spread`` ticks, where ``half_spread = max(1, ceil(P·spread_bps/2e4 / tick))``;
* level ``i`` (0-based) sits ``i·gap`` ticks behind the best, ``gap = max(1, ceil(P·level_bps/1e4 / tick))``;
* every level holds the same size ``S = max(min_qty, floor_step(depth_fraction · V / levels))``
  where ``V`` is the last closed bar's volume (base coin); with ``V = 0`` the book is
  ``min_qty`` deep per level.

Liquidity taken during a bar is gone until the next bar closes (``taken`` below), so a
run of market orders walks deeper into the book instead of refilling at the best price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from openalpha.domain import Instrument, Side


@dataclass(frozen=True)
class BookParams:
    """Shape of the synthetic book (see the module docstring)."""

    spread_bps: float = 1.0
    level_bps: float = 1.0
    levels: int = 50
    depth_fraction: float = 0.25


@dataclass(frozen=True)
class Book:
    """One side-symmetric synthetic book; prices are exact tick multiples."""

    best_bid: Decimal
    best_ask: Decimal
    gap: Decimal
    level_size: Decimal
    levels: int

    def level_price(self, side: Side, i: int) -> Decimal:
        """Price of level ``i`` of the ``side`` book (``Side.BUY`` = bids)."""
        if side is Side.BUY:
            return self.best_bid - self.gap * i
        return self.best_ask + self.gap * i

    def depth(self, side: Side, n: int) -> list[tuple[Decimal, Decimal]]:
        """The first ``n`` levels of one side as (price, size), best first; drops non-positive bids."""
        out = []
        for i in range(min(n, self.levels)):
            price = self.level_price(side, i)
            if price <= 0:
                break
            out.append((price, self.level_size))
        return out

    def take(
        self, taker_side: Side, qty: Decimal, limit: Decimal | None, taken: Decimal
    ) -> list[tuple[Decimal, Decimal]]:
        """Fills (price, qty) for a taker of ``qty`` that may pay up to ``limit``.

        ``taken`` is the quantity already consumed on that side during the current bar. Walks
        levels best first; stops at the limit price, at the end of the book, or when filled.
        """
        book_side = taker_side.opposite()
        fills: list[tuple[Decimal, Decimal]] = []
        level = int(taken // self.level_size)
        left_in_level = self.level_size - (taken - self.level_size * level)
        remaining = qty
        while remaining > 0 and level < self.levels:
            price = self.level_price(book_side, level)
            if price <= 0:
                break
            if limit is not None and (
                (taker_side is Side.BUY and price > limit) or (taker_side is Side.SELL and price < limit)
            ):
                break
            q = min(remaining, left_in_level)
            if q > 0:
                if fills and fills[-1][0] == price:
                    fills[-1] = (price, fills[-1][1] + q)
                else:
                    fills.append((price, q))
                remaining -= q
            level += 1
            left_in_level = self.level_size
        return fills

    def available(self, taker_side: Side, limit: Decimal | None, taken: Decimal) -> Decimal:
        """Quantity a taker could get at ``limit`` or better."""
        total = Decimal(0)
        for _, q in self.take(taker_side, Decimal(self.levels) * self.level_size, limit, taken):
            total += q
        return total


def _ticks_for(price: float, bps: float, tick: Decimal) -> int:
    return max(1, math.ceil(price * bps / 1e4 / float(tick)))


def build_book(ref_price: float, bar_volume: float, inst: Instrument, params: BookParams) -> Book:
    """The synthetic book around ``ref_price`` for ``inst`` (see the module docstring)."""
    tick = inst.tick_size
    ref = Decimal(repr(ref_price))
    half = _ticks_for(ref_price, params.spread_bps / 2, tick)
    gap = _ticks_for(ref_price, params.level_bps, tick)
    up = (ref / tick).to_integral_value(rounding=ROUND_CEILING) * tick
    down = (ref / tick).to_integral_value(rounding=ROUND_FLOOR) * tick
    step = inst.qty_step
    raw = Decimal(repr(max(bar_volume, 0.0) * params.depth_fraction / params.levels))
    size = (raw / step).to_integral_value(rounding=ROUND_FLOOR) * step
    size = max(size, inst.min_qty)
    return Book(
        best_bid=max(down - tick * half, tick),
        best_ask=up + tick * half,
        gap=tick * gap,
        level_size=size,
        levels=params.levels,
    )
