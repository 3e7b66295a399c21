"""Sweep configs: every shipped one validates; bad ones fail with one line; spaces come from Params bounds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openalpha.config import ConfigError
from openalpha.research.space import resolve_space
from openalpha.research.sweep_config import ParamRange, load_sweep_config
from openalpha.research.walkforward import search_space
from openalpha.strategies import SmaCross, strategy_names

SWEEPS = Path(__file__).resolve().parents[3] / "configs" / "sweeps"


def test_one_shipped_sweep_per_builtin_strategy() -> None:
    shipped = {load_sweep_config(p).strategy for p in SWEEPS.glob("*.toml")}
    assert set(strategy_names()) <= shipped
    for path in SWEEPS.glob("*.toml"):
        assert search_space(load_sweep_config(path))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text('name = "t"\nstrategy = "sma_cross"\nsymbols = ["BTCUSDT"]\n' + text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[searcher]\nalgorithm = 'bayes'\n", "searcher.algorithm: expected one of grid, optuna, random"),
        ("[walk_forward]\ntrian = '90D'\n", "walk_forward.trian: unknown key"),
        ("[searcher]\ntrials_per_fold = 0\n", "searcher.trials_per_fold: expected integer > 0"),
        ("[overfitting]\npbo_blocks = 5\n", "overfitting.pbo_blocks"),
        ("[verdict]\nmax_pbo = 2\n", "verdict.max_pbo"),
        ("[backtest]\nleverage = 0.5\n", "backtest.leverage"),
        ("[searcher]\nbatch = 0\n", 'searcher.batch: expected an integer in [1, 256] or "auto", got 0'),
        (
            "[searcher]\nbatch = 'big'\n",
            "searcher.batch: expected an integer in [1, 256] or \"auto\", got 'big'",
        ),
    ],
)
def test_bad_configs_fail_with_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_sweep_config(_write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_batch_size_auto_and_explicit() -> None:
    from openalpha.research.sweep_config import AUTO_BATCH_BARS, Searcher

    one_year_15m = 35_040
    assert Searcher(trials_per_fold=400).batch_size(one_year_15m) == -(-AUTO_BATCH_BARS // one_year_15m) == 20
    assert Searcher(trials_per_fold=64).batch_size(one_year_15m) == 16  # capped at trials_per_fold // 4
    assert Searcher(trials_per_fold=8).batch_size(one_year_15m) == 2  # a fold keeps >= 4 Tune trials
    assert Searcher(trials_per_fold=64).batch_size(10 * AUTO_BATCH_BARS) == 1  # long windows: one set
    assert Searcher(trials_per_fold=64, batch=5).batch_size(one_year_15m) == 5
    assert Searcher(trials_per_fold=3, batch=5).batch_size(one_year_15m) == 3
    assert Searcher(algorithm="grid", batch=5).batch_size(one_year_15m) == 1


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_sweep_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sweep_config(bad)


def test_space_defaults_to_params_bounds() -> None:
    dims = {d.name: d for d in resolve_space({"fast": ParamRange()}, {}, SmaCross.Params, "sma_cross")}
    assert (dims["fast"].low, dims["fast"].high, dims["fast"].kind) == (2, 1000, "int")
    everything = {d.name for d in resolve_space({}, {"allow_short": False}, SmaCross.Params, "sma_cross")}
    assert everything == {"fast", "slow", "size"}  # size: (0, 10] is bounded; allow_short is fixed


@pytest.mark.parametrize(
    ("search", "fixed", "message"),
    [
        ({"fastest": ParamRange()}, {}, "no parameter 'fastest'"),
        ({"fast": ParamRange(low=1, high=50)}, {}, "below the parameter's bound"),
        ({"fast": ParamRange(low=50, high=10)}, {}, "needs low < high"),
        ({"fast": ParamRange()}, {"fast": 10}, "both fixed and searched"),
        ({"fast": ParamRange(low=0.0, high=0.5, log=True)}, {}, "below|log scale"),
    ],
)
def test_bad_spaces(search: dict, fixed: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_space(search, fixed, SmaCross.Params, "sma_cross")


def test_grid_values() -> None:
    (dim,) = resolve_space({"fast": ParamRange(low=10, high=40)}, {}, SmaCross.Params, "sma_cross")
    assert dim.grid(4) == [10, 20, 30, 40]
