"""The simulator's trading half: accounts, matching engine, private REST, WebSockets, faults.

:func:`register` is the one extension point :func:`openalpha.sim.app.create_app` calls. It
builds the :class:`~openalpha.sim.trading.engine.Engine` from the :class:`SimState` (accounts
from ``--api-key/--api-secret``, instruments and bars from the store, the replay clock, the
seed), adds the private REST routes, ``/v5/market/orderbook`` and ``/v5/market/risk-limit``,
the WebSocket endpoints and the fault-injection middleware.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from aiohttp import web

from openalpha.domain import Category, Instrument
from openalpha.sim.state import SimState

PRIVATE_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("POST", "/v5/order/create", "routes_orders.create"),
    ("POST", "/v5/order/amend", "routes_orders.amend"),
    ("POST", "/v5/order/cancel", "routes_orders.cancel"),
    ("POST", "/v5/order/cancel-all", "routes_orders.cancel_all"),
    ("GET", "/v5/order/realtime", "routes_orders.realtime"),
    ("GET", "/v5/order/history", "routes_orders.history"),
    ("GET", "/v5/execution/list", "routes_orders.executions"),
    ("GET", "/v5/position/list", "routes_account.positions"),
    ("POST", "/v5/position/set-leverage", "routes_account.set_leverage"),
    ("POST", "/v5/position/trading-stop", "routes_account.trading_stop"),
    ("GET", "/v5/account/wallet-balance", "routes_account.wallet_balance"),
    ("GET", "/v5/account/fee-rate", "routes_account.fee_rate"),
    ("GET", "/v5/account/info", "routes_account.account_info"),
    ("GET", "/v5/user/query-api", "routes_account.query_api"),
    ("GET", "/v5/asset/coin/query-info", "routes_account.coin_info"),
)


def sim_instruments(state: SimState) -> dict[tuple[Category, str], Instrument]:
    """Instruments the simulator trades: the market half's list, with default risk tiers filled in."""
    from openalpha.sim.market.instruments import known_instruments
    from openalpha.venue import risk_tiers_for

    out: dict[tuple[Category, str], Instrument] = {}
    for cat in (Category.LINEAR, Category.SPOT):
        for symbol, inst in known_instruments(state, cat.value).items():
            if cat is Category.LINEAR and not inst.risk_tiers:
                inst = msgspec.structs.replace(inst, risk_tiers=risk_tiers_for(symbol))
            out[(cat, symbol)] = inst
    return out


def build_engine(state: SimState) -> Any:
    from openalpha.sim.trading.engine import Engine
    from openalpha.sim.trading.feed import MarketFeed

    instruments = sim_instruments(state)
    feed = MarketFeed.from_store(state.store, sorted(instruments))
    engine = Engine(instruments, feed, state.clock.now_ms, seed=state.seed)
    for acc in state.accounts:
        engine.add_account(acc.api_key, acc.api_secret, Decimal(repr(acc.balance)))
    return engine


def register(app: web.Application, state: SimState) -> None:
    """Plug the trading half into the simulator app (see the module docstring)."""
    import importlib

    from openalpha.sim.trading.http import ENGINE_KEY, signed
    from openalpha.sim.trading.routes_public import handle_orderbook, handle_risk_limit

    engine = build_engine(state)
    state.extensions[ENGINE_KEY] = engine
    for method, path, target in PRIVATE_ROUTES:
        module_name, func = target.split(".")
        module = importlib.import_module(f"openalpha.sim.trading.{module_name}")
        app.router.add_route(method, path, signed(getattr(module, func)))
    app.router.add_get("/v5/market/orderbook", handle_orderbook)
    app.router.add_get("/v5/market/risk-limit", handle_risk_limit)
    try:
        from openalpha.sim.ws import register_ws
    except ImportError as exc:
        if exc.name not in ("openalpha.sim.ws",):
            raise
    else:
        register_ws(app, state, engine)
    from openalpha.sim.faults import install_faults

    install_faults(app, state)
