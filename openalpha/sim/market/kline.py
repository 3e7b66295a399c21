"""``/v5/market/kline``, ``mark-price-kline`` and ``index-price-kline`` (BYBIT_V5.md §3).

* ``symbol`` and ``interval`` required; ``category`` defaults to linear; ``limit`` 1–1000
  (default 200); ``start``/``end`` in ms.
* Rows are string arrays, newest first: kline ``[start, open, high, low, close, volume,
  turnover]``, mark/index ``[start, open, high, low, close]``.
* A candle whose open is before ``start`` but which contains it is included; with ``start`` the
  ``limit`` oldest candles of the range are returned, without it the ``limit`` newest up to ``end``.
* Nothing after the clock's now is served. The still-forming candle is served the way Bybit
  serves it (close = last price): built from the finest stored candles of the same kind that
  have closed since it opened, or, without finer data, as open = high = low = close = its open.
* Categories without markets here (inverse; option for mark) answer an empty list.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
from aiohttp import web

from openalpha.domain.intervals import interval_ms
from openalpha.sim.envelope import ok
from openalpha.sim.market import params
from openalpha.sim.market.cache import Series, format_numbers
from openalpha.sim.state import SimState, sim_state

_ALLOWED = {
    "kline": ("spot", "linear", "inverse"),
    "mark": ("linear", "inverse", "option"),
    "index": ("linear", "inverse"),
}
_MONTH = "M"
_EMPTY = msgspec.Raw(b"[]")
_encode = msgspec.json.Encoder().encode


def _interval_ms(code: str) -> int:
    return 30 * 1440 * 60_000 if code == _MONTH else interval_ms(code)


def check_symbol(state: SimState, category: str, symbol: str) -> None:
    """Bybit answers an unknown symbol with 10001 "Not supported symbols". Known: any symbol the
    store has data or instrument metadata for, and the venue's default instruments."""
    if symbol in state.market.symbols(category):
        return
    from openalpha.sim.market.instruments import known_instruments

    if symbol not in known_instruments(state, category):
        raise params.param_error("Not supported symbols")


def _forming_row(
    state: SimState, category: str, kind: str, symbol: str, bar: int, step: int, now: int, series: Series
) -> list[str] | None:
    """The still-forming candle opened at ``bar`` (ms) as Bybit shows it at market time ``now``."""
    i = int(np.searchsorted(series.ts, bar))
    if i >= len(series) or series.ts[i] != bar:
        return None
    opened = series.values["open"][i]
    high = low = close = opened
    volume = turnover = 0.0
    for code in state.market.intervals(category, kind, symbol):
        if code == _MONTH or not code.isdigit() or _interval_ms(code) >= step:
            continue
        fine = state.market.get(category, kind, symbol, code)
        if fine is None:
            continue
        lo, hi = fine.span(bar, now - _interval_ms(code))  # finer candles closed by now
        if hi > lo:
            high = max(opened, float(fine.values["high"][lo:hi].max()))
            low = min(opened, float(fine.values["low"][lo:hi].min()))
            close = float(fine.values["close"][hi - 1])
            if kind == "kline":
                volume = float(fine.values["volume"][lo:hi].sum())
                turnover = float(fine.values["turnover"][lo:hi].sum())
        break
    nums = [opened, high, low, close] + ([volume, turnover] if kind == "kline" else [])
    return [str(bar), *format_numbers(np.array(nums, dtype=np.float64))]


def kline_rows(state: SimState, kind: str, category: str, symbol: str, code: str, query: Any) -> msgspec.Raw:
    """The ``list`` of the answer as raw JSON (pre-encoded rows, newest first)."""
    start = params.integer(query, "start")
    end = params.integer(query, "end")
    limit = params.limit(query, 1, 1000, 200)
    series = state.market.get(category, kind, symbol, code)
    if series is None:
        return _EMPTY
    step = _interval_ms(code)
    now = state.clock.now_ms()
    forming = now - now % step if code != _MONTH else now
    hi_ts = min(end if end is not None else forming, forming)
    lo_ts = start - step + 1 if start is not None else np.iinfo(np.int64).min
    lo, hi = series.span(lo_ts, hi_ts)
    if hi <= lo:
        return _EMPTY
    if start is not None:
        hi = min(hi, lo + limit)
    else:
        lo = max(lo, hi - limit)
    pieces = series.json_rows[lo:hi][::-1]
    if int(series.ts[hi - 1]) == forming:
        row = _forming_row(state, category, kind, symbol, forming, step, now, series)
        if row is None:
            pieces = pieces[1:]
        else:
            pieces[0] = _encode(row)
    return msgspec.Raw(b"[" + b",".join(pieces) + b"]")


def _handler(kind: str):  # type: ignore[no-untyped-def]
    async def handle(request: web.Request) -> web.Response:
        state = sim_state(request)
        query = request.query
        category = params.category(query, _ALLOWED[kind], default="linear")
        symbol = params.symbol(query)
        assert symbol is not None
        code = params.interval(query)
        params.limit(query, 1, 1000, 200)
        if category not in params.TRADED:
            return ok({"category": category, "symbol": symbol, "list": []}, state.clock.now_ms())
        check_symbol(state, category, symbol)
        rows = kline_rows(state, kind, category, symbol, code, query)
        return ok({"category": category, "symbol": symbol, "list": rows}, state.clock.now_ms())

    return handle


handle_kline = _handler("kline")
handle_mark_kline = _handler("mark")
handle_index_kline = _handler("index")
