"""The dashboard's view of one running environment: an :class:`EnvSnapshot` built from the
state of an :class:`~openalpha.live.env_runtime.EnvRuntime` (book, prices, account, open orders,
recent fills and funding)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openalpha.domain import Fill
from openalpha.live.snapshot import EnvSnapshot, FillView, Health, OrderView, PositionView

if TYPE_CHECKING:
    from openalpha.live.env_runtime import EnvRuntime


def _fill_view(fill: Fill) -> FillView:
    return FillView(
        exec_id=fill.exec_id,
        symbol=fill.symbol,
        side=str(fill.side),
        qty=float(fill.qty),
        price=float(fill.price),
        fee=float(fill.fee),
        ts=fill.ts,
        exec_type=str(fill.exec_type),
        order_link_id=fill.order_link_id,
    )


def env_snapshot(
    rt: EnvRuntime,
    *,
    connected: bool,
    latency_ms: float | None = None,
    headroom: float | None = None,
    kill_switch: bool = False,
) -> EnvSnapshot:
    """The dashboard's view of one running environment."""
    positions = []
    gross = 0.0
    for key in rt.keys:
        qty = float(rt.book.total(key))
        if qty == 0:
            continue
        price = rt.prices.get(key, 0.0)
        gross += abs(qty) * price
        venue = rt.exchange_positions.get(key)  # linear keys are the exchange symbol
        if venue is not None:
            positions.append(
                PositionView(
                    symbol=key,
                    size=qty,
                    entry_price=float(venue.entry_price),
                    mark_price=float(venue.mark_price) or price,
                    unrealised_pnl=float(venue.unrealised_pnl),
                    liq_price=float(venue.liq_price) if venue.liq_price else None,
                    leverage=float(venue.leverage),
                )
            )
        else:
            positions.append(
                PositionView(symbol=key, size=qty, entry_price=0.0, mark_price=price, unrealised_pnl=0.0)
            )
    equity = rt.tracker.equity or 0.0
    orders = [
        OrderView(
            order_link_id=o.order_link_id,
            symbol=o.symbol,
            side=str(o.side),
            order_type=str(o.order_type),
            qty=float(o.qty),
            filled_qty=float(o.filled_qty),
            status=str(o.status),
            created_ts=o.created_ts,
            price=float(o.price) if o.price is not None else None,
            strategy=o.strategy,
        )
        for o in rt.manager.open_orders()
    ]
    return EnvSnapshot(
        env=rt.env,
        active=True,
        ts=rt.clock(),
        equity=equity,
        wallet_balance=equity,
        available=rt.available if rt.available is not None else equity,
        pnl_today=rt.tracker.pnl_today,
        pnl_total=rt.tracker.pnl_total,
        drawdown=rt.tracker.drawdown,
        open_risk=gross / equity if equity else 0.0,
        equity_curve=list(rt.tracker.curve)[-500:],
        positions=positions,
        open_orders=orders,
        recent_fills=[_fill_view(f) for f in list(rt.fills)[-50:]],
        recent_funding=[_fill_view(f) for f in list(rt.funding)[-50:]],
        health=Health(
            connected=connected,
            latency_ms=latency_ms,
            rate_limit_headroom=headroom,
            last_bar_ts=dict(rt.last_bar_ts),
        ),
        kill_switch=kill_switch,
    )
