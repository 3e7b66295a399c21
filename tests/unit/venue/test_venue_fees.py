"""Fee schedule and fee of a fill (BYBIT_V5.md §6: help-centre article 000001634 table)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalpha.domain.enums import Category
from openalpha.venue import FEE_TIERS, FeeRates, fee_rates, trade_fee, trade_fee_f

# (tier, spot taker %, spot maker %, perp taker %, perp maker %) — BYBIT_V5.md §6, row by row.
TABLE = [
    ("VIP0", "0.1000", "0.1000", "0.0550", "0.0200"),
    ("VIP1", "0.0800", "0.0675", "0.0400", "0.0180"),
    ("VIP2", "0.0775", "0.0650", "0.0375", "0.0160"),
    ("VIP3", "0.0750", "0.0625", "0.0350", "0.0140"),
    ("VIP4", "0.0600", "0.0500", "0.0320", "0.0120"),
    ("VIP5", "0.0500", "0.0400", "0.0320", "0.0100"),
    ("SUPREME", "0.0450", "0.0300", "0.0300", "0.0000"),
]


@pytest.mark.parametrize(("tier", "spot_t", "spot_m", "perp_t", "perp_m"), TABLE)
def test_fee_table_matches_bybit_schedule(
    tier: str, spot_t: str, spot_m: str, perp_t: str, perp_m: str
) -> None:
    """Every row of the VIP table (BYBIT_V5.md §6), percent -> fraction."""
    assert fee_rates(tier, Category.SPOT) == FeeRates(maker=D(spot_m) / 100, taker=D(spot_t) / 100)
    assert fee_rates(tier, Category.LINEAR) == FeeRates(maker=D(perp_m) / 100, taker=D(perp_t) / 100)


def test_tiers_listed_in_order() -> None:
    assert tuple(row[0] for row in TABLE) == FEE_TIERS


def test_default_is_vip0_linear_and_matches_docs_exec_fee_rate() -> None:
    """Docs execution example carries ``feeRate "0.00055"`` = VIP0 perp taker (BYBIT_V5.md §6)."""
    assert fee_rates().taker == D("0.00055")
    assert fee_rates().maker == D("0.0002")


@pytest.mark.parametrize("spelling", ["vip0", "VIP 0", "Vip_0", "Non-VIP".replace("-", "")])
def test_tier_spelling_is_forgiving(spelling: str) -> None:
    assert fee_rates(spelling) == fee_rates("VIP0")


def test_supreme_spelling() -> None:
    assert fee_rates("Supreme").maker == 0


@pytest.mark.parametrize("bad", ["VIP6", "", "gold"])
def test_unknown_tier_is_a_one_line_error(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown fee tier"):
        fee_rates(bad)


def test_unknown_category_raises() -> None:
    with pytest.raises(ValueError):
        fee_rates("VIP0", "option")


def test_fee_of_a_fill_worked_example() -> None:
    """1 BTC at 20,000 USDT, VIP0 perp taker 0.055 % -> 11 USDT; maker 0.02 % -> 4 USDT."""
    assert trade_fee(D(20000), D(1), fee_rates().taker) == D("11")
    assert trade_fee(D(20000), D(1), fee_rates().maker) == D("4")
    # a sell reported with a negative qty pays the same fee
    assert trade_fee(D(20000), D(-1), fee_rates().taker) == D("11")


def test_negative_rate_refused() -> None:
    with pytest.raises(ValueError, match="fee rate"):
        trade_fee(D(100), D(1), D("-0.0001"))


@given(
    price=st.decimals(min_value="0.0001", max_value="10000000", places=4),
    qty=st.decimals(min_value="-1000", max_value="1000", places=6),
    tier=st.sampled_from(FEE_TIERS),
    cat=st.sampled_from(list(Category)),
    maker=st.booleans(),
)
def test_fee_never_negative_and_float_twin_agrees(
    price: D, qty: D, tier: str, cat: Category, maker: bool
) -> None:
    rates = fee_rates(tier, cat)
    rate = rates.maker if maker else rates.taker
    fee = trade_fee(price, qty, rate)
    assert fee >= 0
    assert fee == abs(price * qty) * rate
    f = trade_fee_f(float(price), float(qty), float(rate))
    assert f == pytest.approx(float(fee), rel=1e-9, abs=1e-12)
