"""Every boundary Struct survives JSON and msgpack exactly (Decimals included)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalpha.domain import (
    Balance,
    Bar,
    Category,
    Environment,
    Event,
    Fill,
    FundingRate,
    Instrument,
    MarkPrice,
    Message,
    Order,
    OrderFilled,
    OrderRequest,
    OrderType,
    Position,
    RiskAction,
    RiskDecision,
    RiskTier,
    Side,
    Signal,
    SubmitOrder,
    from_json,
    from_msgpack,
    to_json,
    to_msgpack,
)

REQUEST = OrderRequest(
    symbol="ETHUSDT",
    category=Category.LINEAR,
    side=Side.SELL,
    order_type=OrderType.MARKET,
    qty=Decimal("1.23"),
    order_link_id="oa-x-ETHUSDT-7",
    reduce_only=True,
    stop_loss=Decimal("3100.05"),
)
FILL = Fill(
    exec_id="e1",
    symbol="ETHUSDT",
    category=Category.LINEAR,
    side=Side.SELL,
    price=Decimal("3000.01"),
    qty=Decimal("1.23"),
    fee=Decimal("2.0295"),
    ts=1_700_000_000_123,
    fee_rate=Decimal("0.00055"),
)
SAMPLES: list[object] = [
    Instrument(
        symbol="BTCUSDT",
        category=Category.LINEAR,
        base_coin="BTC",
        quote_coin="USDT",
        tick_size=Decimal("0.10"),
        qty_step=Decimal("0.001"),
        min_qty=Decimal("0.001"),
        max_qty=Decimal("1190"),
        min_notional=Decimal("5"),
        max_leverage=Decimal("100"),
        risk_tiers=(
            RiskTier(
                limit=Decimal("2000000"),
                mmr=Decimal("0.005"),
                imr=Decimal("0.01"),
                max_leverage=Decimal("100"),
            ),
        ),
    ),
    Bar(symbol="BTCUSDT", interval="60", ts=1, open=1.5, high=2.0, low=1.0, close=1.75, volume=3.0),
    MarkPrice(symbol="BTCUSDT", ts=2, price=60000.5),
    FundingRate(symbol="BTCUSDT", ts=3, rate=-0.000125),
    REQUEST,
    Order.from_request(REQUEST, ts=5),
    FILL,
    Position(
        symbol="ETHUSDT",
        category=Category.LINEAR,
        size=Decimal("-1.23"),
        entry_price=Decimal("3000.01"),
        liq_price=None,
    ),
    Balance(
        env=Environment.PAPER,
        coin="USDT",
        wallet_balance=Decimal("10000.123456789"),
        equity=Decimal("10001"),
        available=Decimal("9000"),
        ts=6,
    ),
    Signal(strategy="mr", symbol="BTCUSDT", ts=7, target=-0.5, confidence=0.61),
    RiskDecision(
        action=RiskAction.RESIZE,
        rule="max_notional",
        reason="cap 5000",
        strategy="mr",
        symbol="BTCUSDT",
        ts=8,
        requested=0.5,
        approved=0.25,
    ),
    Event(
        ts=9,
        kind="kill_switch",
        source="cli",
        message="kill switch engaged",
        env=Environment.MAINNET,
        data={"cancelled": 3, "flatten": True},
    ),
]


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_round_trip_json_and_msgpack(obj: object) -> None:
    assert from_json(to_json(obj), type(obj)) == obj
    assert from_msgpack(to_msgpack(obj), type(obj)) == obj


def test_decimals_travel_as_strings() -> None:
    assert b'"qty":"1.23"' in to_json(REQUEST)


def test_tagged_messages_decode_to_the_right_type() -> None:
    messages = [
        SubmitOrder(ts=1, env=Environment.TESTNET, request=REQUEST),
        OrderFilled(ts=2, env=Environment.TESTNET, fill=FILL),
    ]
    decoded = from_json(to_json(messages), list[Message])  # type: ignore[arg-type]
    assert decoded == messages
    assert b'"type":"SubmitOrder"' in to_json(messages[0])


def test_bad_payload_is_rejected() -> None:
    with pytest.raises(msgspec.ValidationError):
        from_json(b'{"symbol":"X","category":"inverse"}', Position)


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=8, min_value=Decimal("1e-8"), max_value=Decimal("1e9")
    )
)
def test_any_decimal_qty_round_trips(qty: Decimal) -> None:
    fill = msgspec.structs.replace(FILL, qty=qty)
    assert from_msgpack(to_msgpack(fill), Fill).qty == qty
