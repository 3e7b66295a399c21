"""The domain model: Structs for everything that crosses a boundary (floor 1, pure).

``MarketData`` (pandas) is imported on first use, so the processes that only pass Structs
around (risk governor, ledger) do not load pandas and pyarrow.
"""

from typing import TYPE_CHECKING, Any

from openalpha.domain.account import Balance, Position, RiskDecision, Signal
from openalpha.domain.codec import from_json, from_msgpack, to_json, to_msgpack
from openalpha.domain.enums import (
    Category,
    Environment,
    ExecType,
    OrderStatus,
    OrderType,
    RiskAction,
    Side,
    Stage,
    TimeInForce,
)
from openalpha.domain.errors import DomainError, IllegalTransition
from openalpha.domain.events import (
    CancelOrder,
    Event,
    Message,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    RiskDecided,
    SignalEmitted,
    SubmitOrder,
)
from openalpha.domain.instrument import Instrument, RiskTier, instrument_key, split_key
from openalpha.domain.intervals import interval_minutes, interval_ms, normalize_interval
from openalpha.domain.market import Bar, FundingRate, MarkPrice
from openalpha.domain.orders import Fill, Order, OrderRequest, can_transition

if TYPE_CHECKING:
    from openalpha.domain.market_data import MarketData


def __getattr__(name: str) -> Any:
    if name == "MarketData":
        from openalpha.domain.market_data import MarketData

        return MarketData
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Balance",
    "Bar",
    "CancelOrder",
    "Category",
    "DomainError",
    "Environment",
    "Event",
    "ExecType",
    "Fill",
    "FundingRate",
    "IllegalTransition",
    "Instrument",
    "MarkPrice",
    "MarketData",
    "Message",
    "Order",
    "OrderAccepted",
    "OrderCancelled",
    "OrderFilled",
    "OrderRejected",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "RiskAction",
    "RiskDecided",
    "RiskDecision",
    "RiskTier",
    "Side",
    "Signal",
    "SignalEmitted",
    "Stage",
    "SubmitOrder",
    "TimeInForce",
    "can_transition",
    "from_json",
    "from_msgpack",
    "instrument_key",
    "interval_minutes",
    "interval_ms",
    "normalize_interval",
    "split_key",
    "to_json",
    "to_msgpack",
]
