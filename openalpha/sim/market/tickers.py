"""``/v5/market/tickers`` (BYBIT_V5.md §3), computed from stored candles up to market time.

``category`` required, ``symbol`` optional (all listed symbols otherwise). Prices come from the
finest stored candles of each kind that have closed by now: ``lastPrice`` = last close,
24 h / 1 h statistics over the closed candles of the trailing window, ``markPrice`` and
``indexPrice`` from mark/index candles (falling back to the last price), ``fundingRate`` = the
last settled rate, ``nextFundingTime`` from the venue's schedule. The market half has no order
book: ``bid1Price`` = last price, ``ask1Price`` = last price + one tick, sizes ``"0"``; open
interest is ``"0"``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from aiohttp import web

from openalpha.domain.instrument import Instrument
from openalpha.domain.intervals import interval_ms
from openalpha.sim.envelope import ok
from openalpha.sim.market import params
from openalpha.sim.market.cache import Series, format_numbers
from openalpha.sim.market.instruments import FUNDING_CAP, known_instruments
from openalpha.sim.market.kline import check_symbol
from openalpha.sim.state import SimState, sim_state
from openalpha.venue import next_funding_time

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def _finest(state: SimState, category: str, kind: str, symbol: str) -> tuple[Series, int] | None:
    codes = [c for c in state.market.intervals(category, kind, symbol) if c not in ("M", "funding")]
    for code in sorted(codes, key=interval_ms):
        series = state.market.get(category, kind, symbol, code)
        if series is not None:
            return series, interval_ms(code)
    return None


def _closed(series: Series, step: int, now: int) -> int:
    """Number of leading rows that have closed by ``now``."""
    return int(np.searchsorted(series.ts, now - step, "right"))


def _text(values: list[float]) -> list[str]:
    """Sums of floats carry binary noise (``83374.01199999999``): round to 10 decimals first."""
    return list(format_numbers(np.round(np.array(values, dtype=np.float64), 10)))


def _kline_stats(series: Series, step: int, now: int) -> dict[str, float] | None:
    n = _closed(series, step, now)
    if n == 0:
        return None
    ts, v = series.ts[:n], series.values
    last = float(v["close"][n - 1])
    day = int(np.searchsorted(ts, now - DAY_MS - step, "right"))
    hour = int(np.searchsorted(ts, now - HOUR_MS - step, "right"))
    day, hour = min(day, n - 1), min(hour, n - 1)  # no candle in the window: the last one stands in
    prev24 = float(v["close"][day - 1]) if day > 0 else float(v["open"][day])
    prev1h = float(v["close"][hour - 1]) if hour > 0 else float(v["open"][hour])
    out = {
        "lastPrice": last,
        "prevPrice24h": prev24,
        "price24hPcnt": round(last / prev24 - 1.0, 6) if prev24 else 0.0,
        "highPrice24h": float(v["high"][day:n].max()),
        "lowPrice24h": float(v["low"][day:n].min()),
        "prevPrice1h": prev1h,
    }
    if "volume" in v:
        out["volume24h"] = float(np.nansum(v["volume"][day:n]))
        out["turnover24h"] = float(np.nansum(v["turnover"][day:n]))
    return out


def _last_close(state: SimState, category: str, kind: str, symbol: str, now: int) -> float | None:
    found = _finest(state, category, kind, symbol)
    if found is None:
        return None
    n = _closed(found[0], found[1], now)
    return float(found[0].values["close"][n - 1]) if n else None


def _ticker(state: SimState, category: str, inst: Instrument, now: int) -> dict[str, Any] | None:
    found = _finest(state, category, "kline", inst.symbol)
    stats = _kline_stats(*found, now) if found else None
    if stats is None:
        return None
    last = stats["lastPrice"]
    names = [
        "lastPrice",
        "prevPrice24h",
        "price24hPcnt",
        "highPrice24h",
        "lowPrice24h",
        "prevPrice1h",
        "volume24h",
        "turnover24h",
    ]
    item = dict(zip(names, _text([stats.get(k, 0.0) for k in names]), strict=True))
    bid = item["lastPrice"]
    ask = format(Decimal(bid) + inst.tick_size, "f")
    item.update({"symbol": inst.symbol, "bid1Price": bid, "bid1Size": "0", "ask1Price": ask, "ask1Size": "0"})
    if category == "spot":
        item["usdIndexPrice"] = ""
        return item
    mark = _last_close(state, category, "mark", inst.symbol, now) or last
    index = _last_close(state, category, "index", inst.symbol, now) or mark
    funding = state.market.get(category, "funding", inst.symbol, "funding")
    settled = int(np.searchsorted(funding.ts, now, "right")) if funding is not None else 0
    rate = str(funding.rows[settled - 1][1]) if funding is not None and settled else "0"
    interval_min = inst.funding_interval_min
    item.update(
        dict(zip(["markPrice", "indexPrice"], _text([mark, index]), strict=True)),
        tickDirection="ZeroPlusTick",
        openInterest="0",
        openInterestValue="0",
        fundingRate=rate,
        nextFundingTime=str(next_funding_time(now, interval_min)),
        fundingIntervalHour=str(interval_min // 60),
        fundingCap=FUNDING_CAP,
        predictedDeliveryPrice="",
        basisRate="",
        basis="",
        deliveryFeeRate="",
        deliveryTime="0",
        preOpenPrice="",
        preQty="",
        curPreListingPhase="",
        basisRateYear="",
    )
    return item


async def handle_tickers(request: web.Request) -> web.Response:
    state = sim_state(request)
    query = request.query
    category = params.category(query, params.CATEGORIES)
    symbol = params.symbol(query, required=False)
    now = state.clock.now_ms()
    if category not in params.TRADED:
        return ok({"category": category, "list": []}, now)
    instruments = known_instruments(state, category)
    if symbol is not None:
        check_symbol(state, category, symbol)
        inst = instruments.get(symbol)
        chosen = [inst] if inst is not None else []
    else:
        chosen = [instruments[s] for s in sorted(instruments)]
    items = [t for t in (_ticker(state, category, i, now) for i in chosen) if t is not None]
    return ok({"category": category, "list": items}, now)
