"""Default instruments and rate limits as data (BYBIT_V5.md §3 instruments-info, §7 rate limits)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from openalpha.domain.enums import Category
from openalpha.venue import (
    DEFAULT_INSTRUMENTS,
    ENDPOINT_LIMITS,
    IP_LIMIT,
    RateLimit,
    default_instrument,
    endpoint_limit,
    risk_tiers_for,
)


def test_btcusdt_linear_matches_docs_example() -> None:
    """instruments-info docs example: tick 0.10, step 0.001, min 0.001, max 1190, maxMkt 500,
    minNotional 5, maxLeverage 100, fundingInterval 480."""
    i = default_instrument("BTCUSDT")
    assert (i.tick_size, i.qty_step, i.min_qty, i.max_qty) == (D("0.10"), D("0.001"), D("0.001"), D(1190))
    assert (i.max_mkt_qty, i.min_notional, i.max_leverage, i.funding_interval_min) == (
        D(500),
        D(5),
        D(100),
        480,
    )
    assert i.category is Category.LINEAR and i.key == "BTCUSDT"
    assert i.risk_tiers == risk_tiers_for("BTCUSDT")


@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
@pytest.mark.parametrize("category", list(Category))
def test_all_defaults_present_and_sane(symbol: str, category: Category) -> None:
    i = default_instrument(symbol, category)
    assert i.symbol == symbol and i.category is category and i.quote_coin == "USDT"
    assert i.base_coin == symbol.removesuffix("USDT")
    assert i.tick_size > 0 and 0 < i.qty_step <= i.min_qty < i.max_qty
    assert i.min_qty % i.qty_step == 0
    if category is Category.LINEAR:
        assert i.risk_tiers and i.risk_tiers[0].max_leverage == i.max_leverage
        assert i.max_mkt_qty is not None and i.max_mkt_qty <= i.max_qty
    else:
        assert i.risk_tiers == () and i.max_leverage == 1
    assert DEFAULT_INSTRUMENTS[i.key] is i


def test_spot_key_and_case() -> None:
    assert default_instrument("ethusdt@spot").category is Category.SPOT
    assert default_instrument("SOLUSDT", "spot").key == "SOLUSDT@spot"
    assert len(DEFAULT_INSTRUMENTS) == 6


@pytest.mark.parametrize("bad", ["DOGEUSDT", "", "BTC"])
def test_unknown_symbol_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="no default instrument"):
        default_instrument(bad)


def test_rate_limits_from_docs() -> None:
    """BYBIT_V5.md §7: 600 req / 5 s per IP; order writes 10/s linear, 20/s spot; queries 50/s;
    set-leverage 10/s; wallet-balance 50/s; fee-rate 5/s; public endpoints only the IP limit."""
    assert RateLimit(requests=600, window_ms=5000) == IP_LIMIT
    for path in ("/v5/order/create", "/v5/order/amend", "/v5/order/cancel", "/v5/order/cancel-all"):
        assert endpoint_limit(path, Category.LINEAR) == 10
        assert endpoint_limit(path, "spot") == 20
    for path in ("/v5/order/realtime", "/v5/order/history", "/v5/execution/list"):
        assert endpoint_limit(path, "linear") == 50
    assert endpoint_limit("/v5/position/list", "linear") == 50
    assert endpoint_limit("/v5/position/set-leverage", "linear") == 10
    assert endpoint_limit("/v5/position/set-leverage", "spot") is None
    assert endpoint_limit("/v5/account/wallet-balance") == 50
    assert endpoint_limit("/v5/account/fee-rate", "spot") == 5
    assert endpoint_limit("/v5/market/kline", "linear") is None
    assert endpoint_limit("/v5/order/create?category=linear", "linear") == 10
    assert endpoint_limit("/v5/order/create", None) is None
    assert all(v > 0 for limits in ENDPOINT_LIMITS.values() for v in limits.values())
