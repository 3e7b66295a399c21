"""``/v5/market/instruments-info`` (BYBIT_V5.md §3).

``category`` required; ``symbol``, ``status`` (default Trading), ``baseCoin`` filter;
``limit`` 1–1000 (default 500) and ``cursor``/``nextPageCursor`` paging. ``launchTime`` is the first stored candle. Instruments come from the
store's metadata, then :mod:`openalpha.venue` defaults. Fields the project's
:class:`~openalpha.domain.instrument.Instrument` does not carry (price bounds, funding caps) are
the simulator's fixed choices: ``minPrice`` = tick, ``maxPrice`` = tick·10⁷, funding caps
±0.00375 (the docs' BTCUSDT example).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from openalpha.domain.instrument import Instrument
from openalpha.sim.envelope import ok
from openalpha.sim.market import params
from openalpha.sim.state import SimState, sim_state
from openalpha.venue import DEFAULT_INSTRUMENTS

FUNDING_CAP = "0.00375"


def _s(value: Decimal) -> str:
    return format(value.normalize(), "f")


def known_instruments(state: SimState, category: str) -> dict[str, Instrument]:
    """Instruments the simulator lists for ``category`` (store metadata wins over defaults)."""
    found = {i.symbol: i for i in DEFAULT_INSTRUMENTS.values() if i.category.value == category}
    found.update(state.store.instruments(category))
    return found


def launch_ms(state: SimState, category: str, symbol: str) -> int:
    """First stored candle of ``symbol`` (the simulator's notion of its listing), 0 if none."""
    firsts = []
    for code in state.market.intervals(category, "kline", symbol):
        cov = state.store.coverage(category, "kline", symbol, code)
        if cov is not None:
            firsts.append(cov[0])
    return min(firsts, default=0)


def linear_item(inst: Instrument, launch: int = 0) -> dict[str, Any]:
    tick = inst.tick_size
    return {
        "symbol": inst.symbol,
        "contractType": "LinearPerpetual",
        "status": "Trading",
        "baseCoin": inst.base_coin,
        "quoteCoin": inst.quote_coin,
        "launchTime": str(launch),
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": str(max(0, -tick.normalize().as_tuple().exponent)),  # type: ignore[operator]
        "leverageFilter": {"minLeverage": "1", "maxLeverage": _s(inst.max_leverage), "leverageStep": "0.01"},
        "priceFilter": {"minPrice": _s(tick), "maxPrice": _s(tick * 10**7), "tickSize": _s(tick)},
        "lotSizeFilter": {
            "maxOrderQty": _s(inst.max_qty),
            "minOrderQty": _s(inst.min_qty),
            "qtyStep": _s(inst.qty_step),
            "postOnlyMaxOrderQty": _s(inst.max_qty),
            "maxMktOrderQty": _s(inst.max_mkt_qty if inst.max_mkt_qty is not None else inst.max_qty),
            "minNotionalValue": _s(inst.min_notional),
        },
        "unifiedMarginTrade": True,
        "fundingInterval": inst.funding_interval_min,
        "settleCoin": inst.quote_coin,
        "copyTrading": "both",
        "upperFundingRate": FUNDING_CAP,
        "lowerFundingRate": f"-{FUNDING_CAP}",
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
        "isPreListing": False,
        "preListingInfo": None,
        "symbolType": "",
        "displayName": "",
    }


def spot_item(inst: Instrument) -> dict[str, Any]:
    return {
        "symbol": inst.symbol,
        "baseCoin": inst.base_coin,
        "quoteCoin": inst.quote_coin,
        "innovation": "0",
        "status": "Trading",
        "marginTrading": "none",
        "stTag": "0",
        "lotSizeFilter": {
            "basePrecision": _s(inst.qty_step),
            "quotePrecision": "0.00000001",
            "minOrderQty": _s(inst.min_qty),
            "maxOrderQty": _s(inst.max_qty),
            "minOrderAmt": _s(inst.min_notional),
            "maxOrderAmt": "2000000",
        },
        "priceFilter": {"tickSize": _s(inst.tick_size)},
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
    }


def _cursor(query: Any) -> int:
    raw = query.get("cursor") or ""
    if raw == "":
        return 0
    if not raw.isdigit():
        raise params.param_error(f"params error: invalid cursor {raw!r}")
    return int(raw)


async def handle_instruments_info(request: web.Request) -> web.Response:
    state = sim_state(request)
    query = request.query
    category = params.category(query, params.CATEGORIES)
    symbol = params.symbol(query, required=False)
    limit = params.limit(query, 1, 1000, 500)
    offset = _cursor(query)
    status = query.get("status") or "Trading"
    base_coin = query.get("baseCoin")
    now = state.clock.now_ms()
    if category not in params.TRADED:
        return ok({"category": category, "list": [], "nextPageCursor": ""}, now)
    items = sorted(known_instruments(state, category).values(), key=lambda i: i.symbol)
    chosen = [
        i
        for i in items
        if (symbol is None or i.symbol == symbol)
        and (base_coin is None or i.base_coin == base_coin)
        and status == "Trading"
    ]
    page = chosen[offset : offset + limit]
    more = offset + limit < len(chosen)
    if category == "linear":
        rendered = [linear_item(i, launch_ms(state, category, i.symbol)) for i in page]
    else:
        rendered = [spot_item(i) for i in page]
    result = {
        "category": category,
        "list": rendered,
        "nextPageCursor": str(offset + limit) if more else "",
    }
    return ok(result, now)
