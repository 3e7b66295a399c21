"""Property tests for isolated margin (invariants of the BYBIT_V5.md §6 formulas)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from openalpha.domain.enums import Side
from openalpha.domain.instrument import RiskTier
from openalpha.venue import (
    bankruptcy_price,
    bankruptcy_price_f,
    liquidation_price,
    liquidation_price_f,
    maintenance_margin,
    max_leverage_for,
    risk_tiers_for,
    tier_for,
)

SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "OTHERUSDT"]
entries = st.decimals(min_value="0.01", max_value="150000", places=2)
sizes = st.decimals(min_value="0.001", max_value="100", places=3)


def _piecewise_mm(value: D, tiers: tuple[RiskTier, ...]) -> D:
    """Help-centre rule: each slice of the value pays the MMR of the tier it falls in."""
    total, lower = D(0), D(0)
    for t in tiers:
        if value <= lower:
            break
        total += (min(value, t.limit) - lower) * t.mmr
        lower = t.limit
    return total


@given(symbol=st.sampled_from(SYMBOLS), data=st.data())
def test_deduction_form_equals_piecewise_rule(symbol: str, data: st.DataObject) -> None:
    tiers = risk_tiers_for(symbol)
    value = data.draw(st.decimals(min_value="0", max_value=tiers[-1].limit, places=2))
    assert maintenance_margin(value, tiers) == _piecewise_mm(value, tiers)


@given(
    symbol=st.sampled_from(SYMBOLS),
    entry=entries,
    size=sizes,
    side=st.sampled_from(list(Side)),
    data=st.data(),
)
def test_lp_between_bankruptcy_and_entry(
    symbol: str, entry: D, size: D, side: Side, data: st.DataObject
) -> None:
    """With an allowed leverage the LP lies between the bankruptcy price and the entry."""
    tiers = risk_tiers_for(symbol)
    value = entry * size
    assume(value <= tiers[-1].limit)
    lev = D(data.draw(st.integers(min_value=1, max_value=int(max_leverage_for(value, tiers)))))
    lp = liquidation_price(side, entry, size, lev, tiers)
    bp = bankruptcy_price(side, entry, lev)
    if side is Side.BUY:
        assert bp <= lp <= entry
    else:
        assert entry <= lp <= bp


@given(symbol=st.sampled_from(SYMBOLS), entry=entries, size=sizes, data=st.data())
def test_higher_leverage_moves_lp_towards_entry(symbol: str, entry: D, size: D, data: st.DataObject) -> None:
    """Higher leverage -> long LP higher, short LP lower."""
    tiers = risk_tiers_for(symbol)
    value = entry * size
    assume(value <= tiers[-1].limit)
    top = int(max_leverage_for(value, tiers))
    lo = data.draw(st.integers(min_value=1, max_value=top))
    hi = data.draw(st.integers(min_value=lo, max_value=top))
    assert liquidation_price(Side.BUY, entry, size, D(lo), tiers) <= liquidation_price(
        Side.BUY, entry, size, D(hi), tiers
    )
    assert liquidation_price(Side.SELL, entry, size, D(lo), tiers) >= liquidation_price(
        Side.SELL, entry, size, D(hi), tiers
    )


@given(
    symbol=st.sampled_from(SYMBOLS),
    entry=entries,
    size=sizes,
    side=st.sampled_from(list(Side)),
    extra=st.decimals(min_value="0", max_value="100000", places=2),
    data=st.data(),
)
def test_float_twins_agree_with_decimal(
    symbol: str, entry: D, size: D, side: Side, extra: D, data: st.DataObject
) -> None:
    """``*_f`` twins agree with the Decimal versions within 1e-9 relative."""
    tiers = risk_tiers_for(symbol)
    value = entry * size
    assume(value <= tiers[-1].limit)
    lev = D(data.draw(st.integers(min_value=1, max_value=int(max_leverage_for(value, tiers)))))
    tier = tier_for(value, tiers)
    exact = liquidation_price(side, entry, size, lev, tiers, extra)
    sign = float(side.sign)
    approx = liquidation_price_f(
        sign, float(entry), float(lev), float(tier.mmr), float(tier.mm_deduction), float(size), float(extra)
    )
    assert approx == pytest.approx(float(exact), rel=1e-9, abs=1e-9 * float(entry))
    assert bankruptcy_price_f(sign, float(entry), float(lev)) == pytest.approx(
        float(bankruptcy_price(side, entry, lev)), rel=1e-9
    )
