"""The market route table."""

from __future__ import annotations

from aiohttp import web

from openalpha.sim.market.funding import handle_funding_history
from openalpha.sim.market.instruments import handle_instruments_info
from openalpha.sim.market.kline import handle_index_kline, handle_kline, handle_mark_kline
from openalpha.sim.market.server_time import handle_time
from openalpha.sim.market.tickers import handle_tickers

MARKET_ROUTES: tuple[tuple[str, object], ...] = (
    ("/v5/market/time", handle_time),
    ("/v5/market/kline", handle_kline),
    ("/v5/market/mark-price-kline", handle_mark_kline),
    ("/v5/market/index-price-kline", handle_index_kline),
    ("/v5/market/funding/history", handle_funding_history),
    ("/v5/market/instruments-info", handle_instruments_info),
    ("/v5/market/tickers", handle_tickers),
)


def register_market(app: web.Application) -> None:
    for path, handler in MARKET_ROUTES:
        app.router.add_get(path, handler)  # type: ignore[arg-type]
