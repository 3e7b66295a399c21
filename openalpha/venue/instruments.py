"""Default instruments (BTCUSDT, ETHUSDT, SOLUSDT; linear perpetual and spot) with Bybit's filters.

Provenance:

* BTCUSDT linear: the ``/v5/market/instruments-info`` docs example (BYBIT_V5.md §3): tick 0.10,
  step 0.001, min 0.001, max 1190, max market 500, min notional 5, 100x, funding every 480 min.
* Every other entry is APPROXIMATE (third-party fixtures and conservative choices: a tick or step
  at least as coarse as Bybit's, so rounded values stay valid on the real grid). Live trading
  should load the real filters from ``/v5/market/instruments-info``; these are defaults for
  backtests, the simulator and tests.
"""

from __future__ import annotations

from decimal import Decimal

from openalpha.domain.enums import Category
from openalpha.domain.instrument import Instrument, split_key
from openalpha.venue.risk_tiers import risk_tiers_for

__all__ = ["DEFAULT_INSTRUMENTS", "default_instrument"]


def _linear(base: str, tick: str, step: str, max_qty: str, max_mkt: str, max_lev: str) -> Instrument:
    symbol = f"{base}USDT"
    return Instrument(
        symbol=symbol,
        category=Category.LINEAR,
        base_coin=base,
        quote_coin="USDT",
        tick_size=Decimal(tick),
        qty_step=Decimal(step),
        min_qty=Decimal(step),
        max_qty=Decimal(max_qty),
        min_notional=Decimal(5),
        max_mkt_qty=Decimal(max_mkt),
        max_leverage=Decimal(max_lev),
        funding_interval_min=480,
        risk_tiers=risk_tiers_for(symbol),
    )


def _spot(base: str, tick: str, step: str, min_qty: str, max_qty: str) -> Instrument:
    return Instrument(
        symbol=f"{base}USDT",
        category=Category.SPOT,
        base_coin=base,
        quote_coin="USDT",
        tick_size=Decimal(tick),
        qty_step=Decimal(step),
        min_qty=Decimal(min_qty),
        max_qty=Decimal(max_qty),
        min_notional=Decimal(5),
        max_leverage=Decimal(1),
    )


_ALL: tuple[Instrument, ...] = (
    _linear("BTC", "0.10", "0.001", "1190", "500", "100"),
    _linear("ETH", "0.01", "0.01", "7240", "724", "100"),
    _linear("SOL", "0.010", "0.1", "50000", "5000", "50"),
    _spot("BTC", "0.01", "0.000001", "0.000048", "70"),
    _spot("ETH", "0.01", "0.00001", "0.00001", "1000"),
    _spot("SOL", "0.01", "0.001", "0.001", "50000"),
)

DEFAULT_INSTRUMENTS: dict[str, Instrument] = {inst.key: inst for inst in _ALL}
"""Default instruments by project-wide key (``BTCUSDT``, ``BTCUSDT@spot``, ...)."""


def default_instrument(symbol: str, category: Category | str = Category.LINEAR) -> Instrument:
    """The default instrument for ``symbol`` in ``category``; a ``@spot`` key selects spot.

    Raises ``ValueError`` for symbols without defaults.
    """
    name, cat = split_key(symbol.strip())
    if cat is not Category.SPOT:
        cat = Category(category)
    key = f"{name.upper()}@spot" if cat is Category.SPOT else name.upper()
    inst = DEFAULT_INSTRUMENTS.get(key)
    if inst is None:
        known = ", ".join(sorted(DEFAULT_INSTRUMENTS))
        raise ValueError(f"no default instrument for {symbol!r} ({cat.value}); known: {known}")
    return inst
