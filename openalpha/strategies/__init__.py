"""The Strategy API and the built-in strategies (floor 3).

``Strategy`` (base class), ``ExecutionStyle``, the registry (``get_strategy_class`` accepts a
built-in name or ``path/to/file.py:ClassName``), parameter helpers (``build_params``,
``param_specs`` for sweep bounds) and the parity check. Built-ins: ``sma_cross``,
``mean_reversion``, ``momentum_breakout`` (with an ML confirmation hook), ``funding_carry``.
"""

from openalpha.strategies import (
    funding_carry,
    mean_reversion,
    ml_trend,  # noqa: F401  (registers ml_trend, momentum_breakout_ml)
    momentum_breakout,
    sma_cross,
)
from openalpha.strategies.base import MARKET, ExecutionStyle, Strategy
from openalpha.strategies.errors import ParamError, StrategyError, UnknownStrategy
from openalpha.strategies.params import ParamSpec, build_params, param_specs, parse_assignments
from openalpha.strategies.parity import ParityReport, check_parity
from openalpha.strategies.registry import get_strategy_class, register, strategy_names

FundingCarry = funding_carry.FundingCarry
MeanReversion = mean_reversion.MeanReversion
MomentumBreakout = momentum_breakout.MomentumBreakout
SmaCross = sma_cross.SmaCross


def load_strategy(ref: str, params: dict[str, object] | None = None) -> Strategy:
    """Build the strategy ``ref`` (name or ``file.py:Class``) with ``params`` (strings allowed)."""
    cls = get_strategy_class(ref)
    return cls(**(params or {}))


__all__ = [
    "MARKET",
    "ExecutionStyle",
    "FundingCarry",
    "MeanReversion",
    "MomentumBreakout",
    "ParamError",
    "ParamSpec",
    "ParityReport",
    "SmaCross",
    "Strategy",
    "StrategyError",
    "UnknownStrategy",
    "build_params",
    "check_parity",
    "get_strategy_class",
    "load_strategy",
    "param_specs",
    "parse_assignments",
    "register",
    "strategy_names",
]
