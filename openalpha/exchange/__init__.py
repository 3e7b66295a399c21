"""The exchange port (``Exchange`` Protocol), the Bybit adapter and the client-side rate limiter (floor 3)."""

from openalpha.exchange.errors import (
    AuthError,
    ExchangeError,
    OrderNotFound,
    RejectedError,
    RetryableError,
    UnknownStateError,
)
from openalpha.exchange.protocol import Exchange, PrivateHandlers

__all__ = [
    "AuthError",
    "Exchange",
    "ExchangeError",
    "OrderNotFound",
    "PrivateHandlers",
    "RejectedError",
    "RetryableError",
    "UnknownStateError",
]
