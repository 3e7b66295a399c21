"""Risk rules: each returns allow / resize / deny with a reason; unknown state denies (floor 3).

Pure: no I/O, an injected :class:`Clock`. The :class:`RiskGovernor` composes the rules and is
used unchanged by the backtester and the live runtime.
"""

from openalpha.risk.clock import Clock, ManualClock, SystemClock
from openalpha.risk.core import RiskRequest, RiskState, Rule, RuleContext, cap_exposure, is_reducing
from openalpha.risk.equity import EquityTracker, milestone_scale, realised_volatility
from openalpha.risk.governor import RiskGovernor, default_rules
from openalpha.risk.limit_rules import (
    AccountDrawdownLimit,
    DailyLossLimit,
    OrderRateLimit,
    StrategyDrawdownStop,
)
from openalpha.risk.params import ParamChange, RiskParamError
from openalpha.risk.sizing_rules import (
    MaxOrderNotional,
    MilestoneScaling,
    RiskPerTrade,
    StrategyCapitalCap,
    VolatilityLeverage,
)

__all__ = [
    "AccountDrawdownLimit", "Clock", "DailyLossLimit", "EquityTracker", "ManualClock", "MaxOrderNotional",
    "MilestoneScaling", "OrderRateLimit", "ParamChange", "RiskGovernor", "RiskParamError", "RiskPerTrade",
    "RiskRequest", "RiskState", "Rule", "RuleContext", "StrategyCapitalCap", "StrategyDrawdownStop",
    "SystemClock", "VolatilityLeverage", "cap_exposure", "default_rules", "is_reducing", "milestone_scale",
    "realised_volatility",
]  # fmt: skip
