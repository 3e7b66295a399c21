"""Mutable order, position and execution records of the simulator, and their Bybit JSON shapes.

Field names and value spellings follow Bybit V5 (BYBIT_V5.md §4): every number is a string,
empty optional prices are ``""`` (orders) or ``"0"`` (TP/SL), times are ms strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


def fmt(value: Decimal | None) -> str:
    """Bybit's plain decimal string: no exponent, no trailing zeros (``None`` -> ``""``)."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


@dataclass(slots=True)
class SimOrder:
    order_id: str
    order_link_id: str
    category: str
    symbol: str
    side: str
    order_type: str
    qty: Decimal
    price: Decimal | None
    time_in_force: str
    created_ms: int
    reduce_only: bool = False
    close_on_trigger: bool = False
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    tp_trigger_by: str = "LastPrice"
    sl_trigger_by: str = "LastPrice"
    stop_order_type: str = ""
    create_type: str = "CreateByUser"
    status: str = "New"
    cancel_type: str = "UNKNOWN"
    reject_reason: str = "EC_NoError"
    cum_qty: Decimal = ZERO
    cum_value: Decimal = ZERO
    cum_fee: Decimal = ZERO
    fee_coin: str = "USDT"
    updated_ms: int = 0
    last_price_on_created: Decimal = ZERO
    market_unit: str = ""
    seq: int = 0

    @property
    def leaves(self) -> Decimal:
        return self.qty - self.cum_qty if self.is_open else ZERO

    @property
    def is_open(self) -> bool:
        return self.status in ("New", "PartiallyFilled", "Untriggered", "Created")

    @property
    def avg_price(self) -> Decimal | None:
        return self.cum_value / self.cum_qty if self.cum_qty else None

    def to_bybit(self) -> dict[str, Any]:
        avg = self.avg_price
        leaves = self.leaves
        return {
            "orderId": self.order_id,
            "orderLinkId": self.order_link_id,
            "blockTradeId": "",
            "symbol": self.symbol,
            "price": fmt(self.price) if self.price is not None else "0",
            "qty": fmt(self.qty),
            "side": self.side,
            "isLeverage": "",
            "positionIdx": 0,
            "orderStatus": self.status,
            "createType": self.create_type,
            "cancelType": self.cancel_type,
            "rejectReason": self.reject_reason,
            "avgPrice": fmt(avg) if avg is not None else ("" if self.category == "spot" else "0"),
            "leavesQty": fmt(leaves),
            "leavesValue": fmt(leaves * self.price) if self.price is not None else "0",
            "cumExecQty": fmt(self.cum_qty),
            "cumExecValue": fmt(self.cum_value),
            "cumExecFee": fmt(self.cum_fee),
            "cumFeeDetail": {self.fee_coin: fmt(self.cum_fee)} if self.cum_fee else {},
            "timeInForce": self.time_in_force,
            "orderType": self.order_type,
            "stopOrderType": self.stop_order_type,
            "orderIv": "",
            "marketUnit": self.market_unit,
            "triggerPrice": "0",
            "takeProfit": fmt(self.take_profit) if self.take_profit is not None else "0",
            "stopLoss": fmt(self.stop_loss) if self.stop_loss is not None else "0",
            "tpslMode": "Full" if (self.take_profit or self.stop_loss) else "",
            "ocoTriggerBy": "",
            "tpLimitPrice": "",
            "slLimitPrice": "",
            "tpTriggerBy": self.tp_trigger_by if self.take_profit else "",
            "slTriggerBy": self.sl_trigger_by if self.stop_loss else "",
            "triggerDirection": 0,
            "triggerBy": "",
            "lastPriceOnCreated": fmt(self.last_price_on_created),
            "basePrice": "",
            "reduceOnly": self.reduce_only,
            "closeOnTrigger": self.close_on_trigger,
            "placeType": "",
            "smpType": "None",
            "smpGroup": 0,
            "smpOrderId": "",
            "createdTime": str(self.created_ms),
            "updatedTime": str(self.updated_ms or self.created_ms),
        }

    def to_ws(self) -> dict[str, Any]:
        item = self.to_bybit()
        item["category"] = self.category
        item["closedPnl"] = "0"
        item["feeCurrency"] = self.fee_coin if self.category == "spot" else ""
        return item


@dataclass(slots=True)
class Execution:
    exec_id: str
    category: str
    symbol: str
    side: str
    exec_type: str
    exec_price: Decimal
    exec_qty: Decimal
    exec_fee: Decimal
    fee_rate: Decimal
    exec_time: int
    is_maker: bool
    mark_price: Decimal
    order: SimOrder | None = None
    closed_size: Decimal = ZERO
    exec_pnl: Decimal = ZERO
    fee_coin: str = "USDT"
    seq: int = 0

    def to_bybit(self) -> dict[str, Any]:
        o = self.order
        value = self.exec_price * self.exec_qty
        return {
            "symbol": self.symbol,
            "orderId": o.order_id if o else "",
            "orderLinkId": o.order_link_id if o else "",
            "side": self.side,
            "orderPrice": fmt(o.price) if o and o.price is not None else "0",
            "orderQty": fmt(o.qty) if o else "0",
            "leavesQty": fmt(o.qty - o.cum_qty) if o else "0",
            "createType": o.create_type if o else "",
            "orderType": o.order_type if o else "UNKNOWN",
            "stopOrderType": o.stop_order_type if o else "",
            "execFee": fmt(self.exec_fee),
            "execFeeV2": "",
            "execId": self.exec_id,
            "execPrice": fmt(self.exec_price),
            "execQty": fmt(self.exec_qty),
            "execType": self.exec_type,
            "execValue": fmt(value),
            "execTime": str(self.exec_time),
            "feeCurrency": self.fee_coin,
            "isMaker": self.is_maker,
            "feeRate": fmt(self.fee_rate),
            "tradeIv": "",
            "markIv": "",
            "markPrice": fmt(self.mark_price),
            "indexPrice": fmt(self.mark_price),
            "underlyingPrice": "",
            "blockTradeId": "",
            "closedSize": fmt(self.closed_size),
            "seq": self.seq,
            "extraFees": "",
        }

    def to_ws(self) -> dict[str, Any]:
        item = self.to_bybit()
        item["category"] = self.category
        item["execPnl"] = fmt(self.exec_pnl)
        item["marketUnit"] = ""
        item["isLeverage"] = "0"
        return item


@dataclass(slots=True)
class SimPosition:
    """A one-way linear position; ``size`` signed (+long / -short)."""

    symbol: str
    leverage: Decimal
    size: Decimal = ZERO
    entry: Decimal = ZERO
    cum_realised: Decimal = ZERO
    cur_realised: Decimal = ZERO
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    tp_trigger_by: str = "LastPrice"
    sl_trigger_by: str = "LastPrice"
    status: str = "Normal"
    created_ms: int = 0
    updated_ms: int = 0
    seq: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def side(self) -> str:
        return "Buy" if self.size > 0 else ("Sell" if self.size < 0 else "")
