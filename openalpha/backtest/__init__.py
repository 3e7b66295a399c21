"""The backtest engine: targets to fills, fees, funding, liquidations, equity (floor 4).

``run_backtest(strategy, data, config) -> BacktestResult``. Pure and deterministic; the
path-dependent loop is compiled with numba (:mod:`openalpha.backtest.kernel`).
"""

from openalpha.backtest.config import BacktestConfig, make_config
from openalpha.backtest.engine import run_backtest, run_targets
from openalpha.backtest.prepare import BacktestError
from openalpha.backtest.result import BacktestResult

__all__ = ["BacktestConfig", "BacktestError", "BacktestResult", "make_config", "run_backtest", "run_targets"]
