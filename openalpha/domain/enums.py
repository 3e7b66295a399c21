"""Enumerations shared by every floor. Values are Bybit V5's spellings where Bybit has one."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    LINEAR = "linear"
    SPOT = "spot"


class Side(StrEnum):
    BUY = "Buy"
    SELL = "Sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    MARKET = "Market"
    LIMIT = "Limit"


class TimeInForce(StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    POST_ONLY = "PostOnly"


class OrderStatus(StrEnum):
    CREATED = "Created"  # known locally, not yet acknowledged by the exchange
    NEW = "New"
    PARTIALLY_FILLED = "PartiallyFilled"
    FILLED = "Filled"
    CANCELLED = "Cancelled"
    REJECTED = "Rejected"

    @property
    def is_open(self) -> bool:
        return self in (OrderStatus.CREATED, OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class ExecType(StrEnum):
    TRADE = "Trade"
    FUNDING = "Funding"
    BUST_TRADE = "BustTrade"  # liquidation
    ADL_TRADE = "AdlTrade"


class Environment(StrEnum):
    PAPER = "paper"
    DEMO = "demo"
    TESTNET = "testnet"
    MAINNET = "mainnet"


class Stage(StrEnum):
    BACKTEST = "backtest"
    PAPER = "paper"
    TESTNET = "testnet"
    MAINNET = "mainnet"
    HALTED = "halted"
    RETIRED = "retired"


class RiskAction(StrEnum):
    ALLOW = "allow"
    RESIZE = "resize"
    DENY = "deny"
