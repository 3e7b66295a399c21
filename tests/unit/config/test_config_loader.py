"""Config loading: defaults, overrides, and one-line errors naming file, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from openalpha.config import AppConfig, ConfigError, Paths, default_config_path, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.toml"
    path.write_text(text)
    return path


def test_shipped_default_is_valid() -> None:
    config = load_config(default_config_path(), environ={})
    assert isinstance(config, AppConfig)
    assert config.environments.paper.enabled and not config.environments.mainnet.enabled
    assert config.risk.account_drawdown_limit == 0.15
    assert {s.name for s in config.strategies} >= {"mean_reversion"}


def test_bounded_value_error_names_file_key_and_expectation(tmp_path: Path) -> None:
    path = _write(tmp_path, '[risk]\naccount_drawdown_limit = "high"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert str(err.value) == f'{path}: risk.account_drawdown_limit: expected float in (0, 1], got "high"'


def test_out_of_range(tmp_path: Path) -> None:
    path = _write(tmp_path, "[risk]\nrisk_per_trade = 1.5\n")
    with pytest.raises(ConfigError, match=r"risk\.risk_per_trade: expected float in \(0, 1\], got 1\.5"):
        load_config(path, environ={})


def test_unknown_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "[risk]\nmax_drawdwn = 0.2\n")
    with pytest.raises(ConfigError, match=r"risk\.max_drawdwn: unknown key"):
        load_config(path, environ={})


def test_missing_required_key_in_list(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[strategies]]\nsymbols = ["BTCUSDT"]\n')
    with pytest.raises(ConfigError, match=r"strategies\[0\]\.name: required key is missing"):
        load_config(path, environ={})


def test_literal_choice(tmp_path: Path) -> None:
    path = _write(tmp_path, '[environments.paper]\nfee_tier = "VIP9"\n')
    with pytest.raises(
        ConfigError, match=r"environments\.paper\.fee_tier: expected one of .*VIP0.*got \"VIP9\""
    ):
        load_config(path, environ={})


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[risk\n"), environ={})
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml", environ={})


def test_secrets_are_refused_in_files(tmp_path: Path) -> None:
    path = _write(tmp_path, '[environments.testnet]\napi_secret = "abc"\n')
    with pytest.raises(
        ConfigError, match=r"environments\.testnet\.api_secret: secrets are not allowed"
    ) as err:
        load_config(path, environ={})
    assert "abc" not in str(err.value)


def test_environment_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path, "[risk]\nrisk_per_trade = 0.02\n")
    env = {
        "OPENALPHA_RISK__RISK_PER_TRADE": "0.005",
        "OPENALPHA_ENVIRONMENTS__TESTNET__ENABLED": "true",
        "OPENALPHA_HOME": "/ignored/not/a/key",
    }
    config = load_config(path, environ=env)
    assert config.risk.risk_per_trade == 0.005
    assert config.environments.testnet.enabled is True


def test_bad_override_names_the_variable(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    with pytest.raises(
        ConfigError, match=r"overridden by OPENALPHA_RISK__MAX_LEVERAGE\): risk\.max_leverage"
    ):
        load_config(path, environ={"OPENALPHA_RISK__MAX_LEVERAGE": "500"})


def test_paths(tmp_path: Path) -> None:
    paths = Paths.from_env({"OPENALPHA_HOME": str(tmp_path)})
    assert paths.data == tmp_path / "data" and paths.runs == tmp_path / "runs"
    assert paths.database_url({}) == f"sqlite:///{tmp_path / 'openalpha.db'}"
    assert paths.database_url({"OPENALPHA_DATABASE_URL": "postgresql://x"}) == "postgresql://x"
