"""Bybit's rules as data and pure functions (floor 2): fees, funding, margin, liquidation, filters.

One source of truth for the backtester, the simulator and live order sizing. Pure: imports only
the standard library, numpy, msgspec and ``openalpha.domain``. Exact functions take and return
``Decimal``; the ``*_f`` twins are plain float arithmetic that ``numba.njit`` can compile.
"""

from openalpha.venue.fees import FEE_TIERS, FeeRates, fee_rates, trade_fee, trade_fee_f
from openalpha.venue.filters import FilterViolation, check_order, on_grid, round_price, round_qty
from openalpha.venue.funding import (
    funding_payment,
    funding_payment_f,
    funding_times,
    is_funding_time,
    next_funding_time,
)
from openalpha.venue.instruments import DEFAULT_INSTRUMENTS, default_instrument
from openalpha.venue.margin import (
    bankruptcy_price,
    bankruptcy_price_f,
    build_tiers,
    initial_margin,
    ladder,
    liquidation_price,
    liquidation_price_f,
    maintenance_margin,
    maintenance_margin_f,
    max_leverage_for,
    risk_tiers_for,
    tier_arrays,
    tier_for,
)
from openalpha.venue.rate_limits import ANY_CATEGORY, ENDPOINT_LIMITS, IP_LIMIT, RateLimit, endpoint_limit

__all__ = [
    "ANY_CATEGORY",
    "DEFAULT_INSTRUMENTS",
    "ENDPOINT_LIMITS",
    "FEE_TIERS",
    "IP_LIMIT",
    "FeeRates",
    "FilterViolation",
    "RateLimit",
    "bankruptcy_price",
    "bankruptcy_price_f",
    "build_tiers",
    "check_order",
    "default_instrument",
    "endpoint_limit",
    "fee_rates",
    "funding_payment",
    "funding_payment_f",
    "funding_times",
    "initial_margin",
    "is_funding_time",
    "ladder",
    "liquidation_price",
    "liquidation_price_f",
    "maintenance_margin",
    "maintenance_margin_f",
    "max_leverage_for",
    "next_funding_time",
    "on_grid",
    "risk_tiers_for",
    "round_price",
    "round_qty",
    "tier_arrays",
    "tier_for",
    "trade_fee",
    "trade_fee_f",
]
