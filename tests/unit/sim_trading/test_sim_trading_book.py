"""The synthetic book: tick-exact prices, uniform levels, walking and per-bar depletion."""

from __future__ import annotations

from decimal import Decimal as D

from openalpha.domain import Side
from openalpha.sim.trading.book import BookParams, build_book
from openalpha.venue import default_instrument, on_grid

BTC = default_instrument("BTCUSDT")


def test_sim_trading_book_prices_on_tick_around_reference() -> None:
    book = build_book(94118.0, 252.737, BTC, BookParams())
    # half spread = ceil(94118 * 0.5 bp / 0.1) = 48 ticks; level gap = ceil(94118 * 1 bp / 0.1) = 95 ticks
    assert book.best_ask == D("94118.0") + D("4.8")
    assert book.best_bid == D("94118.0") - D("4.8")
    assert book.gap == D("9.5")
    assert on_grid(book.best_bid, BTC.tick_size) and on_grid(book.best_ask, BTC.tick_size)
    # level size = floor_step(0.25 * 252.737 / 50) = 1.263
    assert book.level_size == D("1.263")


def test_sim_trading_book_take_walks_levels_and_respects_limit() -> None:
    book = build_book(100.0, 400.0, default_instrument("SOLUSDT"), BookParams(levels=5))
    size = book.level_size
    fills = book.take(Side.BUY, size * 2 + size / 2, None, D(0))
    assert [q for _, q in fills] == [size, size, size / 2]
    assert fills[1][0] - fills[0][0] == book.gap
    limited = book.take(Side.BUY, size * 3, book.best_ask, D(0))
    assert limited == [(book.best_ask, size)]
    # what was taken this bar is gone: the next taker starts where the last one stopped
    after = book.take(Side.BUY, size, None, size * 2 + size / 2)
    assert after[0] == (book.level_price(Side.SELL, 2), size / 2)
    assert book.available(Side.SELL, None, D(0)) == size * 5


def test_sim_trading_book_without_volume_keeps_min_qty_depth() -> None:
    book = build_book(94118.0, 0.0, BTC, BookParams())
    assert book.level_size == BTC.min_qty
