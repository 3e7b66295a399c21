"""The shipped strategy configs decode as StrategyConfig and build their strategies."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec
import pytest

from openalpha.config.schema import StrategyConfig
from openalpha.strategies import get_strategy_class

CONFIGS = sorted((Path(__file__).resolve().parents[3] / "configs" / "strategies").glob("*.toml"))


def test_every_builtin_has_a_config() -> None:
    names = {p.stem for p in CONFIGS}
    assert {"sma_cross", "mean_reversion", "momentum_breakout", "funding_carry"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_config_decodes_and_builds(path: Path) -> None:
    cfg = msgspec.convert(tomllib.loads(path.read_text()), StrategyConfig)
    strategy = get_strategy_class(cfg.name)(**cfg.params)
    assert strategy.warmup() > 0
