"""The float twins compile with ``numba.njit`` (the backtester's hot loop) and match the Decimal versions."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import numba
import numpy as np
import pytest

from openalpha.domain.enums import Side
from openalpha.venue import (
    bankruptcy_price,
    bankruptcy_price_f,
    funding_payment,
    funding_payment_f,
    liquidation_price,
    liquidation_price_f,
    maintenance_margin,
    maintenance_margin_f,
    risk_tiers_for,
    tier_arrays,
    tier_for,
    trade_fee,
    trade_fee_f,
)


@pytest.fixture(scope="module")
def jit() -> dict[str, Callable[..., Any]]:
    fns = [liquidation_price_f, bankruptcy_price_f, maintenance_margin_f, funding_payment_f, trade_fee_f]
    return {f.__name__: numba.njit(cache=False)(f) for f in fns}


def test_njit_liquidation_matches_bybit_example(jit: dict[str, Callable[..., Any]]) -> None:
    """1 BTC long at 20,000, 50x, MMR 0.5 % -> 19,700 (help centre) from the compiled twin."""
    assert jit["liquidation_price_f"](1.0, 20000.0, 50.0, 0.005, 0.0, 1.0, 0.0) == pytest.approx(19700.0)
    assert jit["liquidation_price_f"](-1.0, 20000.0, 50.0, 0.005, 0.0, 1.0, 0.0) == pytest.approx(20300.0)
    assert jit["bankruptcy_price_f"](1.0, 20000.0, 50.0) == pytest.approx(19600.0)


def test_njit_twins_match_decimal_on_a_grid(jit: dict[str, Callable[..., Any]]) -> None:
    tiers = risk_tiers_for("BTCUSDT")
    limits, mmrs, deds = tier_arrays(tiers)
    for entry in (D("1234.5"), D("20000"), D("97350.1")):
        for size in (D("0.001"), D("1.5"), D("40")):
            value = entry * size
            tier = tier_for(value, tiers)
            mm = jit["maintenance_margin_f"](float(value), limits, mmrs, deds)
            assert mm == pytest.approx(float(maintenance_margin(value, tiers)), rel=1e-9)
            for side in Side:
                lev = min(D(20), tier.max_leverage)
                exact = liquidation_price(side, entry, size, lev, tiers)
                got = jit["liquidation_price_f"](
                    float(side.sign),
                    float(entry),
                    float(lev),
                    float(tier.mmr),
                    float(tier.mm_deduction),
                    float(size),
                    0.0,
                )
                assert got == pytest.approx(float(exact), rel=1e-9)
                bp = jit["bankruptcy_price_f"](float(side.sign), float(entry), float(lev))
                assert bp == pytest.approx(float(bankruptcy_price(side, entry, lev)), rel=1e-9)
    assert jit["funding_payment_f"](-2.0, 30000.0, 0.0001) == pytest.approx(
        float(funding_payment(D(-2), D(30000), D("0.0001")))
    )
    assert jit["trade_fee_f"](20000.0, -1.0, 0.00055) == pytest.approx(
        float(trade_fee(D(20000), D(-1), D("0.00055")))
    )


def test_maintenance_margin_f_tier_selection() -> None:
    """Boundary values select the covering tier; beyond the last limit the last tier is used."""
    tiers = risk_tiers_for("BTCUSDT")
    limits, mmrs, deds = tier_arrays(tiers)
    assert maintenance_margin_f(2_000_000.0, limits, mmrs, deds) == pytest.approx(10_000.0)
    assert maintenance_margin_f(2_600_000.0, limits, mmrs, deds) == pytest.approx(13_360.0)
    big = float(limits[-1]) * 2
    assert maintenance_margin_f(big, limits, mmrs, deds) == pytest.approx(big * mmrs[-1] - deds[-1])
    assert limits.dtype == np.float64
    with pytest.raises(ValueError):
        tier_arrays(())
