"""The sweep config (``configs/sweeps/NAME.toml``): what to optimise, how, and what counts as a pass.

Decoded into frozen msgspec Structs with the config loader's one-line errors. Lengths of the
walk-forward windows are pandas durations (``"90D"``, ``"12h"``) converted to whole bars of
the sweep's interval. The search space lists the parameters to optimise; a parameter given as
an empty table (``fast = {}``) takes its range from the strategy's ``Params`` bounds, and an
empty ``[search]`` table searches every bounded numeric parameter and every bool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from openalpha.backtest.config import BacktestConfig
from openalpha.config import ConfigError, decode_config, read_toml
from openalpha.research.verdict import VerdictThresholds

PosInt = Annotated[int, msgspec.Meta(gt=0, description="integer > 0")]


class _Base(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    pass


class ParamRange(_Base, frozen=True):
    """One searched parameter: a numeric range (bounds default to the ``Params`` bounds) or values."""

    low: float | None = None
    high: float | None = None
    step: float | None = None  # quantisation (ints default to 1)
    log: bool = False
    values: list[Any] | None = None  # categorical choices instead of a range


class Objective(_Base, frozen=True):
    metric: str = "sharpe"  # any key of the backtest's metrics (after all costs)
    mode: Literal["max", "min"] = "max"
    min_trades: Annotated[int, msgspec.Meta(ge=0, description="integer >= 0")] = 10


class WalkForward(_Base, frozen=True):
    scheme: Literal["rolling", "anchored"] = "rolling"
    train: str = "90D"
    test: str = "30D"
    step: str | None = None  # default: the test length (contiguous out-of-sample windows)
    purge: str = "0D"
    embargo: str = "0D"
    inner_folds: Annotated[int, msgspec.Meta(ge=1, le=20, description="integer in [1, 20]")] = 3


# bars backtested per Tune trial with batch = "auto": ~0.5 s of work on one core at the engine's
# ~1.5 M bars/s (10 sets of one year of 15-minute bars took 0.23 s), so Tune's ~20 ms of fixed
# cost per trial stays near 4 % (benchmarks/bench_sweep.py)
AUTO_BATCH_BARS = 700_000


class Searcher(_Base, frozen=True):
    algorithm: Literal["optuna", "random", "grid"] = "optuna"  # optuna = TPE
    trials_per_fold: PosInt = 32  # parameter sets tried per fold
    # parameter sets scored per Ray Tune trial (optuna/random; grid runs one set a trial):
    # "auto" = enough sets for ~AUTO_BATCH_BARS bars of backtest, at most trials_per_fold // 4
    batch: Annotated[int, msgspec.Meta(ge=1, le=256, description="integer in [1, 256]")] | Literal["auto"] = (
        "auto"
    )
    max_concurrent: PosInt = 2
    early_stopping: Literal["asha", "none"] = "asha"
    grid_points: Annotated[int, msgspec.Meta(ge=2, le=50, description="integer in [2, 50]")] = 4
    seed: int = 0
    time_budget_min: Annotated[float, msgspec.Meta(gt=0, description="minutes > 0")] | None = None

    def batch_size(self, bars_per_set: int) -> int:
        """Parameter sets per Tune trial when one set backtests ``bars_per_set`` bars (all
        inner segments, all symbols). Deterministic, so a seeded sweep repeats exactly."""
        if self.algorithm == "grid":
            return 1
        if self.batch != "auto":
            return min(int(self.batch), self.trials_per_fold)
        wanted = -(-AUTO_BATCH_BARS // max(1, bars_per_set))
        return max(1, min(wanted, self.trials_per_fold // 4))


class MonteCarlo(_Base, frozen=True):
    n_sims: Annotated[int, msgspec.Meta(ge=100, le=100_000, description="integer in [100, 100000]")] = 2000
    block_days: PosInt = 5
    seed: int = 0


class Overfitting(_Base, frozen=True):
    pbo_blocks: Annotated[
        int, msgspec.Meta(ge=2, le=20, multiple_of=2, description="even integer in [2, 20]")
    ] = 10


class SweepConfig(_Base, frozen=True):
    name: str
    strategy: str  # built-in name or path/to/file.py:Class
    symbols: list[str]
    interval: str = "15"
    start: str | None = None
    end: str | None = None
    params: dict[str, Any] = {}  # fixed (not searched) parameter values
    search: dict[str, ParamRange] = {}
    objective: Objective = Objective()
    walk_forward: WalkForward = WalkForward()
    searcher: Searcher = Searcher()
    backtest: BacktestConfig = BacktestConfig()
    montecarlo: MonteCarlo = MonteCarlo()
    overfitting: Overfitting = Overfitting()
    verdict: VerdictThresholds = VerdictThresholds()
    storage_path: str | None = None  # Ray Tune storage; must be shared (s3://, NFS) on a cluster


def load_sweep_config(path: str | Path) -> SweepConfig:
    """Read and validate a sweep TOML; :class:`ConfigError` with one line on any problem."""
    file = Path(path)
    raw = read_toml(file)
    searcher = raw.get("searcher")
    batch = searcher.get("batch", "auto") if isinstance(searcher, dict) else "auto"
    if batch != "auto" and (type(batch) is not int or not 1 <= batch <= 256):
        raise ConfigError(f'{file}: searcher.batch: expected an integer in [1, 256] or "auto", got {batch!r}')
    config = decode_config(raw, SweepConfig, str(file))
    if not config.symbols:
        raise ConfigError(f"{file}: symbols: expected at least one symbol")
    if not config.name.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{file}: name: expected letters, digits, - and _ only, got {config.name!r}")
    return config


__all__ = [
    "AUTO_BATCH_BARS",
    "MonteCarlo",
    "Objective",
    "Overfitting",
    "ParamRange",
    "Searcher",
    "SweepConfig",
    "WalkForward",
    "load_sweep_config",
]
