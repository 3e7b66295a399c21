"""Configuration: TOML + ``OPENALPHA_*`` overrides, validated into frozen Structs (floor 2)."""

from openalpha.config.loader import ConfigError, decode_config, default_config_path, load_config, read_toml
from openalpha.config.paths import Paths, home_dir
from openalpha.config.schema import (
    AppConfig,
    BacktestDefaults,
    EnvironmentConfig,
    EnvironmentsConfig,
    Milestone,
    RiskConfig,
    SimConfig,
    StrategyConfig,
    UiConfig,
)

__all__ = [
    "AppConfig",
    "BacktestDefaults",
    "ConfigError",
    "EnvironmentConfig",
    "EnvironmentsConfig",
    "Milestone",
    "Paths",
    "RiskConfig",
    "SimConfig",
    "StrategyConfig",
    "UiConfig",
    "decode_config",
    "default_config_path",
    "home_dir",
    "load_config",
    "read_toml",
]
