"""The Strategy API and the built-in strategies (floor 3).

``Strategy`` (base class), ``ExecutionStyle``, the registry (``get_strategy_class`` accepts a
built-in name or ``path/to/file.py:ClassName``), parameter helpers (``build_params``,
``param_specs`` for sweep bounds) and the parity check. Built-ins: ``sma_cross``,
``mean_reversion``, ``momentum_breakout`` (with an ML confirmation hook), ``funding_carry``.
"""

from typing import TYPE_CHECKING, Any

from openalpha.strategies.base import MARKET, ExecutionStyle, Strategy
from openalpha.strategies.errors import ParamError, StrategyError, UnknownStrategy
from openalpha.strategies.params import ParamSpec, build_params, param_specs, parse_assignments
from openalpha.strategies.parity import ParityReport, check_parity
from openalpha.strategies.registry import get_strategy_class, register, strategy_names

if TYPE_CHECKING:
    from openalpha.strategies.funding_carry import FundingCarry
    from openalpha.strategies.mean_reversion import MeanReversion
    from openalpha.strategies.momentum_breakout import MomentumBreakout
    from openalpha.strategies.sma_cross import SmaCross

# The built-in classes, imported on first use (see registry: numba and the ML libraries load
# only in a process that runs the strategy needing them).
_BUILTIN_CLASSES = {
    "FundingCarry": "funding_carry",
    "MeanReversion": "mean_reversion",
    "MomentumBreakout": "momentum_breakout",
    "SmaCross": "sma_cross",
}


def __getattr__(name: str) -> Any:
    if name in _BUILTIN_CLASSES:
        return get_strategy_class(_BUILTIN_CLASSES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
