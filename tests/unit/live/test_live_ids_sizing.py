"""Deterministic order ids and exact sizing of target exposures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalpha.domain import Category, Side
from openalpha.live.ids import is_ours, order_link_id, parse_order_link_id
from openalpha.live.sizing import SizedOrder, Skipped, size_order
from openalpha.venue import default_instrument

BTC = default_instrument("BTCUSDT")


@given(
    st.text(min_size=1, max_size=60),
    st.sampled_from(["BTCUSDT", "ETHUSDT@spot", "1000PEPEUSDT"]),
    st.integers(0, 10**12),
    st.integers(0, 999),
)
def test_link_ids_are_deterministic_and_valid(strategy: str, symbol: str, seq: int, leg: int) -> None:
    link = order_link_id(strategy, symbol, seq, leg)
    assert link == order_link_id(strategy, symbol, seq, leg)
    assert len(link) <= 36 and all(c.isalnum() or c in "-_" for c in link)
    assert is_ours(link, strategy) and parse_order_link_id(link) is not None


def test_link_ids_differ_per_decision_and_strategy() -> None:
    assert order_link_id("a", "BTCUSDT", 1) != order_link_id("a", "BTCUSDT", 2)
    assert order_link_id("a", "BTCUSDT", 1) != order_link_id("b", "BTCUSDT", 1)
    assert order_link_id("a", "BTCUSDT", 1, 1) != order_link_id("a", "BTCUSDT", 1)
    assert not is_ours("my-manual-order") and not is_ours(order_link_id("a", "BTCUSDT", 1), "b")


def test_size_long_from_flat_rounds_down_to_step() -> None:
    out = size_order(
        target=0.5, equity=Decimal(10_000), price=Decimal("60000"), position_qty=Decimal(0), instrument=BTC
    )
    assert out == SizedOrder(
        side=Side.BUY, qty=Decimal("0.083"), reduce_only=False, target_qty=Decimal("0.083")
    )


def test_close_is_reduce_only_and_exact() -> None:
    out = size_order(
        target=0.0,
        equity=Decimal(10_000),
        price=Decimal("60000"),
        position_qty=Decimal("-0.0837"),
        instrument=BTC,
    )
    assert isinstance(out, SizedOrder)
    assert out.side is Side.BUY and out.reduce_only and out.qty == Decimal("0.0837")


def test_flip_is_not_reduce_only() -> None:
    out = size_order(
        target=-0.5,
        equity=Decimal(10_000),
        price=Decimal("60000"),
        position_qty=Decimal("0.083"),
        instrument=BTC,
    )
    assert isinstance(out, SizedOrder)
    assert out.side is Side.SELL and not out.reduce_only and out.qty == Decimal("0.166")


@pytest.mark.parametrize(
    ("target", "equity", "position", "instrument", "reason"),
    [
        (0.0001, Decimal(1000), Decimal(0), BTC, "minimum"),
        (
            -0.5,
            Decimal(1000),
            Decimal(0),
            default_instrument("BTCUSDT", Category.SPOT),
            "spot cannot be shorted",
        ),
        (0.5, Decimal(0), Decimal(0), BTC, "cannot size"),
        (0.5, Decimal(10_000), Decimal("0.083"), BTC, "already at target"),
    ],
)
def test_skips_say_why(
    target: float, equity: Decimal, position: Decimal, instrument: object, reason: str
) -> None:
    out = size_order(
        target=target, equity=equity, price=Decimal(60_000), position_qty=position, instrument=instrument
    )  # type: ignore[arg-type]
    assert isinstance(out, Skipped) and reason in out.reason
