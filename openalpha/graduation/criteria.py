"""Graduation criteria, in TOML with documented defaults (``configs/graduation.toml``).

* ``[backtest]`` — to leave ``backtest``: a walk-forward sweep verdict of pass, with the
  probability of backtest overfitting below ``max_pbo``, the deflated Sharpe above
  ``min_dsr``, at least ``min_trades`` out-of-sample trades, max drawdown within ``max_drawdown``.
* ``[paper]`` / ``[testnet]`` — to leave them: at least ``min_days`` and ``min_trades`` of live
  trading, Sharpe ≥ ``min_sharpe``, max drawdown ≤ ``max_drawdown``, win rate ≥
  ``min_win_rate``, profit factor ≥ ``min_profit_factor``, and the backtest of the same period
  on the same data tracking what the strategy did within ``max_tracking_error`` (a larger gap
  means the model of reality is wrong and blocks promotion).
* ``[demotion]`` — drawdown beyond ``max_drawdown``, return below the Monte Carlo 5th percentile
  (``below_mc_p5``), tracking error above ``max_tracking_error``, or ``max_risk_denials`` denials
  within ``denial_window_days`` demote to ``paper`` (from testnet/mainnet) or ``halted``.
* ``[allocation]`` — capital per stage: ``testnet`` and the first ``mainnet`` allocation are
  small, and mainnet grows by ``growth_step`` each ``growth_every_days`` of good evidence up to
  ``mainnet_max``. Allocations go through the risk governor's caps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec

from openalpha.config import ConfigError, decode_config, read_toml
from openalpha.config.schema import Base, Fraction, PositiveFloat

NonNegInt = Annotated[int, msgspec.Meta(ge=0, description="integer >= 0")]
NonNegFloat = Annotated[float, msgspec.Meta(ge=0, description="number >= 0")]


class BacktestGate(Base, frozen=True):
    max_pbo: Fraction = 0.5
    min_dsr: Fraction = 0.95
    min_trades: NonNegInt = 30
    max_drawdown: Fraction = 0.35


class LiveGate(Base, frozen=True):
    min_days: NonNegFloat = 14  # may be fractional (0.5 = twelve hours)
    min_trades: NonNegInt = 20
    min_sharpe: float = 0.5
    max_drawdown: Fraction = 0.15
    min_win_rate: Annotated[float, msgspec.Meta(ge=0, le=1, description="float in [0, 1]")] = 0.35
    min_profit_factor: Annotated[float, msgspec.Meta(ge=0, description="float >= 0")] = 1.1
    max_tracking_error: Fraction = 0.02


class Demotion(Base, frozen=True):
    max_drawdown: Fraction = 0.10
    below_mc_p5: bool = True
    max_tracking_error: Fraction = 0.05
    max_risk_denials: NonNegInt = 10
    denial_window_days: Annotated[int, msgspec.Meta(ge=1, description="integer >= 1")] = 7


class Allocation(Base, frozen=True):
    paper: PositiveFloat = 10_000.0
    testnet: PositiveFloat = 1_000.0
    mainnet_initial: PositiveFloat = 100.0
    mainnet_max: PositiveFloat = 3_000.0
    growth_step: PositiveFloat = 2.0
    growth_every_days: Annotated[int, msgspec.Meta(ge=1, description="integer >= 1")] = 14


class GraduationCriteria(Base, frozen=True):
    backtest: BacktestGate = BacktestGate()
    paper: LiveGate = LiveGate()
    testnet: LiveGate = LiveGate(min_days=14, min_trades=20)
    demotion: Demotion = Demotion()
    allocation: Allocation = Allocation()


def criteria_file(home: Path) -> Path | None:
    """The user's criteria, ``$OPENALPHA_HOME/graduation.toml``, when present (else the defaults)."""
    path = home / "graduation.toml"
    return path if path.is_file() else None


def load_criteria(path: str | Path | None = None) -> GraduationCriteria:
    """The criteria in ``path``, or the defaults; one-line :class:`ConfigError` on a bad file."""
    if path is None:
        return GraduationCriteria()
    raw = read_toml(Path(path))
    return decode_config(raw, GraduationCriteria, str(path))


__all__ = [
    "Allocation",
    "BacktestGate",
    "ConfigError",
    "Demotion",
    "GraduationCriteria",
    "LiveGate",
    "criteria_file",
    "load_criteria",
]
