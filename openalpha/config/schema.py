"""The configuration schema: frozen msgspec Structs that reject unknown keys.

Every bounded number carries a ``description`` saying what is expected; the loader quotes it
in its one-line error (``configs/x.toml: risk.max_drawdown: expected float in (0, 1], got "high"``).
Secrets are not part of the schema: they come from the environment or the vault.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

Fraction = Annotated[float, msgspec.Meta(gt=0, le=1, description="float in (0, 1]")]
NonNegFraction = Annotated[float, msgspec.Meta(ge=0, le=1, description="float in [0, 1]")]
PositiveFloat = Annotated[float, msgspec.Meta(gt=0, description="float > 0")]
PositiveInt = Annotated[int, msgspec.Meta(gt=0, description="integer > 0")]
Port = Annotated[int, msgspec.Meta(ge=0, le=65535, description="port number in [0, 65535]")]
Leverage = Annotated[float, msgspec.Meta(ge=1, le=100, description="leverage in [1, 100]")]
EnvName = Literal["paper", "demo", "testnet", "mainnet"]
FeeTier = Literal["VIP0", "VIP1", "VIP2", "VIP3", "VIP4", "VIP5", "SUPREME"]


class Base(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Base of every config Struct (STYLE.md practice 2)."""


class Milestone(Base, frozen=True):
    """Above ``equity`` (quote currency), risk per trade is multiplied by ``risk_scale``."""

    equity: PositiveFloat
    risk_scale: Fraction


class RiskConfig(Base, frozen=True):
    risk_per_trade: Fraction = 0.01
    max_strategy_capital: Fraction = 0.30
    strategy_drawdown_stop: Fraction = 0.10
    account_drawdown_limit: Fraction = 0.15
    daily_loss_limit: Fraction = 0.05
    max_order_notional: PositiveFloat = 50_000.0
    max_orders_per_minute: PositiveInt = 60
    max_leverage: Leverage = 5.0
    target_volatility: PositiveFloat = 0.60
    milestones: tuple[Milestone, ...] = (
        Milestone(equity=10_000, risk_scale=1.0),
        Milestone(equity=25_000, risk_scale=0.8),
        Milestone(equity=50_000, risk_scale=0.6),
        Milestone(equity=100_000, risk_scale=0.5),
    )


class EnvironmentConfig(Base, frozen=True):
    """One trading environment. ``mainnet`` additionally needs ``allow_mainnet = true``."""

    enabled: bool = False
    base_url: str | None = None
    fee_tier: FeeTier = "VIP0"
    allow_mainnet: bool = False


class EnvironmentsConfig(Base, frozen=True):
    paper: EnvironmentConfig = EnvironmentConfig(enabled=True)
    demo: EnvironmentConfig = EnvironmentConfig()
    testnet: EnvironmentConfig = EnvironmentConfig()
    mainnet: EnvironmentConfig = EnvironmentConfig()


class StrategyConfig(Base, frozen=True):
    """A strategy instance: a registered name (or ``file.py:Class``), its symbols and parameters."""

    name: str
    symbols: tuple[str, ...]
    interval: str = "60"
    params: dict[str, Any] = {}
    env: EnvName = "paper"
    capital_fraction: Fraction = 0.30
    leverage: Leverage = 1.0


class SimConfig(Base, frozen=True):
    """The embedded simulator used by ``paper`` and ``openalpha demo``."""

    host: str = "127.0.0.1"
    port: Port = 0
    balance: PositiveFloat = 10_000.0
    speed: PositiveFloat = 3600.0
    start: str | None = None
    seed: int = 0


class UiConfig(Base, frozen=True):
    host: str = "127.0.0.1"
    port: Port = 8080
    session_minutes: PositiveInt = 60
    max_login_failures: PositiveInt = 5


class BacktestDefaults(Base, frozen=True):
    capital: PositiveFloat = 10_000.0
    leverage: Leverage = 1.0
    fee_tier: FeeTier = "VIP0"
    slippage_bps: Annotated[float, msgspec.Meta(ge=0, le=1000, description="float in [0, 1000]")] = 1.0
    funding: bool = True


class AppConfig(Base, frozen=True):
    """The whole configuration (``configs/default.toml`` describes the embedded demo)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    environments: EnvironmentsConfig = EnvironmentsConfig()
    risk: RiskConfig = RiskConfig()
    strategies: tuple[StrategyConfig, ...] = ()
    sim: SimConfig = SimConfig()
    ui: UiConfig = UiConfig()
    backtest: BacktestDefaults = BacktestDefaults()
