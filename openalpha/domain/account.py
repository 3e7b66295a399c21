"""Positions, balances, strategy signals and risk decisions."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from openalpha.domain.enums import Category, Environment, RiskAction


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """A one-way position. ``size`` is signed: positive long, negative short, zero flat."""

    symbol: str
    category: Category
    size: Decimal = Decimal(0)
    entry_price: Decimal = Decimal(0)
    leverage: Decimal = Decimal(1)
    mark_price: Decimal = Decimal(0)
    liq_price: Decimal | None = None
    position_im: Decimal = Decimal(0)
    position_mm: Decimal = Decimal(0)
    unrealised_pnl: Decimal = Decimal(0)
    realised_pnl: Decimal = Decimal(0)
    ts: int = 0

    @property
    def is_flat(self) -> bool:
        return self.size == 0

    @property
    def value(self) -> Decimal:
        """Position value at entry (Bybit's ``positionValue``)."""
        return abs(self.size) * self.entry_price


class Balance(msgspec.Struct, frozen=True, kw_only=True):
    """A coin balance of one environment at one time."""

    env: Environment
    coin: str
    wallet_balance: Decimal
    equity: Decimal
    available: Decimal
    ts: int


class Signal(msgspec.Struct, frozen=True, kw_only=True):
    """A strategy's target exposure (fraction of its equity, signed) after a bar close."""

    strategy: str
    symbol: str
    ts: int
    target: float
    confidence: float | None = None
    reason: str = ""


class RiskDecision(msgspec.Struct, frozen=True, kw_only=True):
    """The governor's answer to a signal or order: allow, resize or deny, always with a reason."""

    action: RiskAction
    rule: str
    reason: str
    strategy: str
    symbol: str
    ts: int
    requested: float
    approved: float

    @property
    def allowed(self) -> bool:
        return self.action is not RiskAction.DENY
