"""Instrument filters: tick/step rounding and Bybit's rejection codes (BYBIT_V5.md §2, §3)."""

from __future__ import annotations

from decimal import Decimal as D

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalpha.domain.enums import Side
from openalpha.domain.instrument import Instrument
from openalpha.venue import (
    DEFAULT_INSTRUMENTS,
    FilterViolation,
    check_order,
    default_instrument,
    round_price,
    round_qty,
)

BTC = default_instrument("BTCUSDT")
BTC_SPOT = default_instrument("BTCUSDT@spot")


def test_round_price_direction_btcusdt_tick_010() -> None:
    """BTCUSDT tick 0.10 (instruments-info docs example): buy 65,000.07 -> 65,000.0, sell -> 65,000.1."""
    assert round_price(D("65000.07"), BTC, Side.BUY) == D("65000.0")
    assert round_price(D("65000.07"), BTC, Side.SELL) == D("65000.1")
    assert round_price(D("65000.10"), BTC, Side.BUY) == D("65000.10")  # on grid: unchanged
    assert round_price(D("65000.10"), BTC, Side.SELL) == D("65000.10")
    assert str(round_price(D("65000.07"), BTC, Side.SELL)) == "65000.10"  # keeps the tick's scale


def test_round_qty_never_up() -> None:
    """BTCUSDT qtyStep 0.001: 0.0019 -> 0.001, 1.2345 -> 1.234, 0.0009 -> 0."""
    assert round_qty(D("0.0019"), BTC) == D("0.001")
    assert round_qty(D("1.2345"), BTC) == D("1.234")
    assert round_qty(D("0.0009"), BTC) == 0
    assert round_qty(D("-1.2345"), BTC) == D("-1.234")  # towards zero


def test_rounding_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="price must be > 0"):
        round_price(D(0), BTC, Side.BUY)
    with pytest.raises(ValueError, match="non-finite"):
        round_qty(D("NaN"), BTC)
    with pytest.raises(ValueError, match="non-finite"):
        round_price(D("Infinity"), BTC, Side.SELL)


def test_linear_ok() -> None:
    assert check_order(BTC, D("0.001"), D("65000.0")) is None
    assert check_order(BTC, D("500"), None, ref_price=D(65000), market=True) is None


def test_linear_qty_below_min() -> None:
    """10001 "The number of contracts exceeds minimum limit allowed" (pybit issues #168, #284)."""
    v = check_order(BTC, D("0.0005"), D("65000.0"))
    assert v is not None and v.code == 10001
    assert v.message.startswith("The number of contracts exceeds minimum limit allowed")


def test_linear_qty_above_max_limit_and_market() -> None:
    """Max 1190 for limit orders, maxMktOrderQty 500 for market orders (docs BTCUSDT example)."""
    v = check_order(BTC, D("1191"), D("65000.0"))
    assert v is not None and v.code == 10001
    assert "exceeds maximum limit allowed" in v.message and "max_qty:1190" in v.message
    assert check_order(BTC, D("1000"), D("65000.0")) is None
    v = check_order(BTC, D("501"), None, ref_price=D(65000), market=True)
    assert v is not None and v.code == 10001 and "max_qty:500" in v.message


def test_linear_notional_below_min() -> None:
    """110094 order notional below minNotionalValue 5 USDT: 0.001 BTC at 4,999.9 = 4.9999."""
    v = check_order(BTC, D("0.001"), D("4999.9"))
    assert v is not None and v.code == 110094
    assert check_order(BTC, D("0.001"), D("5000.0")) is None  # exactly 5 passes
    v = check_order(BTC, D("0.001"), None, ref_price=D("4000"), market=True)
    assert v is not None and v.code == 110094


def test_linear_grid_misalignment() -> None:
    """Off-tick price / off-step qty -> 10001 (exact retMsg UNVERIFIED, BYBIT_V5.md §2)."""
    v = check_order(BTC, D("0.001"), D("65000.05"))
    assert v is not None and v.code == 10001 and "tickSize" in v.message
    v = check_order(BTC, D("0.0015"), D("65000.0"))
    assert v is not None and v.code == 10001 and "qtyStep" in v.message


def test_market_order_price_is_ignored_and_needs_ref() -> None:
    assert check_order(BTC, D("0.01"), D("65000.05"), ref_price=D(65000), market=True) is None
    with pytest.raises(ValueError, match="ref_price"):
        check_order(BTC, D("0.01"), None, market=True)


def test_limit_without_price() -> None:
    assert check_order(BTC, D("0.01"), None) == FilterViolation(
        10001, "params error: price is required for a Limit order"
    )
    v = check_order(BTC, D("0.01"), D("-1"))
    assert v is not None and v.code == 10001


@pytest.mark.parametrize(
    ("qty", "price", "code"),
    [
        ("0.001", "65000.001", 170134),  # price decimals longer than tick 0.01
        ("0.0000481", "65000", 170137),  # qty decimals longer than basePrecision 0.000001
        ("0.000047", "65000", 170136),  # below minOrderQty 0.000048
        ("71", "65000", 170135),  # above maxOrderQty
        ("0.00007", "65000", 170140),  # 4.55 USDT < minOrderAmt 5
    ],
)
def test_spot_codes(qty: str, price: str, code: int) -> None:
    """Spot retCodes 170134/170137/170136/170140 (docs error table, BYBIT_V5.md §2); 170135 UNVERIFIED."""
    v = check_order(BTC_SPOT, D(qty), D(price))
    assert v is not None and v.code == code


def test_spot_ok() -> None:
    assert check_order(BTC_SPOT, D("0.0001"), D("65000.01")) is None


instruments = st.sampled_from(sorted(DEFAULT_INSTRUMENTS.values(), key=lambda i: i.key))
prices = st.decimals(min_value="0.00001", max_value="1000000", places=6)


@given(inst=instruments, price=prices)
def test_price_rounding_never_crosses_and_is_on_grid(inst: Instrument, price: D) -> None:
    buy = round_price(price, inst, Side.BUY)
    sell = round_price(price, inst, Side.SELL)
    assert buy <= price <= sell
    assert buy % inst.tick_size == 0 and sell % inst.tick_size == 0
    assert price - buy < inst.tick_size and sell - price < inst.tick_size
    if price % inst.tick_size == 0:
        assert buy == sell == price


@given(inst=instruments, qty=st.decimals(min_value="0", max_value="100000", places=8))
def test_qty_rounding_never_exceeds_and_is_on_grid(inst: Instrument, qty: D) -> None:
    q = round_qty(qty, inst)
    assert 0 <= q <= qty
    assert q % inst.qty_step == 0
    assert qty - q < inst.qty_step


@given(inst=instruments, qty=st.decimals(min_value="0", max_value="100000", places=8), price=prices)
def test_rounded_orders_pass_unless_a_limit_is_hit(inst: Instrument, qty: D, price: D) -> None:
    """After rounding, the only possible rejections are the size/notional limits, never the grid."""
    q = round_qty(qty, inst)
    p = round_price(price, inst, Side.SELL)
    v = check_order(inst, q, p)
    if v is not None:
        assert v.code in (10001, 110094, 170135, 170136, 170140)
        assert "tickSize" not in v.message and "qtyStep" not in v.message
        small_or_big = q < inst.min_qty or q > inst.max_qty or q * p < inst.min_notional
        assert small_or_big


def test_rounding_is_exact_beyond_default_decimal_precision() -> None:
    """A value with more digits than decimal's default 28 must still never cross the limit."""
    one_tick = default_instrument("BTCUSDT")
    price = D("65000.0999999999999999999999999999999")  # 36 significant digits
    assert round_price(price, one_tick, Side.BUY) == D("65000.0")
    assert round_price(price, one_tick, Side.SELL) == D("65000.1")
    qty = D("1.99999999999999999999999999999999")
    assert round_qty(qty, one_tick) == D("1.999")


def test_non_decimal_ticks() -> None:
    """A tick that is not a power of ten (e.g. 0.5, or 0.05 for some contracts) still snaps correctly."""
    half = msgspec.structs.replace(BTC, tick_size=D("0.5"))
    assert round_price(D("100.26"), half, Side.BUY) == D("100.0")
    assert round_price(D("100.26"), half, Side.SELL) == D("100.5")
    assert round_price(D("100.5"), half, Side.SELL) == D("100.5")
    v = check_order(half, D("0.01"), D("100.25"))
    assert v is not None and "tickSize" in v.message
